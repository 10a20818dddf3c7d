// Builds the Nest application with all its Express-level wiring, without listening and without
// touching process-wide state (signals, process.send). worker.ts adds those; the integration tests
// run several of these in one process.

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import { AppModule } from './app.module.js';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter.js';
import { jsonBodyErrorHandler, jsonBodyParser } from './common/json-body/json-body-parser.js';
import { requestContextMiddleware } from './common/request-context.middleware.js';
import type { ApiConfig } from './config/api-config.js';
import { Readiness } from './health/readiness.js';
import type { Identity } from './identity/identity.js';
import { DrainConnections } from './lifecycle/drain-connections.js';
import { applyServerTimeouts } from './lifecycle/server-timeouts.js';
import { PinoNestLogger, type Logger } from './logging/logger.js';
import { ApiMetrics } from './metrics/api-metrics.js';
import { ContainerMetrics } from './metrics/container-metrics.js';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware.js';
import type { RealtimeIoAdapter } from './realtime/realtime-io-adapter.js';

/** Route templates, for the `route` metric label of requests that never reached the router. */
export const ROUTES = ['/', '/whoami', '/work', '/io', '/echo', '/healthz', '/readyz', '/metrics', '/session', '/session/visits'] as const;
export const CHAOS_ROUTES = ['/chaos/crash', '/chaos/leak', '/chaos/error'] as const;

export interface ApiDeps {
  config: ApiConfig;
  identity: Identity;
  logger: Logger;
  /** How /chaos/crash ends the worker; process.exit(1) unless a test replaces it. */
  crashWorker?: () => void;
  /** Passed in by worker.ts, which needs them for the shutdown handler before the app exists. */
  readiness?: Readiness;
  drain?: DrainConnections;
}

export interface Api {
  app: NestExpressApplication;
  server: Server;
  readiness: Readiness;
  drain: DrainConnections;
  metrics: ApiMetrics;
  /** socket.io's server setup; the drain closes its sockets first (lifecycle/graceful-shutdown.ts). None with WEBSOCKETS_ENABLED=false. */
  realtime: RealtimeIoAdapter | undefined;
  listen(port: number, host?: string): Promise<void>;
}

export async function createApi(deps: ApiDeps): Promise<Api> {
  const { config, identity, logger } = deps;
  const readiness = deps.readiness ?? new Readiness();
  const drain = deps.drain ?? new DrainConnections();
  const metrics = new ApiMetrics({ replica: identity.replica, worker: identity.worker, version: identity.version });
  const containerMetrics = new ContainerMetrics({
    metrics,
    replica: identity.replica,
    worker: identity.worker,
    workers: config.workers,
    portBase: config.metricsWorkerPortBase,
  });

  // bodyParser: false -> we mount the JSON parser ourselves so its errors get our JSON shape.
  const app = await NestFactory.create<NestExpressApplication>(
    await AppModule.forRoot({
      config,
      identity,
      logger,
      readiness,
      metrics,
      containerMetrics,
      crashWorker: deps.crashWorker ?? (() => process.exit(1)),
    }),
    { bodyParser: false, logger: new PinoNestLogger(logger) },
  );

  app.disable('x-powered-by'); // no free fingerprinting
  app.set('etag', false); // responses are dynamic; hashing every body is wasted CPU
  // req.ip and req.protocol come from X-Forwarded-For / X-Forwarded-Proto only through this many proxies (a number,
  // never `true`: with `true` any client could claim any address by sending the header itself). The stack has one
  // hop, nginx, which overwrites both headers (nginx/snippets/proxy-to-api.conf). req.secure
  // follows X-Forwarded-Proto through it, so the session cookie's `secure: 'auto'` holds behind HTTPS.
  // https://expressjs.com/en/guide/behind-proxies.html
  app.set('trust proxy', config.trustProxyHops);

  // Order matters: identity headers and drain tracking first (so even 400/404 carry them), then
  // metrics, then the body parser and its error handler, then Nest's routes (mounted by init()).
  app.use(requestContextMiddleware({ servedBy: identity.servedBy, drain, logger }));
  if (config.metricsEnabled) {
    const knownRoutes = new Set<string>([...ROUTES, ...(config.chaosEnabled ? CHAOS_ROUTES : [])]);
    app.use(httpMetricsMiddleware(metrics, knownRoutes));
  }
  app.use(jsonBodyParser(config.bodyLimitBytes));
  app.use(jsonBodyErrorHandler(config.bodyLimitBytes, logger));
  app.useGlobalFilters(new AllExceptionsFilter(logger));
  // Before init(): Nest creates the gateway's socket.io server through this adapter (realtime/realtime-io-adapter.ts).
  // Imported only when enabled: a worker without websockets loads no socket.io (tests: feature-imports.test.ts).
  let realtime: RealtimeIoAdapter | undefined;
  if (config.realtime.enabled) {
    const [{ RealtimeIoAdapter }, { RealtimeMetrics }] = await Promise.all([import('./realtime/realtime-io-adapter.js'), import('./realtime/realtime-metrics.js')]);
    realtime = await RealtimeIoAdapter.create(app, { config, logger, metrics: new RealtimeMetrics(metrics) });
    app.useWebSocketAdapter(realtime);
  }
  await app.init();

  const server = app.getHttpServer() as Server;
  applyServerTimeouts(server, config);

  return {
    app,
    server,
    readiness,
    drain,
    metrics,
    realtime,
    listen: async (port: number, host?: string) => {
      if (host === undefined) await app.listen(port);
      else await app.listen(port, host);
    },
  };
}
