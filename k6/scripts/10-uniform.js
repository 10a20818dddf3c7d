// 10 - uniform requests: VUS connections (default 64) each GET /io?ms=50 with no sleep. Every request costs the
// same 50 ms wait on any replica and the cores stay mostly idle, so the spread measured here is the strategy's
// own, not the CPU scheduler's. This is the fairness yardstick: round_robin and least_conn both reach Jain ~1.
// Compare with 09-distribution, where the same strategies share saturated cores.
//
//   make compare SCENARIO=uniform STRATEGIES="round_robin least_conn"
//   k6 run -e VUS=64 k6/scripts/10-uniform.js
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { BASE_URL, abortUnlessTargetUp, baseOptions, envNumber, envString, withLatencyTarget } from '../lib/config.js';
import { distributionSummary, distributionThresholds, recordServedBy } from '../lib/distribution.js';
import { UNIFORM_IO_MS, clientIdFor } from '../lib/workload.js';

export const options = baseOptions({
  scenarios: { uniform: { executor: 'constant-vus', vus: envNumber('VUS', 64), duration: envString('DURATION', '20s') } },
  thresholds: { ...withLatencyTarget(500), ...distributionThresholds() },
  discardResponseBodies: true,
});

export function setup() {
  abortUnlessTargetUp();
}

export default function () {
  const res = http.get(`${BASE_URL}/io?ms=${UNIFORM_IO_MS}`, { headers: { 'X-Client-Id': clientIdFor(exec.vu.idInTest) }, tags: { name: '/io' } });
  recordServedBy(res);
  check(res, { '200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  return distributionSummary(data, '10-uniform');
}
