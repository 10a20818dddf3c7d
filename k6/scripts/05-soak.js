// 05 - soak: a typical rate for a long time (30 minutes by default). Nothing here is fast to see: it is for
// slow leaks, a heap that grows until pm2's max_memory_restart recycles a worker, file descriptors, or a
// latency that creeps up. Watch "Resident memory per worker vs its budget" and "Worker restarts".
//
//   make loadtest K6_SCRIPT=05-soak
//   k6 run -e DURATION=2h -e RATE=50 k6/scripts/05-soak.js
import http from 'k6/http';
import { check } from 'k6';
import { BASE_URL, abortUnlessTargetUp, baseOptions, soak, withLatencyTarget } from '../lib/config.js';
import { distributionSummary, distributionThresholds, recordServedBy } from '../lib/distribution.js';

export const options = baseOptions({
  scenarios: { soak: soak() },
  thresholds: { ...withLatencyTarget(500), ...distributionThresholds() },
  discardResponseBodies: true,
});

export function setup() {
  abortUnlessTargetUp();
}

export default function () {
  const res = http.post(`${BASE_URL}/echo`, JSON.stringify({ message: 'soak', count: 1 }), {
    headers: { 'Content-Type': 'application/json' },
    tags: { name: '/echo' },
  });
  recordServedBy(res);
  check(res, { 'echo: 200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  return distributionSummary(data, '05-soak');
}
