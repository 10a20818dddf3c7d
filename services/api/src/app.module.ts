import { Module, type DynamicModule } from '@nestjs/common';
import { ChaosModule } from './chaos/chaos.module.js';
import { CoreModule, type CoreDeps } from './core.module.js';
import { EchoModule } from './echo/echo.module.js';
import { HealthModule } from './health/health.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { SessionModule } from './session/session.module.js';
import { WorkloadModule } from './workload/workload.module.js';

@Module({})
export class AppModule {
  static forRoot(deps: CoreDeps): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(deps),
        IdentityModule,
        WorkloadModule,
        EchoModule,
        HealthModule,
        MetricsModule,
        SessionModule,
        RealtimeModule,
        // Not imported at all unless enabled: the chaos routes then do not exist (JSON 404).
        ...(deps.config.chaosEnabled ? [ChaosModule] : []),
      ],
    };
  }
}
