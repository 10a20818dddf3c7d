// Sessions: express-session with the store SESSION_STORE names, mounted on the session routes only. Imported by
// app.module.ts only with SESSIONS_ENABLED=true, so a worker without sessions loads none of this.

import { Inject, Module, type MiddlewareConsumer, type NestModule, type OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { API_CONFIG, LOGGER } from '../core.module.js';
import type { ApiConfig } from '../config/api-config.js';
import type { Logger } from '../logging/logger.js';
import { ApiMetrics } from '../metrics/api-metrics.js';
import { SessionController } from './session.controller.js';
import { SessionMetrics } from './session-metrics.js';
import { sessionMiddleware } from './session.middleware.js';
import { readSecretFile } from '../common/secret-file.js';
import { createSessionStore, type SessionStoreHandle } from './session-store.js';

const SESSION_STORE = Symbol('SESSION_STORE');

@Module({
  controllers: [SessionController],
  providers: [
    { provide: SessionMetrics, useFactory: (metrics: ApiMetrics) => new SessionMetrics(metrics), inject: [ApiMetrics] },
    {
      provide: SESSION_STORE,
      useFactory: (config: ApiConfig, logger: Logger, metrics: SessionMetrics) => createSessionStore(config.session, logger, metrics),
      inject: [API_CONFIG, LOGGER, SessionMetrics],
    },
  ],
})
export class SessionModule implements NestModule, OnModuleDestroy {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SESSION_STORE) private readonly store: SessionStoreHandle,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    const { secretFile } = this.config.session;
    // Every worker and replica must sign with the same secret, or one worker's cookie is "tampered" for the next.
    // Without a file (the app's own tests) a random one is fine: one process.
    const secret = secretFile ? readSecretFile(secretFile) : randomBytes(32).toString('base64url');
    if (!secretFile) this.logger.warn('SESSION_SECRET_FILE is not set: signing session cookies with a random per-process secret');
    consumer.apply(sessionMiddleware(this.config.session, this.store.store, secret, this.logger)).forRoutes(SessionController);
  }

  async onModuleDestroy(): Promise<void> {
    await this.store.close();
  }
}
