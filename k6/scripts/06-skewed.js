// 06 - skewed: where least_conn beats round-robin. Two kinds of unevenness at once:
//   - the requests: heavy-tailed /work (median n ~ 1,500, p99 ~ 760,000) plus 20 ms /io waits;
//   - the replicas: one of them, api-slow-1, has one worker on 0.1 CPU (SLOW_REPLICA_CPUS), a fraction of a
//     normal replica's capacity, like a replica on a smaller or noisier machine.
// The load is an open model (a fixed arrival rate), so both strategies face exactly the same requests at the same
// times. round_robin sends the small replica a quarter of them, more than it can serve: its queue grows for the
// whole run and the tail with it. least_conn sees that replica's connections pile up and sends it less.
// `make compare SCENARIO=skewed` starts api-slow (compose profile `skewed`), runs this for each strategy and
// removes it again. By hand: docker compose --profile skewed up -d api-slow, then run this script.
//
//   make compare SCENARIO=skewed STRATEGIES="round_robin least_conn"
//   k6 run -e RATE=500 -e DURATION=20s k6/scripts/06-skewed.js
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { BASE_URL, abortUnlessTargetUp, average, baseOptions, envNumber, envString, withLatencyTarget } from '../lib/config.js';
import { distributionSummary, distributionThresholds, recordServedBy } from '../lib/distribution.js';
import { clientIdFor, skewedPath } from '../lib/workload.js';

export const options = baseOptions({
  scenarios: {
    skewed: average({ rate: envNumber('RATE', 500), duration: envString('DURATION', '20s'), preAllocatedVUs: 64, maxVUs: envNumber('MAX_VUS', 256) }),
  },
  // p95 over a second means requests queue without end: the small replica is overfed.
  thresholds: { ...withLatencyTarget(1000), ...distributionThresholds() },
  discardResponseBodies: true,
});

export function setup() {
  abortUnlessTargetUp();
}

export default function () {
  const path = skewedPath(exec.scenario.iterationInTest);
  const res = http.get(`${BASE_URL}${path}`, { headers: { 'X-Client-Id': clientIdFor(exec.vu.idInTest) }, tags: { name: path.split('?')[0] } });
  recordServedBy(res);
  check(res, { '200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  return distributionSummary(data, '06-skewed');
}
