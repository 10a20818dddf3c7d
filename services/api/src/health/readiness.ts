// Readiness of this worker: /readyz answers 200 only between "listening" and "draining".
// Liveness (/healthz) is separate on purpose: a draining or still-starting worker is alive and must
// not be restarted, it just should not get new traffic.

export type ReadinessState = 'starting' | 'ready' | 'draining';

export class Readiness {
  private current: ReadinessState = 'starting';

  get state(): ReadinessState {
    return this.current;
  }

  get isReady(): boolean {
    return this.current === 'ready';
  }

  markReady(): void {
    if (this.current === 'starting') this.current = 'ready';
  }

  startDraining(): void {
    this.current = 'draining';
  }
}
