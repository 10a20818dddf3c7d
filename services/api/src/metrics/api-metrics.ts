// This worker's Prometheus registry and the metrics the contract names.
// `replica` and `worker` are registry default labels, so every series (ours and prom-client's
// default Node metrics) carries them and the per-worker texts can be merged without collisions.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type HttpLabel = 'method' | 'route' | 'status';

// 1 ms .. 10 s: /healthz answers in well under 1 ms's bucket, /io?ms=5000 lands in the 5 s one.
export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ApiMetricsOptions {
  replica: string;
  worker: string;
  version: string;
}

export class ApiMetrics {
  readonly registry = new Registry();
  readonly requestsTotal: Counter<HttpLabel>;
  readonly requestDuration: Histogram<HttpLabel>;
  readonly requestsInFlight: Gauge;

  constructor(options: ApiMetricsOptions) {
    this.registry.setDefaultLabels({ replica: options.replica, worker: options.worker });
    // Event-loop lag, heap, GC, RSS, process_start_time_seconds (a restarted worker shows a new value).
    collectDefaultMetrics({ register: this.registry });

    this.requestsTotal = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered by this worker, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.requestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from request start to response end, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_DURATION_BUCKETS,
      registers: [this.registry],
    });
    this.requestsInFlight = new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests this worker is handling right now.',
      registers: [this.registry],
    });
    new Gauge({
      name: 'api_build_info',
      help: 'Always 1; the version label says which build this worker runs.',
      labelNames: ['version'],
      registers: [this.registry],
    }).set({ version: options.version }, 1);
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
