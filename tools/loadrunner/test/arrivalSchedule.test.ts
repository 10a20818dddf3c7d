import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrivalsDue, cumulativeArrivals, rateAt, totalArrivals, validateStages } from '../src/arrivalSchedule.js';
import { spikeStages } from '../../../k6/lib/workload.js';
import { buildScenario } from '../src/catalogue.js';
import type { OpenScenario } from '../src/types.js';

const constant: OpenScenario = { model: 'open', ratePerSec: 20, durationSec: 10, maxInFlight: 10 };
// 10 req/s for 2 s, ramp to 30 req/s over 2 s, 30 req/s for 1 s: 20 + 40 + 30 = 90 arrivals.
const ramp: OpenScenario = {
  model: 'open', ratePerSec: 10, durationSec: 5, maxInFlight: 10,
  stages: [{ targetRate: 10, durationSec: 2 }, { targetRate: 30, durationSec: 2 }, { targetRate: 30, durationSec: 1 }],
};

test('a constant rate is one flat stage: arrivals due as before (first at 0, one every 1/rate s)', () => {
  assert.equal(totalArrivals(constant), 200);
  assert.equal(arrivalsDue(constant, 0), 1);
  assert.equal(arrivalsDue(constant, 0.049), 1);
  assert.equal(arrivalsDue(constant, 0.05), 2);
  assert.equal(arrivalsDue(constant, 60), 200, 'never more than the total');
  assert.equal(rateAt(constant, 3), 20);
  assert.equal(rateAt(constant, 10), 0, 'after the end');
});

test('stages ramp the rate linearly and the arrivals are its integral', () => {
  assert.equal(rateAt(ramp, 1), 10);
  assert.equal(rateAt(ramp, 3), 20, 'half way up the ramp');
  assert.equal(rateAt(ramp, 4.5), 30);
  assert.equal(cumulativeArrivals(ramp, 2), 20);
  assert.equal(cumulativeArrivals(ramp, 3), 20 + 15, 'first half of the ramp: (10 + 20) / 2 x 1 s');
  assert.equal(cumulativeArrivals(ramp, 4), 60);
  assert.equal(totalArrivals(ramp), 90);
  assert.equal(arrivalsDue(ramp, 4), 61);
});

test('the catalogue spike in the runner: 20 -> 800 req/s, 170 s; --rate moves the peak; the stages fix the duration', () => {
  const spike = buildScenario('spike').scenario as OpenScenario;
  assert.deepEqual(spike.stages, spikeStages(20, 800).map((s) => ({ targetRate: s.target, durationSec: s.seconds })));
  assert.equal(spike.durationSec, 170);
  // 20x30 + (20+800)/2x10 + 800x60 + (800+20)/2x10 + 20x60
  assert.equal(totalArrivals(spike), 600 + 4100 + 48000 + 4100 + 1200);
  const lighter = buildScenario('spike', { ratePerSec: 200 }).scenario as OpenScenario;
  assert.deepEqual(lighter.stages?.map((s) => s.targetRate), [20, 200, 200, 20, 20]);
  assert.throws(() => buildScenario('spike', { durationSec: 10 }), /fixed stages/);
  validateStages(spike);
});

test('stages that do not add up to the duration, or ask for a negative rate, are refused', () => {
  assert.throws(() => validateStages({ ...ramp, durationSec: 6 }), /stages last 5 s but durationSec is 6/);
  assert.throws(() => validateStages({ ...ramp, stages: [{ targetRate: -1, durationSec: 5 }] }), /invalid stage/);
  assert.throws(() => validateStages({ ...ramp, stages: [] }), /must not be empty/);
});
