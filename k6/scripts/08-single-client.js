// 08 - a single client: 16 connections that all carry the same X-Client-Id from the same address. Under ip_hash
// and hash every request lands on one replica (that is stickiness); under round_robin and least_conn it spreads.
// Put it next to 07-many-clients: stickiness spreads load only when there are many clients to spread.
//
//   make compare SCENARIO=single-client STRATEGIES="round_robin ip_hash hash"
//   k6 run k6/scripts/08-single-client.js
import http from 'k6/http';
import { check, sleep } from 'k6';
import { BASE_URL, abortUnlessTargetUp, baseOptions, envNumber, envString, withLatencyTarget } from '../lib/config.js';
import { distributionSummary, distributionThresholds, recordServedBy } from '../lib/distribution.js';

export const options = baseOptions({
  scenarios: { client: { executor: 'constant-vus', vus: envNumber('VUS', 16), duration: envString('DURATION', '15s') } },
  thresholds: { ...withLatencyTarget(500), ...distributionThresholds() },
  discardResponseBodies: true,
});

export function setup() {
  abortUnlessTargetUp();
}

export default function () {
  const res = http.get(`${BASE_URL}/whoami`, { headers: { 'X-Client-Id': 'client-1' }, tags: { name: '/whoami' } });
  recordServedBy(res);
  check(res, { '200': (r) => r.status === 200 });
  sleep(0.05);
}

export function handleSummary(data) {
  return distributionSummary(data, '08-single-client');
}
