// 01 - smoke test: a few virtual users for 10 seconds. Does every route answer as the contract says, through
// nginx, before anything heavier is run? Run it first, after every change to the stack.
//
//   make loadtest SCRIPT=01-smoke        (or: docker compose --profile loadtest run --rm k6 run /k6/scripts/01-smoke.js)
//   k6 run k6/scripts/01-smoke.js        (host, against http://localhost:8080)
import http from 'k6/http';
import { check, group } from 'k6';
import { BASE_URL, abortUnlessTargetUp, baseOptions, smoke, withLatencyTarget } from '../lib/config.js';
import { distributionSummary, distributionThresholds, recordServedBy } from '../lib/distribution.js';

export const options = baseOptions({
  scenarios: { smoke: smoke() },
  // Smoke requests are tiny (/io waits 50 ms): anything near a second means something is wrong.
  thresholds: { ...withLatencyTarget(500), ...distributionThresholds() },
});

// Expected-error requests (a 400, a blocked 404) must not count as failures in http_req_failed.
const expect400 = { responseCallback: http.expectedStatuses(400) };
const expect404 = { responseCallback: http.expectedStatuses(404) };

function isJson(res) {
  return String(res.headers['Content-Type'] || '').startsWith('application/json');
}

// The error shape every error shares, from the app or from nginx (contract: statusCode, error, message, requestId).
function hasErrorShape(res, status) {
  if (!isJson(res)) return false;
  const body = res.json();
  return body.statusCode === status && typeof body.error === 'string' && typeof body.message === 'string' && typeof body.requestId === 'string';
}

export function setup() {
  abortUnlessTargetUp();
}

export default function () {
  group('identity', () => {
    const res = http.get(`${BASE_URL}/whoami`, { tags: { name: '/whoami' } });
    recordServedBy(res);
    check(res, {
      'whoami: 200': (r) => r.status === 200,
      'whoami: names replica and worker': (r) => isJson(r) && typeof r.json('replica') === 'string' && r.json('worker') !== undefined,
      'whoami: X-Served-By is replica/worker/pid': (r) => /^[^/]+\/[^/]+\/\d+$/.test(r.headers['X-Served-By'] || ''),
      'whoami: X-Request-Id set': (r) => (r.headers['X-Request-Id'] || '') !== '',
    });
  });

  group('request id is kept', () => {
    const id = `smoke-${__VU}-${__ITER}`;
    const res = http.get(`${BASE_URL}/`, { headers: { 'X-Request-Id': id }, tags: { name: '/' } });
    recordServedBy(res);
    check(res, {
      '/: 200': (r) => r.status === 200,
      '/: echoes the client X-Request-Id': (r) => r.headers['X-Request-Id'] === id,
    });
  });

  group('work and io', () => {
    const work = http.get(`${BASE_URL}/work?n=100000`, { tags: { name: '/work' } });
    recordServedBy(work);
    // sum of 1..100000 = n(n+1)/2
    check(work, { 'work: 200 with the sum of 0..n': (r) => r.status === 200 && r.json('sum') === 5000050000 });

    const io = http.get(`${BASE_URL}/io?ms=50`, { tags: { name: '/io' } });
    recordServedBy(io);
    check(io, { 'io: 200': (r) => r.status === 200 });

    const echo = http.post(`${BASE_URL}/echo`, JSON.stringify({ message: 'hello from the k6 smoke test', count: 1 }), {
      headers: { 'Content-Type': 'application/json' },
      tags: { name: '/echo' },
    });
    recordServedBy(echo);
    check(echo, { 'echo: 200': (r) => r.status === 200 });
  });

  group('errors are JSON', () => {
    const bad = http.get(`${BASE_URL}/work?n=not-a-number`, { ...expect400, tags: { name: '/work (invalid)' } });
    recordServedBy(bad);
    check(bad, { 'invalid n: 400 in the error shape': (r) => r.status === 400 && hasErrorShape(r, 400) });

    // nginx blocks /metrics from outside; Prometheus scrapes each replica directly.
    const metrics = http.get(`${BASE_URL}/metrics`, { ...expect404, tags: { name: '/metrics (blocked)' } });
    check(metrics, { 'metrics: 404 from nginx in the error shape': (r) => r.status === 404 && hasErrorShape(r, 404) });
  });
}

export function handleSummary(data) {
  return distributionSummary(data, '01-smoke');
}
