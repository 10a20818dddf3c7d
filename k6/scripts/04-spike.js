// 04 - spike: a low base rate, a sudden 40x burst held for a minute, then back to the base. Does the stack
// absorb the burst (latency rises, nothing fails) and recover (latency back to the base's once it is over)?
// Watch "In-flight requests" and "Event-loop lag" on the dashboard while it runs.
//
//   make loadtest K6_SCRIPT=04-spike
//   k6 run -e BASE_RATE=20 -e RATE=800 k6/scripts/04-spike.js
import http from 'k6/http';
import { check } from 'k6';
import { BASE_URL, abortUnlessTargetUp, baseOptions, spike, withLatencyTarget } from '../lib/config.js';
import { distributionSummary, distributionThresholds, recordServedBy } from '../lib/distribution.js';

export const options = baseOptions({
  scenarios: { spike: spike() },
  // A burst may queue: 2 s at p95, but fewer than 1% failures, as for every script.
  thresholds: { ...withLatencyTarget(2000), ...distributionThresholds() },
  discardResponseBodies: true,
});

export function setup() {
  abortUnlessTargetUp();
}

export default function () {
  const res = http.get(`${BASE_URL}/work?n=100000`, { tags: { name: '/work' } });
  recordServedBy(res);
  check(res, { 'work: 200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  return distributionSummary(data, '04-spike');
}
