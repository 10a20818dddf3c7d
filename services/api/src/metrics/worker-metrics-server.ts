// Each worker serves its own registry on 127.0.0.1:(METRICS_WORKER_PORT_BASE + worker), so whichever
// worker answers a public GET /metrics can collect its siblings' metrics over loopback.
//
// Why: prom-client's AggregatorRegistry needs the cluster primary to gather workers' metrics, and under
// pm2 the primary is pm2's God daemon, not our code (https://github.com/siimon/prom-client/issues/165,
// https://github.com/siimon/prom-client/issues/239).
//
// `exclusive: true`: in a cluster worker, listen() normally asks the primary for a shared handle, so
// during a reload an old and a new worker with the same id would share this port and the primary
// would round-robin scrapes between them. Exclusive makes the worker bind the port itself; a new worker
// whose predecessor still holds it gets EADDRINUSE and retries until the old one is gone.
// Bound to 127.0.0.1: never reachable from outside the container.

import { createServer, type Server } from 'node:http';
import type { Logger } from '../logging/logger.js';
import type { ApiMetrics } from './api-metrics.js';

export type FirstBindOutcome = 'bound' | 'port_busy';

export interface WorkerMetricsServer {
  server: Server;
  /** Settles after the first bind attempt; on 'port_busy' retries continue in the background. */
  firstAttempt: Promise<FirstBindOutcome>;
  /** Settles once the port is ours. */
  bound: Promise<void>;
  close(): Promise<void>;
}

export interface WorkerMetricsServerOptions {
  port: number;
  metrics: ApiMetrics;
  logger: Logger;
  retryMs?: number;
}

export function startWorkerMetricsServer(options: WorkerMetricsServerOptions): WorkerMetricsServer {
  const { port, metrics, logger, retryMs = 250 } = options;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.contentType }).end(text),
      (error: unknown) => {
        logger.error({ err: error }, 'collecting worker metrics failed');
        res.writeHead(500).end();
      },
    );
  });

  let resolveFirst!: (outcome: FirstBindOutcome) => void;
  const firstAttempt = new Promise<FirstBindOutcome>((resolve) => (resolveFirst = resolve));
  const bound = new Promise<void>((resolve) => {
    let attempts = 0;
    const attempt = (): void => {
      if (closed) return;
      attempts++;
      const onError = (error: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        if (attempts === 1) resolveFirst('port_busy');
        // Log the first failure and then every ~10 s, not every 250 ms.
        if (attempts === 1 || attempts % Math.ceil(10_000 / retryMs) === 0) {
          logger.warn({ port, code: error.code, attempts }, 'worker metrics port not available yet, retrying');
        }
        retryTimer = setTimeout(attempt, retryMs);
        retryTimer.unref();
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolveFirst('bound');
        if (attempts > 1) logger.info({ port, attempts }, 'worker metrics port bound');
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host: '127.0.0.1', port, exclusive: true });
    };
    attempt();
  });

  return {
    server,
    firstAttempt,
    bound,
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        clearTimeout(retryTimer);
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
