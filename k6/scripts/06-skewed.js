// 06 - skewed: where least_conn beats round-robin. Two kinds of unevenness at once:
//   - the requests: heavy-tailed /work (median n ~ 1,500, p99 ~ 760,000) plus 20 ms /io waits;
//   - the replicas: one of them, api-slow-1, adds SLOW_REPLICA_DELAY_MS (100 ms) to every answer.
// round_robin keeps giving the slow replica its full share, so about one request in four waits 100 ms more;
// least_conn sees that replica's connections pile up and sends it less, so the tail shrinks.
// `make compare SCENARIO=skewed` starts api-slow (compose profile `skewed`), runs this for each strategy and
// removes it again. Run by hand: docker compose --profile skewed up -d api-slow, then this script.
//
//   make compare SCENARIO=skewed
//   k6 run -e VUS=32 -e DURATION=20s k6/scripts/06-skewed.js
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { BASE_URL, abortUnlessTargetUp, baseOptions, envNumber, envString, withLatencyTarget } from '../lib/config.js';
import { distributionSummary, distributionThresholds, recordServedBy } from '../lib/distribution.js';
import { clientIdFor, skewedPath } from '../lib/workload.js';

export const options = baseOptions({
  scenarios: { skewed: { executor: 'constant-vus', vus: envNumber('VUS', 32), duration: envString('DURATION', '20s') } },
  // The slow replica alone is 100 ms: a p95 over a second means requests queue, whatever the strategy.
  thresholds: { ...withLatencyTarget(1000), ...distributionThresholds() },
  discardResponseBodies: true,
});

export function setup() {
  abortUnlessTargetUp();
}

export default function () {
  const vu = exec.vu.idInTest;
  const path = skewedPath(vu, exec.vu.iterationInScenario);
  const res = http.get(`${BASE_URL}${path}`, { headers: { 'X-Client-Id': clientIdFor(vu) }, tags: { name: path.split('?')[0] } });
  recordServedBy(res);
  check(res, { '200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  return distributionSummary(data, '06-skewed');
}
