// The session store's metrics, on the worker's registry (so they carry `replica` and `worker` like every series).
// The alerts SessionStoreDown and SessionErrorRate (prometheus/rules/alerts.yml) read them.

import { Counter, Gauge } from 'prom-client';
import type { ApiMetrics } from '../metrics/api-metrics.js';

export class SessionMetrics {
  readonly storeUp: Gauge;
  readonly storeErrors: Counter<'operation'>;

  constructor(metrics: ApiMetrics) {
    this.storeUp = new Gauge({
      name: 'session_store_up',
      help: '1 while this worker is connected to the session store (always 1 with SESSION_STORE=memory).',
      registers: [metrics.registry],
    });
    this.storeErrors = new Counter({
      name: 'session_store_errors_total',
      help: 'Session store operations that failed or got no answer within SESSION_STORE_TIMEOUT_MS, by operation.',
      labelNames: ['operation'],
      registers: [metrics.registry],
    });
  }
}
