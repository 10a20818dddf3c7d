// The named scenarios. Each mirrors a k6 script in k6/scripts/ (same requests, same shape, same thresholds) or,
// until one exists, a load shape of k6/lib/config.js, so `make loadtest` means the same load whether k6 or this
// runner drives it. Change both together.
import { UNIFORM_IO_MS, heavyTailWorkN as k6HeavyTailWorkN, skewedPath as k6SkewedPath, spikeStages as k6SpikeStages } from '../../../k6/lib/workload.js';
import type { IterationSpec, RateStage, RequestContext, Scenario } from './types.js';

export interface ScenarioDefinition {
  readonly name: string;
  readonly description: string;
  /** What it mirrors, for humans: a k6 script, or a k6/lib/config.js shape when there is no script yet. */
  readonly mirrors: string;
  /** The k6 script's base name (e.g. `02-post000-cluster`): an alias for --scenario, and the report file prefix. */
  readonly k6ScriptName?: string;
  readonly scenario: Scenario;
  readonly requests: readonly IterationSpec[];
  /** k6 `options.thresholds`, in the syntax parseThreshold() accepts (k6's `checks` thresholds are not evaluated). */
  readonly thresholds: readonly string[];
}

/**
 * Names the VU, so nginx's `hash` strategy (key X-Client-Id) pins each VU to one upstream instead of hashing
 * every request to the one client address. The k6 scripts 01 and 02 do not send it; their mirrors don't either.
 */
export function clientIdHeader(ctx: RequestContext): Record<string, string> {
  return { 'x-client-id': `vu-${ctx.vu}` };
}

// The request mixes come from k6/lib/workload.js, the file the k6 scripts import, so k6 and this runner draw the same
// costs and paths from one formula (tsconfig allowJs; the file has no k6 import).
export { unitHash } from '../../../k6/lib/workload.js';

/** Heavy-tailed CPU cost for /work (k6/lib/workload.js heavyTailWorkN): median ≈ 1,500, p99 ≈ 760,000, max 1,000,000. */
export function heavyTailWorkN(ctx: RequestContext): number {
  return k6HeavyTailWorkN(ctx.vu, ctx.iteration);
}

/** The skewed scenario's request number `iteration` (the arrival number in the open model): k6/lib/workload.js skewedPath. */
export function skewedPath(ctx: RequestContext): string {
  return k6SkewedPath(ctx.iteration);
}

const expect = (status: number): readonly number[] => [status];

/** k6/lib/workload.js spikeStages(), in the runner's units. */
export function spikeStages(base: number, peak: number): RateStage[] {
  return k6SpikeStages(base, peak).map((s) => ({ targetRate: s.target, durationSec: s.seconds }));
}
const SPIKE_BASE_RATE = 20;
const SPIKE_PEAK_RATE = 800;

export const SCENARIOS: Readonly<Record<string, ScenarioDefinition>> = {
  smoke: {
    name: 'smoke',
    description: '3 VUs for 10 s, each iteration every route once (incl. an expected 400 and 404): does the stack answer?',
    mirrors: 'k6/scripts/01-smoke.js',
    k6ScriptName: '01-smoke',
    scenario: { model: 'closed', vus: 3, durationSec: 10, sleepMs: 0 },
    requests: [
      {
        name: 'smoke',
        sequence: [
          { name: '/whoami', path: '/whoami' },
          { name: '/', path: '/', headers: (ctx) => ({ 'x-request-id': `smoke-${ctx.vu}-${ctx.iteration}` }) },
          { name: '/work', path: '/work?n=100000' },
          { name: '/io', path: '/io?ms=50' },
          {
            name: '/echo',
            method: 'POST',
            path: '/echo',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ message: 'hello from the k6 smoke test', count: 1 }),
          },
          { name: '/work (invalid)', path: '/work?n=not-a-number', expectedStatuses: expect(400) },
          // nginx answers this one itself (404), so it carries no X-Served-By; the k6 script does not count it either.
          { name: '/metrics (blocked)', path: '/metrics', expectedStatuses: expect(404), countServedBy: false },
        ],
      },
    ],
    thresholds: ['http_req_failed:rate<0.01', 'http_req_duration:p(95)<500'],
  },
  post000: {
    name: 'post000',
    description: "post 000's experiment: 1000 VUs for 30 s, each GET /work?n=1000000 then sleep 1 s",
    mirrors: 'k6/scripts/02-post000-cluster.js',
    k6ScriptName: '02-post000-cluster',
    scenario: { model: 'closed', vus: 1000, durationSec: 30, sleepMs: 1000 },
    requests: [{ name: '/work', path: '/work?n=1000000' }],
    thresholds: ['http_req_failed:rate<0.01', 'http_req_duration:p(95)<5000'], // as k6/scripts/02-post000-cluster.js
  },
  average: {
    name: 'average',
    description: 'open model, 100 req/s for 1 min (at most 500 in flight): heavy-tailed /work mixed with /whoami and /io',
    mirrors: 'k6/scripts/03-average-load.js',
    k6ScriptName: '03-average-load',
    scenario: { model: 'open', ratePerSec: 100, durationSec: 60, maxInFlight: 500 },
    requests: [
      { name: '/work (heavy tail)', weight: 6, path: (ctx) => `/work?n=${heavyTailWorkN(ctx)}`, headers: clientIdHeader },
      { name: '/whoami', weight: 2, path: '/whoami', headers: clientIdHeader },
      { name: '/io', weight: 2, path: '/io?ms=50', headers: clientIdHeader },
    ],
    thresholds: ['http_req_failed:rate<0.01', 'http_req_duration:p(95)<500'],
  },
  spike: {
    name: 'spike',
    description: `open model, ${SPIKE_BASE_RATE} req/s for 30 s, a 10 s ramp to ${SPIKE_PEAK_RATE} req/s held 1 min, back to ${SPIKE_BASE_RATE} for 1 min: GET /work?n=100000. Absorb the burst, then recover`,
    mirrors: 'k6/scripts/04-spike.js',
    k6ScriptName: '04-spike',
    scenario: { model: 'open', ratePerSec: SPIKE_BASE_RATE, durationSec: 170, maxInFlight: 1000, stages: spikeStages(SPIKE_BASE_RATE, SPIKE_PEAK_RATE) },
    requests: [{ name: '/work', path: '/work?n=100000' }],
    thresholds: ['http_req_failed:rate<0.01', 'http_req_duration:p(95)<2000'],
  },
  soak: {
    name: 'soak',
    description: 'open model, 100 req/s for 30 min of POST /echo: slow leaks, memory recycling, creeping latency',
    mirrors: 'k6/scripts/05-soak.js',
    k6ScriptName: '05-soak',
    scenario: { model: 'open', ratePerSec: 100, durationSec: 1800, maxInFlight: 500 },
    requests: [
      { name: '/echo', method: 'POST', path: '/echo', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'soak', count: 1 }) },
    ],
    thresholds: ['http_req_failed:rate<0.01', 'http_req_duration:p(95)<500'],
  },
  skewed: {
    name: 'skewed',
    description:
      'open model, 500 req/s for 20 s: heavy-tailed /work plus 20 ms /io, with one small replica (api-slow-1: 1 worker, 0.1 CPU) that cannot serve a full share',
    mirrors: 'k6/scripts/06-skewed.js',
    k6ScriptName: '06-skewed',
    scenario: { model: 'open', ratePerSec: 500, durationSec: 20, maxInFlight: 256 },
    requests: [{ name: 'skewed', path: skewedPath, headers: clientIdHeader }],
    thresholds: ['http_req_failed:rate<0.01', 'http_req_duration:p(95)<1000'],
  },
  'many-clients': {
    name: 'many-clients',
    description: '60 clients (one X-Client-Id each) for 15 s, GET /whoami every 50 ms: hash spreads them, ip_hash cannot',
    mirrors: 'k6/scripts/07-many-clients.js',
    k6ScriptName: '07-many-clients',
    scenario: { model: 'closed', vus: 60, durationSec: 15, sleepMs: 50 },
    requests: [{ name: '/whoami', path: '/whoami', headers: clientIdHeader }],
    thresholds: ['http_req_failed:rate<0.01', 'http_req_duration:p(95)<500'],
  },
  'single-client': {
    name: 'single-client',
    description: 'one client (one X-Client-Id, one address) on 16 connections for 15 s: sticky strategies put it on one replica',
    mirrors: 'k6/scripts/08-single-client.js',
    k6ScriptName: '08-single-client',
    scenario: { model: 'closed', vus: 16, durationSec: 15, sleepMs: 50 },
    requests: [{ name: '/whoami', path: '/whoami', headers: { 'x-client-id': 'client-1' } }],
    thresholds: ['http_req_failed:rate<0.01', 'http_req_duration:p(95)<500'],
  },
  distribution: {
    name: 'distribution',
    description: '32 connections hammering GET / (no sleep) for 20 s, every core busy: how evenly do replicas and workers share it?',
    mirrors: 'k6/scripts/09-distribution.js',
    k6ScriptName: '09-distribution',
    scenario: { model: 'closed', vus: 32, durationSec: 20, sleepMs: 0 },
    requests: [{ name: '/', path: '/', headers: clientIdHeader }],
    thresholds: ['http_req_failed:rate<0.01', 'http_req_duration:p(95)<500'],
  },
  uniform: {
    name: 'uniform',
    description: `64 connections, GET /io?ms=${UNIFORM_IO_MS} (no sleep) for 20 s: every request costs the same wait and the cores stay mostly idle, so the spread is the strategy's own`,
    mirrors: 'k6/scripts/10-uniform.js',
    k6ScriptName: '10-uniform',
    scenario: { model: 'closed', vus: 64, durationSec: 20, sleepMs: 0 },
    requests: [{ name: '/io', path: `/io?ms=${UNIFORM_IO_MS}`, headers: clientIdHeader }],
    thresholds: ['http_req_failed:rate<0.01', 'http_req_duration:p(95)<500'],
  },
};

export interface ScenarioOverrides {
  readonly vus?: number;
  readonly durationSec?: number;
  readonly sleepMs?: number;
  readonly ratePerSec?: number;
  readonly maxInFlight?: number;
  /** Replaces the request mix with a single GET of this path (X-Client-Id kept). */
  readonly path?: string;
}

export function scenarioNames(): string[] {
  return Object.keys(SCENARIOS);
}

/** Finds a scenario by its name or by the k6 script it mirrors (`02-post000-cluster`, `k6/scripts/01-smoke.js`). */
export function findScenario(nameOrScript: string): ScenarioDefinition | undefined {
  const bare = nameOrScript.replace(/^.*\//, '').replace(/\.js$/, '');
  return SCENARIOS[bare] ?? Object.values(SCENARIOS).find((s) => s.k6ScriptName === bare);
}

/** A named scenario with CLI overrides applied; throws on an unknown name or a flag that does not fit the model. */
/** "20 -> 800 req/s in 10 s, 800 for 60 s, ...": a staged open model, stage by stage. */
export function describeStages(startRate: number, stages: readonly RateStage[]): string {
  let from = startRate;
  return stages
    .map((s) => {
      const text = s.targetRate === from ? `${s.targetRate} req/s for ${s.durationSec} s` : `${from} -> ${s.targetRate} req/s in ${s.durationSec} s`;
      from = s.targetRate;
      return text;
    })
    .join(', ');
}

/** "64 VUs for 6 s, no sleep" / "500 req/s for 10 s": a scenario's shape in the words the descriptions use. */
export function describeShape(scenario: Scenario): string {
  if (scenario.model === 'closed') return `${scenario.vus} VU${scenario.vus === 1 ? '' : 's'} for ${scenario.durationSec} s${scenario.sleepMs ? `, sleep ${scenario.sleepMs} ms` : ', no sleep'}`;
  if (scenario.stages !== undefined) return `${describeStages(scenario.ratePerSec, scenario.stages)} (${scenario.durationSec} s)`;
  return `${scenario.ratePerSec} req/s for ${scenario.durationSec} s`;
}

export function buildScenario(nameOrScript: string, overrides: ScenarioOverrides = {}): ScenarioDefinition {
  const base = findScenario(nameOrScript);
  if (base === undefined) {
    const known = Object.values(SCENARIOS).map((s) => (s.k6ScriptName === undefined ? s.name : `${s.name} (${s.k6ScriptName})`));
    throw new Error(`unknown scenario ${JSON.stringify(nameOrScript)}; known: ${known.join(', ')}`);
  }
  const name = base.name;
  let scenario: Scenario;
  if (base.scenario.model === 'closed') {
    if (overrides.ratePerSec !== undefined || overrides.maxInFlight !== undefined) {
      throw new Error(`scenario ${name} is a closed model (VUs): use --vus / --sleep, not --rate / --max-in-flight`);
    }
    scenario = {
      ...base.scenario,
      vus: overrides.vus ?? base.scenario.vus,
      durationSec: overrides.durationSec ?? base.scenario.durationSec,
      sleepMs: overrides.sleepMs ?? base.scenario.sleepMs ?? 0,
    };
  } else {
    if (overrides.vus !== undefined || overrides.sleepMs !== undefined) {
      throw new Error(`scenario ${name} is an open model (arrival rate): use --rate / --max-in-flight, not --vus / --sleep`);
    }
    const stages = base.scenario.stages;
    if (stages === undefined) {
      scenario = {
        ...base.scenario,
        ratePerSec: overrides.ratePerSec ?? base.scenario.ratePerSec,
        maxInFlight: overrides.maxInFlight ?? base.scenario.maxInFlight,
        durationSec: overrides.durationSec ?? base.scenario.durationSec,
      };
    } else {
      // Staged (spike): the stages fix the duration; --rate sets the peak, as RATE does for the k6 script.
      if (overrides.durationSec !== undefined) throw new Error(`scenario ${name} has fixed stages (${base.scenario.durationSec} s): use --rate for its peak, not --duration`);
      const peak = Math.max(...stages.map((s) => s.targetRate));
      scenario = {
        ...base.scenario,
        maxInFlight: overrides.maxInFlight ?? base.scenario.maxInFlight,
        stages: stages.map((s) => (s.targetRate === peak && overrides.ratePerSec !== undefined ? { ...s, targetRate: overrides.ratePerSec } : s)),
      };
    }
  }
  const requests = overrides.path === undefined ? base.requests : [{ name: 'custom', path: overrides.path, headers: clientIdHeader }];
  // The description names the default shape; say what this run actually does when it was overridden.
  const overridden = Object.values(overrides).some((v) => v !== undefined);
  const description = overridden ? `${base.description} [this run: ${describeShape(scenario)}${overrides.path === undefined ? '' : `, GET ${overrides.path}`}]` : base.description;
  return { ...base, description, scenario, requests };
}
