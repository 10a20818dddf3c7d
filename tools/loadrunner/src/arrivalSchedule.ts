// When the open model's arrivals are due: a constant rate (k6 `constant-arrival-rate`) or stages that ramp the rate
// linearly from one target to the next (k6 `ramping-arrival-rate`, the spike script). Pure functions of time, so the
// runner's tick loop only asks "how many arrivals are due by now?" and the counts can be unit-tested exactly.
import type { OpenScenario, RateStage } from './types.js';

/** The scenario's stages; a constant-rate scenario is one flat stage. */
export function stagesOf(scenario: OpenScenario): readonly RateStage[] {
  return scenario.stages ?? [{ targetRate: scenario.ratePerSec, durationSec: scenario.durationSec }];
}

/** Arrivals per second at `elapsedSec`, interpolated linearly inside a stage (0 after the last one). */
export function rateAt(scenario: OpenScenario, elapsedSec: number): number {
  let from = scenario.ratePerSec;
  let stageStart = 0;
  for (const stage of stagesOf(scenario)) {
    if (elapsedSec < stageStart + stage.durationSec) {
      return from + ((stage.targetRate - from) * (elapsedSec - stageStart)) / stage.durationSec;
    }
    from = stage.targetRate;
    stageStart += stage.durationSec;
  }
  return 0;
}

/** Expected arrivals in [0, elapsedSec]: the integral of rateAt (trapezoids, exact for linear ramps). */
export function cumulativeArrivals(scenario: OpenScenario, elapsedSec: number): number {
  let from = scenario.ratePerSec;
  let stageStart = 0;
  let total = 0;
  for (const stage of stagesOf(scenario)) {
    const into = Math.min(Math.max(elapsedSec - stageStart, 0), stage.durationSec);
    const slope = (stage.targetRate - from) / stage.durationSec;
    total += from * into + (slope * into * into) / 2;
    if (elapsedSec < stageStart + stage.durationSec) return total;
    from = stage.targetRate;
    stageStart += stage.durationSec;
  }
  return total;
}

/** Every arrival of the whole run. The epsilon keeps 20 req/s x 0.1 s = 1.9999999 from losing one to rounding. */
export function totalArrivals(scenario: OpenScenario): number {
  return Math.floor(cumulativeArrivals(scenario, scenario.durationSec) + 1e-9);
}

/** Arrivals due by `elapsedSec` (the first is due at 0, like k6), never more than the run's total. */
export function arrivalsDue(scenario: OpenScenario, elapsedSec: number): number {
  return Math.min(totalArrivals(scenario), Math.floor(cumulativeArrivals(scenario, elapsedSec) + 1e-9) + 1);
}

/** Checks stages add up to the scenario's duration and never ask for a negative rate. */
export function validateStages(scenario: OpenScenario): void {
  if (scenario.stages === undefined) return;
  if (scenario.stages.length === 0) throw new Error('stages must not be empty');
  let sum = 0;
  for (const stage of scenario.stages) {
    if (!(stage.durationSec > 0) || !(stage.targetRate >= 0)) throw new Error(`invalid stage ${JSON.stringify(stage)}`);
    sum += stage.durationSec;
  }
  if (Math.abs(sum - scenario.durationSec) > 1e-9) throw new Error(`stages last ${sum} s but durationSec is ${scenario.durationSec}`);
}
