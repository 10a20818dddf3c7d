// 09 - distribution under saturation: VUS connections (default 32) hammer GET / with no sleep, so every core is
// busy. How evenly do replicas and workers share the requests when they compete for CPU with each other and with
// the load generator? round_robin counts requests and stays even; least_conn follows whichever replica answers
// first, so CPU scheduling noise shows up in its shares. `make compare-connections` runs this script with
// 1/2/4/64 connections to show Node's cluster module balancing connections, not requests.
//
//   make compare SCENARIO=distribution STRATEGIES="round_robin least_conn"
//   k6 run -e VUS=64 k6/scripts/09-distribution.js
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { BASE_URL, abortUnlessTargetUp, baseOptions, envNumber, envString, withLatencyTarget } from '../lib/config.js';
import { distributionSummary, distributionThresholds, recordServedBy } from '../lib/distribution.js';
import { clientIdFor } from '../lib/workload.js';

export const options = baseOptions({
  scenarios: { saturate: { executor: 'constant-vus', vus: envNumber('VUS', 32), duration: envString('DURATION', '20s') } },
  thresholds: { ...withLatencyTarget(500), ...distributionThresholds() },
  discardResponseBodies: true,
});

export function setup() {
  abortUnlessTargetUp();
}

export default function () {
  const res = http.get(`${BASE_URL}/`, { headers: { 'X-Client-Id': clientIdFor(exec.vu.idInTest) }, tags: { name: '/' } });
  recordServedBy(res);
  check(res, { '200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  return distributionSummary(data, '09-distribution');
}
