// Shared settings for every k6 script: target, run id, thresholds and load shapes. Scripts import from here
// instead of repeating numbers, so "average load" means the same thing in every lesson.
// Modelled on grafana/quickpizza's k6/lib. k6 1.x, ES modules.
import http from 'k6/http';
import exec from 'k6/execution';
import { sleep } from 'k6';
import { spikeStages } from './workload.js';

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

// Pass/fail targets shared by every script. A failed threshold makes `k6 run` exit non-zero (code 99).
// https://grafana.com/docs/k6/latest/using-k6/thresholds/
export const thresholds = {
  // Fewer than 1% of requests may fail (network error, or a status outside the expected 2xx/3xx).
  http_req_failed: ['rate<0.01'],
  // Every check() must pass in at least 99% of iterations.
  checks: ['rate>0.99'],
};

/** A p95 latency target, in milliseconds, on top of the shared thresholds. */
export function withLatencyTarget(p95Ms, extra = {}) {
  return { ...thresholds, http_req_duration: [`p(95)<${p95Ms}`], ...extra };
}

// Statistics shown for Trend metrics in the end-of-test summary.
export const summaryTrendStats = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

/**
 * Options every script starts from: the testid tag and the summary stats. Scripts add scenarios and thresholds.
 * @param {object} options
 */
export function baseOptions(options) {
  return {
    summaryTrendStats,
    ...options,
    tags: { testid: RUN_ID, ...(STRATEGY ? { strategy: STRATEGY } : {}), ...(options.tags || {}) },
  };
}

// ---- Load shapes ----------------------------------------------------------------------------------------
// Each returns one k6 scenario. Arrival-rate executors (open model) start iterations at a fixed rate whatever
// the response time, so a slow server shows up as latency and dropped_iterations instead of silently lowering
// the load, which is what closed-model VU loops do (each VU waits for its response before the next request).
// https://grafana.com/docs/k6/latest/using-k6/scenarios/concepts/open-vs-closed/
// Every parameter can be overridden from the environment (RATE, DURATION, VUS, MAX_VUS, ...).

/** A few VUs for a short time: does everything answer as expected? */
export function smoke({ vus = envNumber('VUS', 3), duration = envString('DURATION', '10s') } = {}) {
  return { executor: 'constant-vus', vus, duration };
}

/** Typical load: a constant request rate for a while. */
export function average({
  rate = envNumber('RATE', 100),
  duration = envString('DURATION', '1m'),
  preAllocatedVUs = envNumber('VUS', 50),
  maxVUs = envNumber('MAX_VUS', 500),
} = {}) {
  return { executor: 'constant-arrival-rate', rate, timeUnit: '1s', duration, preAllocatedVUs, maxVUs };
}

/** Ramp well above typical load, hold, ramp down: where does latency or the error rate bend? */
export function stress({
  rate = envNumber('RATE', 400),
  rampUp = envString('RAMP_UP', '1m'),
  hold = envString('DURATION', '3m'),
  rampDown = envString('RAMP_DOWN', '30s'),
  preAllocatedVUs = envNumber('VUS', 100),
  maxVUs = envNumber('MAX_VUS', 1000),
} = {}) {
  return {
    executor: 'ramping-arrival-rate',
    startRate: 0,
    timeUnit: '1s',
    preAllocatedVUs,
    maxVUs,
    stages: [
      { target: rate, duration: rampUp },
      { target: rate, duration: hold },
      { target: 0, duration: rampDown },
    ],
  };
}

/** A sudden burst from a low base and back: does the stack absorb it and recover? */
export function spike({
  base = envNumber('BASE_RATE', 20),
  peak = envNumber('RATE', 800),
  preAllocatedVUs = envNumber('VUS', 100),
  maxVUs = envNumber('MAX_VUS', 1000),
} = {}) {
  return {
    executor: 'ramping-arrival-rate',
    startRate: base,
    timeUnit: '1s',
    preAllocatedVUs,
    maxVUs,
    // One shape for k6 and the Node runner: k6/lib/workload.js spikeStages().
    stages: spikeStages(base, peak).map((s) => ({ target: s.target, duration: `${s.seconds}s` })),
  };
}

/** Typical load for a long time: leaks, slow memory growth, restarts (watch the dashboard). */
export function soak({
  rate = envNumber('RATE', 100),
  duration = envString('DURATION', '30m'),
  preAllocatedVUs = envNumber('VUS', 50),
  maxVUs = envNumber('MAX_VUS', 500),
} = {}) {
  return { executor: 'constant-arrival-rate', rate, timeUnit: '1s', duration, preAllocatedVUs, maxVUs };
}

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
