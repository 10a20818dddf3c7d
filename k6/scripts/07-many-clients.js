// 07 - many clients: CLIENTS distinct clients (one X-Client-Id per VU) for the sticky strategies.
//   hash     (key X-Client-Id): the ids spread over every replica, and each id stays on its own replica.
//   ip_hash  (key: the client ADDRESS, first three octets for IPv4): all these clients come from one address
//            (k6's container, or the host through Docker's port mapping), so everything lands on ONE replica.
//            That is ip_hash's pitfall behind any NAT, proxy or shared network, not a bug of this stack.
// Compare both: make compare SCENARIO=many-clients STRATEGIES="round_robin ip_hash hash"
//
//   k6 run -e CLIENTS=60 k6/scripts/07-many-clients.js
import http from 'k6/http';
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { BASE_URL, abortUnlessTargetUp, baseOptions, envNumber, envString, withLatencyTarget } from '../lib/config.js';
import { distributionSummary, distributionThresholds, recordServedBy } from '../lib/distribution.js';
import { clientIdFor } from '../lib/workload.js';

export const options = baseOptions({
  scenarios: { clients: { executor: 'constant-vus', vus: envNumber('CLIENTS', 60), duration: envString('DURATION', '15s') } },
  thresholds: { ...withLatencyTarget(500), ...distributionThresholds() },
  discardResponseBodies: true,
});

export function setup() {
  abortUnlessTargetUp();
}

export default function () {
  const res = http.get(`${BASE_URL}/whoami`, { headers: { 'X-Client-Id': clientIdFor(exec.vu.idInTest) }, tags: { name: '/whoami' } });
  recordServedBy(res);
  check(res, { '200': (r) => r.status === 200 });
  sleep(0.05);
}

export function handleSummary(data) {
  return distributionSummary(data, '07-many-clients');
}
