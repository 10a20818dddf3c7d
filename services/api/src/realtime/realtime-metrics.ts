// The websocket metrics, on the worker's registry: like every series they carry `replica` and `worker` (registry
// default labels), and reach Prometheus through the one public scrape that merges every worker (metrics/container-metrics.ts).

import { Counter, Gauge } from 'prom-client';
import type { ApiMetrics } from '../metrics/api-metrics.js';

/** The events the gateway knows; anything else a client sends is counted as `other` (bounded label values). */
export const REALTIME_EVENTS = ['hello', 'join', 'broadcast', 'message', 'exception'] as const;
export type RealtimeEvent = (typeof REALTIME_EVENTS)[number] | 'other';

export function eventLabel(event: unknown): RealtimeEvent {
  return typeof event === 'string' && (REALTIME_EVENTS as readonly string[]).includes(event) ? (event as RealtimeEvent) : 'other';
}

export class RealtimeMetrics {
  readonly connections: Gauge;
  readonly messagesIn: Counter<'event'>;
  readonly messagesOut: Counter<'event'>;

  constructor(metrics: ApiMetrics) {
    this.connections = new Gauge({
      name: 'ws_connections',
      help: 'socket.io clients connected to this worker right now.',
      registers: [metrics.registry],
    });
    this.messagesIn = new Counter({
      name: 'ws_messages_in_total',
      help: 'socket.io events this worker received from its clients, by event.',
      labelNames: ['event'],
      registers: [metrics.registry],
    });
    this.messagesOut = new Counter({
      name: 'ws_messages_out_total',
      help: 'socket.io events this worker sent to its clients (a room broadcast counts once per receiving client), by event.',
      labelNames: ['event'],
      registers: [metrics.registry],
    });
    // Every known event starts at 0, so a dashboard's rate() has a series (and reads 0) before the first message.
    for (const event of [...REALTIME_EVENTS, 'other'] as const) {
      this.messagesIn.inc({ event }, 0);
      this.messagesOut.inc({ event }, 0);
    }
  }
}
