// The request formulas of the scenario catalogue (scenarios.js), which k6 and the Node load runner both run: pure
// functions with no k6 import, so Node loads them too. One formula, two load generators.

/**
 * Deterministic uniform [0,1) from (vu, iteration): a run is reproducible without sharing RNG state between VUs.
 * @param {number} vu
 * @param {number} iteration
 * @returns {number}
 */
export function unitHash(vu, iteration) {
  let h = Math.imul(vu ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(iteration + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/**
 * Heavy-tailed CPU cost for GET /work?n=: n = round(10^(3 + 3·u⁴)), u uniform in [0,1).
 * Median ≈ 1,500, p90 ≈ 93,000, p99 ≈ 760,000, max 1,000,000: most requests are cheap and a few cost 500x more,
 * the shape where one expensive request blocks the cheap ones queued behind it on the same worker.
 */
/** @param {number} vu @param {number} iteration @returns {number} */
export function heavyTailWorkN(vu, iteration) {
  const u = unitHash(vu, iteration);
  return Math.round(10 ** (3 + 3 * u ** 4));
}

/**
 * The skewed scenario's request number `iteration` (counted across the whole run, from 0): 1 in 5 is a 20 ms /io
 * wait, the rest heavy-tailed /work. It depends on the iteration only, so k6's constant-arrival-rate
 * (exec.scenario.iterationInTest) and the runner's open model (the arrival number) send the same sequence.
 */
/** @param {number} iteration @returns {string} */
export function skewedPath(iteration) {
  if (unitHash(1, iteration) < 0.2) return '/io?ms=20';
  return `/work?n=${Math.round(10 ** (3 + 3 * unitHash(2, iteration) ** 4))}`;
}

/** X-Client-Id for the many-clients scenario: one id per VU, so `hash` can spread them and keep each one sticky. */
/** @param {number} vu @returns {string} */
export function clientIdFor(vu) {
  return `vu-${vu}`;
}

/**
 * The uniform scenario's wait, in ms: each request costs the same on every replica and almost no CPU, so the
 * spread over replicas is the strategy's alone (scenarios.js `uniform`).
 */
export const UNIFORM_IO_MS = 50;

/**
 * The spike shape (scenarios.js `spike`): the base rate for 30 s, a 10 s ramp to the
 * peak, the peak held for 1 min, a 10 s ramp back, the base for 1 min. Rates in iterations/s.
 * @param {number} base @param {number} peak @returns {{ target: number, seconds: number }[]}
 */
export function spikeStages(base, peak) {
  return [
    { target: base, seconds: 30 },
    { target: peak, seconds: 10 },
    { target: peak, seconds: 60 },
    { target: base, seconds: 10 },
    { target: base, seconds: 60 },
  ];
}
