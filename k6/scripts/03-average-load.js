// 03 - average load: a constant arrival rate (open model) for a minute, with the heavy-tailed mix most real
// services see (mostly cheap requests, a few 500x dearer). Latency is the result: an arrival-rate executor keeps
// sending at RATE whatever the response time, so a slow stack shows up as latency and dropped iterations
// instead of silently receiving less load (https://grafana.com/docs/k6/latest/using-k6/scenarios/concepts/open-vs-closed/).
//
//   make loadtest K6_SCRIPT=03-average-load          (offline: make loadtest SCENARIO=average)
//   k6 run -e RATE=200 -e DURATION=2m k6/scripts/03-average-load.js
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { BASE_URL, abortUnlessTargetUp, average, baseOptions, withLatencyTarget } from '../lib/config.js';
import { distributionSummary, distributionThresholds, recordServedBy } from '../lib/distribution.js';
import { clientIdFor, heavyTailWorkN, unitHash } from '../lib/workload.js';

export const options = baseOptions({
  scenarios: { average: average() },
  thresholds: { ...withLatencyTarget(500), ...distributionThresholds() },
  discardResponseBodies: true,
});

export function setup() {
  abortUnlessTargetUp();
}

export default function () {
  const vu = exec.vu.idInTest;
  const iteration = exec.scenario.iterationInTest;
  const headers = { 'X-Client-Id': clientIdFor(vu) };
  // The same 6 : 2 : 2 mix as the runner's `average` scenario.
  const u = unitHash(iteration, vu);
  let res;
  if (u < 0.6) res = http.get(`${BASE_URL}/work?n=${heavyTailWorkN(vu, iteration)}`, { headers, tags: { name: '/work (heavy tail)' } });
  else if (u < 0.8) res = http.get(`${BASE_URL}/whoami`, { headers, tags: { name: '/whoami' } });
  else res = http.get(`${BASE_URL}/io?ms=50`, { headers, tags: { name: '/io' } });
  recordServedBy(res);
  check(res, { '200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  return distributionSummary(data, '03-average-load');
}
