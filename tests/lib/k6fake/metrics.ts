// Fake `k6/metrics`: custom metrics record what is added to them.
import { fakeState } from './state.js';

class Metric {
  constructor(readonly name: string) {}
  add(value: number, tags?: Record<string, string>): void {
    fakeState().metrics.push({ metric: this.name, value, tags });
  }
}

export class Counter extends Metric {}
export class Trend extends Metric {}
export class Rate extends Metric {}
export class Gauge extends Metric {}
export default { Counter, Trend, Rate, Gauge };
