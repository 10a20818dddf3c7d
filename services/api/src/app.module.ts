import { Module, type DynamicModule } from '@nestjs/common';
import { ChaosModule } from './chaos/chaos.module.js';
import { CoreModule, type CoreDeps } from './core.module.js';
import { EchoModule } from './echo/echo.module.js';
import { HealthModule } from './health/health.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { WorkloadModule } from './workload/workload.module.js';

@Module({})
export class AppModule {
  /**
   * Sessions and websockets are imported only when enabled (SESSIONS_ENABLED, WEBSOCKETS_ENABLED): a feature that is
   * off then costs no memory at all, not even its libraries' code (express-session, the store client, socket.io).
   */
  static async forRoot(deps: CoreDeps): Promise<DynamicModule> {
    const { session, realtime } = deps.config;
    const optional = await Promise.all([
      session.enabled ? import('./session/session.module.js').then((m) => m.SessionModule) : undefined,
      realtime.enabled ? import('./realtime/realtime.module.js').then((m) => m.RealtimeModule) : undefined,
    ]);
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(deps),
        IdentityModule,
        WorkloadModule,
        EchoModule,
        HealthModule,
        MetricsModule,
        ...optional.filter((m) => m !== undefined),
        // Not imported at all unless enabled: the chaos routes then do not exist (JSON 404).
        ...(deps.config.chaosEnabled ? [ChaosModule] : []),
      ],
    };
  }
}
