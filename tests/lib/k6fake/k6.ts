// Fake `k6`: check() records every condition's outcome, sleep() records its argument and returns at once.
import { fakeState } from './state.js';

export function check(value: unknown, conditions: Record<string, (v: unknown) => boolean>): boolean {
  let all = true;
  for (const [name, condition] of Object.entries(conditions)) {
    const ok = condition(value) === true;
    fakeState().checks.push({ name, ok });
    all &&= ok;
  }
  return all;
}

export function sleep(seconds: number): void {
  fakeState().sleeps.push(seconds);
}

export function group<T>(_name: string, fn: () => T): T {
  return fn();
}

export default { check, sleep, group };
