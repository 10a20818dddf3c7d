import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { Readiness, type ReadinessState } from './readiness.js';

@Controller()
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  /** Liveness: the process answers HTTP. Stays 200 while draining (restarting it would cut the drain). */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: 200 once listening, 503 while starting, draining or in a NEVER_READY "broken release". */
  @Get('readyz')
  readyz(): { status: ReadinessState } {
    if (!this.readiness.isReady) throw new ServiceUnavailableException(this.readiness.state);
    return { status: this.readiness.state };
  }
}
