// Shares the objects built at startup (config, identity, logger, metrics, readiness) with every
// feature module through Nest's dependency injection. They are created outside Nest because the
// middleware, the shutdown handler and the internal metrics server need them before/after Nest runs.

import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { ApiConfig } from './config/api-config.js';
import { Readiness } from './health/readiness.js';
import type { Identity } from './identity/identity.js';
import type { Logger } from './logging/logger.js';
import { ApiMetrics } from './metrics/api-metrics.js';
import { ContainerMetrics } from './metrics/container-metrics.js';

export const API_CONFIG = Symbol('API_CONFIG');
export const IDENTITY = Symbol('IDENTITY');
export const LOGGER = Symbol('LOGGER');
/** Ends the worker abruptly (process.exit(1) in production, a spy in tests). */
export const CRASH_WORKER = Symbol('CRASH_WORKER');

export interface CoreDeps {
  config: ApiConfig;
  identity: Identity;
  logger: Logger;
  readiness: Readiness;
  metrics: ApiMetrics;
  containerMetrics: ContainerMetrics;
  crashWorker: () => void;
}

@Global()
@Module({})
export class CoreModule {
  static forRoot(deps: CoreDeps): DynamicModule {
    const providers = [
      { provide: API_CONFIG, useValue: deps.config },
      { provide: IDENTITY, useValue: deps.identity },
      { provide: LOGGER, useValue: deps.logger },
      { provide: CRASH_WORKER, useValue: deps.crashWorker },
      { provide: Readiness, useValue: deps.readiness },
      { provide: ApiMetrics, useValue: deps.metrics },
      { provide: ContainerMetrics, useValue: deps.containerMetrics },
    ];
    return { module: CoreModule, providers, exports: providers.map((provider) => provider.provide) };
  }
}
