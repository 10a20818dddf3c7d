// What every k6 script reads from its environment (target, run id, strategy, report folder), and the setup() guard.
// The scenarios themselves (shapes, requests, thresholds) live in scenarios.js; run.js turns one into a script.
// Modelled on grafana/quickpizza's k6/lib. ES modules, k6 1.x and 2.x.
import http from 'k6/http';
import exec from 'k6/execution';
import { sleep } from 'k6';

/** Reads a numeric environment variable (`k6 run -e NAME=value` or the process environment). */
export function envNumber(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  }
  return value;
}

/** Reads a string environment variable. */
export function envString(name, fallback) {
  const raw = __ENV[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

// Where the stack's nginx listens. The default suits k6 on the host (nginx is published on 127.0.0.1:8080);
// the compose `k6` service sets BASE_URL=http://nginx:8080 (the service name on the compose network).
// Only ever point this at a system you are allowed to load-test.
export const BASE_URL = envString('BASE_URL', 'http://localhost:8080').replace(/\/+$/, '');

// Identifies one run everywhere: the `testid` tag on every k6 metric (and so the label in Prometheus via
// remote write, and the dashboard's "k6 run" variable) and the report file names. Set it per run
// (`make loadtest` does); read once here so every VU and handleSummary() agree on it.
export const RUN_ID = envString('RUN_ID', 'adhoc');

// The nginx strategy under test, when a comparison sets it (make compare does): the `strategy` tag on every metric,
// so Grafana's k6 panels can be filtered and split by strategy like the server-side ones.
export const STRATEGY = envString('STRATEGY', '');

// Where handleSummary() writes the JSON and Markdown reports. k6 does not create directories: it must exist
// (compose mounts ./reports there; on the host run `mkdir -p reports`).
export const REPORT_DIR = envString('REPORT_DIR', 'reports').replace(/\/+$/, '');

/**
 * For setup(): stop the whole test early, with a clear reason, unless the target answers GET /healthz with 200.
 * Retries for up to `attempts` seconds because `make up` may have just started the stack. Without this a test
 * against a stack that isn't up runs to the end and reports 100% errors as if they were a result.
 */
export function abortUnlessTargetUp({ attempts = 10 } = {}) {
  const url = `${BASE_URL}/healthz`;
  let last = 'no attempt made';
  for (let i = 1; i <= attempts; i++) {
    const res = http.get(url, { timeout: '2s', tags: { name: 'setup-healthz' } });
    if (res.status === 200) return;
    last = res.error ? res.error : `HTTP ${res.status}`;
    if (i < attempts) sleep(1);
  }
  exec.test.abort(`target is not up: GET ${url} failed ${attempts} times (last: ${last}). Start the stack (make up) or set BASE_URL.`);
}
