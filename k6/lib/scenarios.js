// The scenario catalogue: every load test of this repo, defined once. The k6 scripts (k6/scripts/NN-*.js, through
// k6/lib/run.js) and the Node load runner (tools/loadrunner), compare and bench import these very objects, so a
// scenario's load shape, requests, checks and thresholds cannot differ between the two load generators.
// Plain ES module with no k6 import, so Node loads it as it is (like workload.js and fairness.js).
//
// A scenario:
//   name         what `make loadtest SCENARIO=<name>` and the runner's --scenario take
//   script       the k6 script's base name in k6/scripts/ (also the report file prefix)
//   description  one line: what it sends and what it is for; describeScenario() adds the shape
//   shape        the load in k6 executor terms (https://grafana.com/docs/k6/latest/using-k6/scenarios/executors/):
//                constant-vus { vus, duration, sleep }            closed model: each VU loops, waiting for its answers
//                constant-arrival-rate { rate, duration, preAllocatedVUs, maxVUs }  open model: iterations/s
//                ramping-arrival-rate { startRate, stages, preAllocatedVUs, maxVUs }
//                durations are k6 strings ('30s', '1m'); sleep is in seconds, like k6's sleep()
//   plan(ctx)    the iteration's requests, a pure function of { vu, iteration } (see IterationContext)
//   thresholds   k6 `options.thresholds` syntax; `make loadtest` exits 99 when one fails
//   assertSpread true: every expected replica/worker must serve a share (a threshold per pair, see fairness.js)
//   discardResponseBodies  k6's option; the runner reads bodies only when it is false
//   envAliases   extra environment names for an override (kept from older script headers)
import { UNIFORM_IO_MS, clientIdFor, heavyTailWorkN, skewedPath, spikeStages, unitHash } from './workload.js';

/**
 * @typedef {{ vu: number, iteration: number }} IterationContext
 *   vu: 1-based (k6 exec.vu.idInTest, __VU). iteration: for constant-vus the VU's own iteration (k6 __ITER); for the
 *   arrival-rate executors the scenario-wide iteration number (k6 exec.scenario.iterationInTest, the runner's
 *   arrival number), so a mix depends on the arrival order, not on which VU happens to be free.
 */
/**
 * @typedef {{ status: number, header: (name: string) => string | undefined, json: () => any }} ResponseView
 *   What a check sees: the same view over a k6 response and over the runner's.
 */
/**
 * @typedef {object} PlannedRequest
 * @property {string} name                 k6 `tags.name` (and the runner's request name)
 * @property {string} method
 * @property {string} path                 path and query, starting with '/'
 * @property {Record<string, string>} [headers]
 * @property {string} [body]
 * @property {number[]} [expectedStatuses] statuses that are not failures (k6 http.expectedStatuses); default 200..399
 * @property {boolean} [countServedBy]     count X-Served-By for this response (default true)
 * @property {Record<string, (r: ResponseView) => boolean>} [checks]  k6 check() conditions
 */
/**
 * @typedef {{ executor: 'constant-vus', vus: number, duration: string, sleep: number }
 *   | { executor: 'constant-arrival-rate', rate: number, duration: string, preAllocatedVUs: number, maxVUs: number }
 *   | { executor: 'ramping-arrival-rate', startRate: number, stages: { target: number, duration: string }[], preAllocatedVUs: number, maxVUs: number }} LoadShape
 */
/**
 * @typedef {object} Scenario
 * @property {string} name
 * @property {string} script
 * @property {string} description
 * @property {LoadShape} shape
 * @property {(ctx: IterationContext) => PlannedRequest[]} plan
 * @property {Record<string, string[]>} thresholds
 * @property {boolean} assertSpread
 * @property {boolean} discardResponseBodies
 * @property {Record<string, string>} [envAliases]
 */

// ---- durations ------------------------------------------------------------------------------------------

const UNIT_MS = { ms: 1, s: 1000, m: 60000, h: 3600000 };

/**
 * Parses a k6 duration ("30s", "1m30s", "500ms", "2.5s"; a bare number is seconds) into milliseconds.
 * @param {string} text
 * @returns {number}
 */
export function parseDurationMs(text) {
  const trimmed = String(text).trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(trimmed); match !== null; match = part.exec(trimmed)) {
    total += Number(match[1]) * UNIT_MS[/** @type {'ms'|'s'|'m'|'h'} */ (match[2])];
    consumed += match[0].length;
  }
  if (consumed === 0 || consumed !== trimmed.length || !Number.isFinite(total)) {
    throw new Error(`invalid duration ${JSON.stringify(text)} (expected e.g. 30s, 1m30s, 500ms)`);
  }
  return total;
}

/** "30s", "1m30s", "500ms": milliseconds back to the shortest k6 duration string. @param {number} ms */
export function formatDuration(ms) {
  if (ms < 1000 || ms % 1000 !== 0) return `${ms}ms`;
  const s = ms / 1000;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${rest || (!h && !m) ? `${rest}s` : ''}`;
}

/** The length of a shape in seconds (the stages' sum for a ramping shape). @param {LoadShape} shape */
export function shapeDurationSec(shape) {
  if (shape.executor === 'ramping-arrival-rate') return shape.stages.reduce((sum, s) => sum + parseDurationMs(s.duration), 0) / 1000;
  return parseDurationMs(shape.duration) / 1000;
}

// ---- the catalogue --------------------------------------------------------------------------------------

// Fewer than 1% of requests may fail (a network error or a status outside the expected ones), and every check
// must pass in at least 99% of cases. Every scenario asserts these; most add a latency target.
// https://grafana.com/docs/k6/latest/using-k6/thresholds/
const RELIABLE = { http_req_failed: ['rate<0.01'], checks: ['rate>0.99'] };

/** @param {number} p95Ms */
function withLatencyTarget(p95Ms) {
  return { ...RELIABLE, http_req_duration: [`p(95)<${p95Ms}`] };
}

/** @param {string} name */
const ok200 = (name) => ({ [`${name}: 200`]: (/** @type {ResponseView} */ r) => r.status === 200 });

/** @param {ResponseView} r */
const isJson = (r) => String(r.header('Content-Type') || '').startsWith('application/json');

/** The error shape every error shares, from the app or nginx: statusCode, error, message, requestId. */
function hasErrorShape(/** @type {ResponseView} */ r, /** @type {number} */ status) {
  if (!isJson(r)) return false;
  const body = r.json();
  return body.statusCode === status && typeof body.error === 'string' && typeof body.message === 'string' && typeof body.requestId === 'string';
}

/** @param {IterationContext} ctx */
const clientHeader = (ctx) => ({ 'X-Client-Id': clientIdFor(ctx.vu) });

/** @param {string} path @param {Record<string, string>} [headers] @returns {PlannedRequest} */
const get = (path, headers) => ({ name: path.split('?')[0] || path, method: 'GET', path, ...(headers ? { headers } : {}) });

// The sessions scenario: visits per session, and the check every visit must pass (named so its threshold can name it).
export const SESSION_VISITS = 5;
export const SESSION_CHECK = `session visits run 1..${SESSION_VISITS} without a reset`;

/**
 * One session, start to end: SESSION_VISITS POST /session/visits, each checked to count its own position, then
 * DELETE /session. The cookie carries the session from request to request (the VU's cookie jar: k6's own, the
 * runner's in runLoad.ts); the DELETE clears it, so the next iteration starts a fresh session at 1.
 * The check needs no previous response: the whole session is one iteration, so the plan knows each visit's
 * position and a count that does not equal it is a reset (another worker's memory) or a lost save. plan() stays pure.
 * @returns {PlannedRequest[]}
 */
function sessionPlan() {
  /** @type {PlannedRequest[]} */
  const visits = Array.from({ length: SESSION_VISITS }, (_, i) => ({
    name: '/session/visits',
    method: 'POST',
    path: '/session/visits',
    checks: { [SESSION_CHECK]: (/** @type {ResponseView} */ r) => r.status === 200 && r.json().visits === i + 1 },
  }));
  return [...visits, { name: '/session', method: 'DELETE', path: '/session', checks: { 'session end: 204': (r) => r.status === 204 } }];
}

const SPIKE_BASE_RATE = 20;
const SPIKE_PEAK_RATE = 800;

/** @type {Scenario[]} */
const CATALOGUE = [
  {
    name: 'smoke',
    script: '01-smoke',
    description: 'every route once per iteration through nginx (incl. an expected 400 and 404), each answer checked: does the stack answer as the contract says?',
    shape: { executor: 'constant-vus', vus: 3, duration: '10s', sleep: 0 },
    plan: (ctx) => {
      const requestId = `smoke-${ctx.vu}-${ctx.iteration}`;
      return [
        {
          ...get('/whoami'),
          checks: {
            'whoami: 200': (r) => r.status === 200,
            'whoami: names replica and worker': (r) => isJson(r) && typeof r.json().replica === 'string' && r.json().worker !== undefined,
            'whoami: X-Served-By is replica/worker/pid': (r) => /^[^/]+\/[^/]+\/\d+$/.test(r.header('X-Served-By') || ''),
            'whoami: X-Request-Id set': (r) => (r.header('X-Request-Id') || '') !== '',
          },
        },
        {
          ...get('/', { 'X-Request-Id': requestId }),
          checks: { '/: 200': (r) => r.status === 200, '/: echoes the client X-Request-Id': (r) => r.header('X-Request-Id') === requestId },
        },
        // sum of 1..100000 = n(n+1)/2
        { ...get('/work?n=100000'), checks: { 'work: 200 with the sum of 0..n': (r) => r.status === 200 && r.json().sum === 5000050000 } },
        { ...get('/io?ms=50'), checks: ok200('io') },
        {
          name: '/echo',
          method: 'POST',
          path: '/echo',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ message: 'hello from the k6 smoke test', count: 1 }),
          checks: ok200('echo'),
        },
        // Expected errors: not failures in http_req_failed, but checked for the JSON error shape.
        {
          ...get('/work?n=not-a-number'),
          name: '/work (invalid)',
          expectedStatuses: [400],
          checks: { 'invalid n: 400 in the error shape': (r) => r.status === 400 && hasErrorShape(r, 400) },
        },
        // nginx blocks /metrics from outside (Prometheus scrapes each replica directly) and answers itself, so the
        // response carries no X-Served-By and is not counted.
        {
          ...get('/metrics'),
          name: '/metrics (blocked)',
          expectedStatuses: [404],
          countServedBy: false,
          checks: { 'metrics: 404 from nginx in the error shape': (r) => r.status === 404 && hasErrorShape(r, 404) },
        },
      ];
    },
    // Smoke requests are tiny (/io waits 50 ms): anything near a second means something is wrong.
    thresholds: withLatencyTarget(500),
    assertSpread: false,
    discardResponseBodies: false,
  },
  {
    name: 'post000',
    script: '02-post000-cluster',
    description: "post 000's experiment: each VU GET /work?n=1000000 (a few ms of CPU), then sleep; throughput and waiting time are the result",
    shape: { executor: 'constant-vus', vus: 1000, duration: '30s', sleep: 1 },
    plan: () => [{ ...get('/work?n=1000000'), checks: ok200('work') }],
    // Latency is this experiment's observation, not its pass mark: 1000 VUs on a small machine queue by design (with
    // real k6 on 2 cores, where k6 itself takes over a core, p95 was 8.7-11 s on a healthy stack). The run fails when
    // the stack is broken: requests fail, or the spread over the workers collapses (assertSpread).
    thresholds: RELIABLE,
    assertSpread: true,
    discardResponseBodies: true,
  },
  {
    name: 'average',
    script: '03-average-load',
    description: 'open model: heavy-tailed /work mixed with /whoami and /io (6 : 2 : 2), one X-Client-Id per VU',
    shape: { executor: 'constant-arrival-rate', rate: 100, duration: '1m', preAllocatedVUs: 50, maxVUs: 500 },
    plan: (ctx) => {
      const u = unitHash(ctx.iteration, ctx.vu);
      const headers = clientHeader(ctx);
      const request =
        u < 0.6
          ? { ...get(`/work?n=${heavyTailWorkN(ctx.vu, ctx.iteration)}`, headers), name: '/work (heavy tail)' }
          : u < 0.8
            ? get('/whoami', headers)
            : get('/io?ms=50', headers);
      return [{ ...request, checks: ok200(request.name) }];
    },
    thresholds: withLatencyTarget(500),
    assertSpread: false,
    discardResponseBodies: true,
  },
  {
    name: 'spike',
    script: '04-spike',
    description: 'open model: a low base rate, a sudden 40x burst held for a minute, back to the base; GET /work?n=100000. Absorb it, then recover',
    shape: {
      executor: 'ramping-arrival-rate',
      startRate: SPIKE_BASE_RATE,
      stages: spikeStages(SPIKE_BASE_RATE, SPIKE_PEAK_RATE).map((s) => ({ target: s.target, duration: `${s.seconds}s` })),
      preAllocatedVUs: 100,
      maxVUs: 1000,
    },
    plan: () => [{ ...get('/work?n=100000'), checks: ok200('work') }],
    // A burst may queue: 2 s at p95, but fewer than 1% failures.
    thresholds: withLatencyTarget(2000),
    assertSpread: false,
    discardResponseBodies: true,
  },
  {
    name: 'soak',
    script: '05-soak',
    description: 'open model: POST /echo at a typical rate for a long time: slow leaks, memory recycling, creeping latency',
    shape: { executor: 'constant-arrival-rate', rate: 100, duration: '30m', preAllocatedVUs: 50, maxVUs: 500 },
    plan: () => [
      {
        name: '/echo',
        method: 'POST',
        path: '/echo',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ message: 'soak', count: 1 }),
        checks: ok200('echo'),
      },
    ],
    thresholds: withLatencyTarget(500),
    assertSpread: false,
    discardResponseBodies: true,
  },
  {
    name: 'skewed',
    script: '06-skewed',
    description: 'open model: heavy-tailed /work plus 20 ms /io, with one small replica (api-slow-1: 1 worker, 0.1 CPU) that cannot serve a full share',
    shape: { executor: 'constant-arrival-rate', rate: 500, duration: '20s', preAllocatedVUs: 64, maxVUs: 256 },
    plan: (ctx) => {
      const path = skewedPath(ctx.iteration);
      return [{ ...get(path, clientHeader(ctx)), checks: ok200('skewed') }];
    },
    // p95 over a second means requests queue without end: the small replica is overfed.
    thresholds: withLatencyTarget(1000),
    assertSpread: false,
    discardResponseBodies: true,
  },
  {
    name: 'many-clients',
    script: '07-many-clients',
    description: 'many clients, one X-Client-Id per VU, GET /whoami: hash spreads them and keeps each sticky, ip_hash cannot (one address)',
    shape: { executor: 'constant-vus', vus: 60, duration: '15s', sleep: 0.05 },
    plan: (ctx) => [{ ...get('/whoami', clientHeader(ctx)), checks: ok200('whoami') }],
    thresholds: withLatencyTarget(500),
    assertSpread: false,
    discardResponseBodies: true,
    envAliases: { CLIENTS: 'VUS' },
  },
  {
    name: 'single-client',
    script: '08-single-client',
    description: 'one client (one X-Client-Id, one address) on many connections, GET /whoami: sticky strategies put it on one replica',
    shape: { executor: 'constant-vus', vus: 16, duration: '15s', sleep: 0.05 },
    plan: () => [{ ...get('/whoami', { 'X-Client-Id': 'client-1' }), checks: ok200('whoami') }],
    thresholds: withLatencyTarget(500),
    assertSpread: false,
    discardResponseBodies: true,
  },
  {
    name: 'distribution',
    script: '09-distribution',
    description: 'connections hammering GET / with no sleep, every core busy: how evenly do replicas and workers share it?',
    shape: { executor: 'constant-vus', vus: 32, duration: '20s', sleep: 0 },
    plan: (ctx) => [{ ...get('/', clientHeader(ctx)), checks: ok200('/') }],
    thresholds: withLatencyTarget(500),
    assertSpread: false,
    discardResponseBodies: true,
  },
  {
    name: 'uniform',
    script: '10-uniform',
    description: `connections each GET /io?ms=${UNIFORM_IO_MS} with no sleep: the same wait on every replica and idle cores, so the spread is the strategy's own`,
    shape: { executor: 'constant-vus', vus: 64, duration: '20s', sleep: 0 },
    plan: (ctx) => [{ ...get(`/io?ms=${UNIFORM_IO_MS}`, clientHeader(ctx)), checks: ok200('io') }],
    thresholds: withLatencyTarget(500),
    assertSpread: false,
    discardResponseBodies: true,
  },
  {
    name: 'sessions',
    script: '11-sessions',
    description: `each VU a client with its own cookie jar: ${SESSION_VISITS} POST /session/visits per session, each count checked (1..${SESSION_VISITS}, no reset), then DELETE /session and a new one. Holds with the shared store (SESSION_STORE=redis), fails with memory under round_robin`,
    shape: { executor: 'constant-vus', vus: 8, duration: '15s', sleep: 0 },
    plan: sessionPlan,
    // The session check's own rate, besides every check's: a failed run then says it was the sessions that reset.
    // (k6 tags each check sample with `check`: https://grafana.com/docs/k6/latest/using-k6/thresholds/#thresholds-on-tags)
    thresholds: { ...withLatencyTarget(500), [`checks{check:${SESSION_CHECK}}`]: ['rate>0.99'] },
    assertSpread: false,
    // The checks read the JSON count.
    discardResponseBodies: false,
  },
];

/** Every scenario, by name. @type {Readonly<Record<string, Scenario>>} */
export const SCENARIOS = Object.freeze(Object.fromEntries(CATALOGUE.map((s) => [s.name, s])));

/**
 * A scenario by its name or its k6 script ("post000", "02-post000-cluster", "k6/scripts/02-post000-cluster.js").
 * @param {string} nameOrScript
 * @returns {Scenario | undefined}
 */
export function findScenario(nameOrScript) {
  const bare = String(nameOrScript).replace(/^.*\//, '').replace(/\.js$/, '');
  return SCENARIOS[bare] || CATALOGUE.find((s) => s.script === bare);
}

// ---- overrides ------------------------------------------------------------------------------------------

/**
 * @typedef {object} Overrides  every field optional; values as a user types them (strings from flags or the environment)
 * @property {string} [vus]              constant-vus: the VUs
 * @property {string} [duration]         constant executors: the duration (a ramp's stages fix its own)
 * @property {string} [sleep]            constant-vus: think time after each iteration, a duration ("1s", "0")
 * @property {string} [rate]             arrival-rate executors: iterations/s (ramping: the peak)
 * @property {string} [baseRate]         ramping-arrival-rate: the base rate
 * @property {string} [preAllocatedVUs]  arrival-rate executors
 * @property {string} [maxVUs]           arrival-rate executors
 * @property {string} [path]             replace the requests with one GET of this path (X-Client-Id kept)
 */

/** Which override fits which executor. */
const FITS = {
  'constant-vus': ['vus', 'duration', 'sleep', 'path'],
  'constant-arrival-rate': ['rate', 'duration', 'preAllocatedVUs', 'maxVUs', 'path'],
  'ramping-arrival-rate': ['rate', 'baseRate', 'preAllocatedVUs', 'maxVUs', 'path'],
};

/**
 * The environment variables each override is read from (k6 `-e NAME=value`, or the runner's environment). VUS
 * means the VUs of a constant-vus scenario and the pre-allocated VUs of an arrival-rate one, as it always has.
 * REQUEST_PATH, not PATH: k6 passes the system environment to __ENV.
 */
const ENV_NAMES = {
  'constant-vus': { VUS: 'vus', DURATION: 'duration', SLEEP: 'sleep', REQUEST_PATH: 'path' },
  'constant-arrival-rate': { RATE: 'rate', DURATION: 'duration', VUS: 'preAllocatedVUs', MAX_VUS: 'maxVUs', REQUEST_PATH: 'path' },
  'ramping-arrival-rate': { RATE: 'rate', BASE_RATE: 'baseRate', VUS: 'preAllocatedVUs', MAX_VUS: 'maxVUs', REQUEST_PATH: 'path' },
};

/**
 * The overrides a scenario takes from an environment (k6's __ENV, process.env). Variables that don't fit the
 * scenario's executor are ignored, since a shell may export both VUS and RATE.
 * @param {Scenario} scenario
 * @param {Record<string, string | undefined>} env
 * @returns {Overrides}
 */
export function overridesFromEnv(scenario, env) {
  /** @type {Record<string, string>} */
  const out = {};
  const names = { ...ENV_NAMES[scenario.shape.executor] };
  for (const [alias, target] of Object.entries(scenario.envAliases || {})) {
    const key = /** @type {Record<string, string>} */ (names)[target];
    if (key !== undefined) /** @type {Record<string, string>} */ (names)[alias] = key;
  }
  for (const [name, key] of Object.entries(names)) {
    const value = env[name];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/**
 * The inverse of overridesFromEnv(): the `-e NAME=value` variables that make a k6 script run `overrides`
 * (compare starts k6 this way). Throws for an override that does not fit, like applyOverrides().
 * @param {Scenario} scenario
 * @param {Overrides} overrides
 * @returns {Record<string, string>}
 */
export function envFromOverrides(scenario, overrides) {
  applyOverrides(scenario, overrides);
  /** @type {Record<string, string>} */
  const env = {};
  for (const [name, key] of Object.entries(ENV_NAMES[scenario.shape.executor])) {
    const value = /** @type {Record<string, string | undefined>} */ (overrides)[key];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** @param {string} value @param {string} what */
function count(value, what) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be an integer >= 1 (got ${JSON.stringify(value)})`);
  return n;
}

/** @param {string} value @param {string} what */
function positive(value, what) {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${what} must be a number > 0 (got ${JSON.stringify(value)})`);
  return n;
}

/** @param {string} value @param {string} what */
function duration(value, what) {
  const ms = parseDurationMs(value);
  if (!(ms > 0)) throw new Error(`${what} must be > 0 (got ${JSON.stringify(value)})`);
  return formatDuration(ms);
}

/**
 * The scenario with overrides applied; throws, saying what to use instead, when one does not fit its executor.
 * @param {Scenario} scenario
 * @param {Overrides} overrides
 * @returns {Scenario}
 */
export function applyOverrides(scenario, overrides) {
  const given = Object.entries(overrides).filter(([, v]) => v !== undefined);
  if (given.length === 0) return scenario;
  const shape = scenario.shape;
  const fits = FITS[shape.executor];
  for (const [key] of given) {
    if (!fits.includes(key)) {
      const model = shape.executor === 'constant-vus' ? 'a closed model (VUs): use vus / duration / sleep' : shape.executor === 'constant-arrival-rate' ? 'an open model (arrival rate): use rate / duration / maxVUs' : 'an open model with fixed stages: use rate (the peak) / baseRate / maxVUs';
      throw new Error(`scenario ${scenario.name} is ${model}, not ${key}`);
    }
  }
  /** @type {any} */
  const next = { ...shape };
  const o = overrides;
  if (o.vus !== undefined) next.vus = count(o.vus, 'vus');
  if (o.duration !== undefined) next.duration = duration(o.duration, 'duration');
  if (o.sleep !== undefined) next.sleep = parseDurationMs(o.sleep) / 1000;
  if (o.preAllocatedVUs !== undefined) next.preAllocatedVUs = count(o.preAllocatedVUs, 'preAllocatedVUs');
  if (o.maxVUs !== undefined) next.maxVUs = count(o.maxVUs, 'maxVUs');
  if (shape.executor === 'constant-arrival-rate' && o.rate !== undefined) next.rate = positive(o.rate, 'rate');
  if (shape.executor === 'ramping-arrival-rate' && (o.rate !== undefined || o.baseRate !== undefined)) {
    const peak = Math.max(...shape.stages.map((s) => s.target));
    const base = shape.startRate;
    const newPeak = o.rate === undefined ? peak : positive(o.rate, 'rate');
    const newBase = o.baseRate === undefined ? base : positive(o.baseRate, 'baseRate');
    next.startRate = newBase;
    next.stages = shape.stages.map((s) => ({ ...s, target: s.target === peak ? newPeak : s.target === base ? newBase : s.target }));
  }
  if ('preAllocatedVUs' in next && next.preAllocatedVUs > next.maxVUs) next.preAllocatedVUs = next.maxVUs;
  let plan = scenario.plan;
  if (o.path !== undefined) {
    const path = o.path;
    if (!path.startsWith('/')) throw new Error(`path must start with '/' (got ${JSON.stringify(path)})`);
    plan = (ctx) => [{ ...get(path, clientHeader(ctx)), name: 'custom', checks: ok200('custom') }];
  }
  return { ...scenario, shape: next, plan };
}

// ---- description ----------------------------------------------------------------------------------------

/** @param {number} n @param {string} one */
const plural = (n, one) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * The load shape in words: "1000 VUs for 30s, sleep 1s after each iteration", "100 iterations/s for 1m (up to 500
 * VUs)", "ramping arrival rate: 20/s for 30s, 20 -> 800/s in 10s, ... (up to 1000 VUs)".
 * @param {LoadShape} shape
 */
export function describeShape(shape) {
  if (shape.executor === 'constant-vus') {
    return `${plural(shape.vus, 'VU')} for ${shape.duration}, ${shape.sleep > 0 ? `sleep ${formatDuration(shape.sleep * 1000)} after each iteration` : 'no sleep'}`;
  }
  if (shape.executor === 'constant-arrival-rate') return `${shape.rate} iterations/s for ${shape.duration} (up to ${shape.maxVUs} VUs)`;
  let from = shape.startRate;
  const stages = shape.stages.map((s) => {
    const text = s.target === from ? `${s.target}/s for ${s.duration}` : `${from} -> ${s.target}/s in ${s.duration}`;
    from = s.target;
    return text;
  });
  return `ramping arrival rate: ${stages.join(', ')} (up to ${shape.maxVUs} VUs)`;
}

/**
 * One scenario in one line, used wherever a scenario is named (k6 and runner output, reports, --list, compare):
 * "post000 (k6/scripts/02-post000-cluster.js): 1000 VUs for 30s, sleep 1s after each iteration. post 000's ..."
 * @param {Scenario} scenario
 */
export function describeScenario(scenario) {
  return `${scenario.name} (k6/scripts/${scenario.script}.js): ${describeShape(scenario.shape)}. ${scenario.description}`;
}
