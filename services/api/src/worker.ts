// One pm2 worker, imported by main.ts once reflect-metadata is in place (dist/main.js, started by ecosystem.config.cjs).
//
// Startup order: identity (replica name) -> logger -> app -> listen on PORT (shared by all workers
// through the cluster primary) -> bind the internal metrics port -> tell pm2 we are ready.

import { getHeapStatistics } from 'node:v8';
import { loadApiConfig } from './config/api-config.js';
import { createApi, type Api } from './create-api.js';
import { Readiness } from './health/readiness.js';
import { resolveIdentity } from './identity/identity.js';
import { DrainConnections } from './lifecycle/drain-connections.js';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown.js';
import { createLogger } from './logging/logger.js';
import { startWorkerMetricsServer, type WorkerMetricsServer } from './metrics/worker-metrics-server.js';

async function main(): Promise<void> {
  const config = loadApiConfig(process.env);
  const identity = await resolveIdentity(config);
  const logger = createLogger({ level: config.logLevel, replica: identity.replica, worker: identity.worker });

  // Post 002's incident: rejected promises nobody handled left requests hanging. Requests are covered
  // by Nest + Express 5 (see README); this catches the rest (timers, fire-and-forget calls) and keeps
  // the worker serving, because one stray rejection is not a reason to drop every in-flight request.
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection (worker keeps running)');
  });

  // Installed before the app exists: a signal during startup must still end the worker cleanly.
  const readiness = new Readiness();
  const drain = new DrainConnections({ idleLingerMs: config.drainIdleLingerMs });
  let api: Api | undefined;
  let metricsServer: WorkerMetricsServer | undefined;
  const { shutdown } = installGracefulShutdown({
    logger,
    readiness,
    drain,
    publicServer: () => api?.server,
    beforeDrain: async () => {
      const closed = api?.realtime?.closeAllForDrain() ?? 0;
      if (closed === 0) return;
      logger.info({ websockets: closed }, 'closed websockets for the drain (code 1012, clients reconnect)');
      await api?.realtime?.settleForDrain();
    },
    afterDrain: () => metricsServer?.close(),
    drainTimeoutMs: config.drainTimeoutMs,
  });

  // A synchronous throw outside any request leaves the process in an unknown state: log it, drain what
  // is in flight, and exit 1 so pm2 starts a fresh worker.
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception: draining and exiting');
    void shutdown('uncaughtException', 1);
  });

  api = await createApi({ config, identity, logger, readiness, drain });
  await api.listen(config.port);

  metricsServer = startWorkerMetricsServer({
    port: config.metricsWorkerPortBase + Number(identity.worker),
    metrics: api.metrics,
    logger,
  });
  // Wait for the first bind attempt only: during a pm2 reload the old worker with the same id still
  // holds the port until the new one is ready, so waiting for the bind itself would deadlock until
  // listen_timeout. The bind keeps retrying in the background.
  const metricsPortState = await metricsServer.firstAttempt;

  if (config.neverReady) {
    logger.warn('NEVER_READY=true: not signalling readiness (simulated broken release)');
    return;
  }
  readiness.markReady();
  // wait_ready in ecosystem.config.cjs: pm2 counts this worker as started only after this message.
  process.send?.('ready');
  logger.info(
    {
      port: config.port,
      metricsPortState,
      servedBy: identity.servedBy,
      // Process start to ready; bench/api.sh reports it per worker.
      startupMs: Math.round(process.uptime() * 1000),
      // Shows whether ecosystem.config.cjs's --max-old-space-size reached the worker.
      heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024),
    },
    'worker ready',
  );
}

main().catch((error: unknown) => {
  // Logger may not exist yet (bad env): plain stderr, exit 1, pm2 retries.
  console.error(JSON.stringify({ level: 'fatal', msg: 'worker failed to start', err: String(error instanceof Error ? error.stack : error) }));
  process.exit(1);
});
