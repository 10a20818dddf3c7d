// runLoad(): drive a scenario against a loopback target and return k6-like results plus the per-worker spread.
//
// Closed model (k6 `constant-vus`): `vus` loops, each request -> optional sleep -> next, until the duration ends.
// Open model (k6 `constant-arrival-rate`): requests start on a fixed schedule; when `maxInFlight` are already
// running, the arrival is dropped and counted (k6 `dropped_iterations`), so a slow server cannot slow the schedule.
// With `stages` the rate ramps from stage to stage (k6 `ramping-arrival-rate`): src/arrivalSchedule.ts.
//
// An iteration is one entry of the weighted mix: a single request or a sequence sent one after another.
// Every run is bounded: after `durationSec` no new iteration starts, running iterations get `gracefulStopMs` to
// finish (k6 `gracefulStop`), then whatever is left is cut and every socket is closed.
// Each VU has its own cookie jar, like k6 (src/vuCookieJars.ts): Set-Cookie is stored and sent back by that VU only.
import { arrivalsDue, cumulativeArrivals, rateAt, totalArrivals, validateStages } from './arrivalSchedule.js';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { resolveLoopbackTarget, type LoopbackTarget } from './loopbackTarget.js';
import { LoopbackHttpTransport, type RequestOutcome } from './loopbackHttpTransport.js';
import { isDefaultExpectedStatus, RunRecorder } from './runRecorder.js';
import { VuCookieJars } from './vuCookieJars.js';
import { createWeightedPicker } from './weightedPicker.js';
import type {
  ClosedScenario, HttpMethod, IterationSpec, LoadResult, OpenScenario, PlannedRequest, ProgressSnapshot, RequestContext, RequestSpec, ResponseView,
  RunLoadOptions,
} from './types.js';

export const USER_AGENT = 'scaleout-loadrunner/1.0 (+loadrunner/README.md)';
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_GRACEFUL_STOP_MS = 30_000;
const DEFAULT_PROGRESS_INTERVAL_MS = 5_000;

interface PreparedRequest {
  readonly name: string | undefined;
  readonly method: string;
  readonly body: string | Buffer | undefined;
  readonly countServedBy: boolean;
  readonly isExpected: (status: number) => boolean;
  readonly headersFor: (ctx: RequestContext) => OutgoingHttpHeaders;
  readonly pathFor: (ctx: RequestContext) => string;
  readonly checks: ReadonlyArray<readonly [string, (r: ResponseView) => boolean]> | undefined;
}

interface PreparedIteration {
  readonly weight: number | undefined;
  /** The steps of one iteration: fixed for a request or a sequence, planned per context for a catalogue plan. */
  readonly stepsFor: (ctx: RequestContext) => readonly PreparedRequest[];
}

function assertPath(path: string, spec: RequestSpec): string {
  if (typeof path !== 'string' || path.charCodeAt(0) !== 47 /* '/' */) {
    throw new Error(`request ${spec.name ?? ''} produced path ${JSON.stringify(path)}: paths must start with '/'`);
  }
  return path;
}

function prepareRequest(spec: RequestSpec & Pick<PlannedRequest, 'checks'>, target: LoopbackTarget): PreparedRequest {
  const base: OutgoingHttpHeaders = { host: target.hostHeader, 'user-agent': USER_AGENT };
  const { headers, path, expectedStatuses } = spec;
  const headersFor =
    typeof headers === 'function'
      ? (ctx: RequestContext): OutgoingHttpHeaders => ({ ...base, ...headers(ctx) })
      : ((fixed: OutgoingHttpHeaders) => (): OutgoingHttpHeaders => fixed)({ ...base, ...headers });
  let pathFor: (ctx: RequestContext) => string;
  if (typeof path === 'function') {
    pathFor = (ctx) => assertPath(path(ctx), spec);
  } else {
    const fixed = assertPath(path, spec);
    pathFor = () => fixed;
  }
  const isExpected =
    expectedStatuses === undefined
      ? isDefaultExpectedStatus
      : ((set: ReadonlySet<number>) => (status: number): boolean => set.has(status))(new Set(expectedStatuses));
  const checks = spec.checks === undefined ? undefined : Object.entries(spec.checks);
  return { name: spec.name, method: spec.method ?? 'GET', body: spec.body, countServedBy: spec.countServedBy ?? true, isExpected, headersFor, pathFor, checks };
}

function prepareIteration(spec: IterationSpec, target: LoopbackTarget): PreparedIteration {
  if ('plan' in spec) {
    const plan = spec.plan;
    return { weight: spec.weight, stepsFor: (ctx) => plan(ctx).map((planned) => prepareRequest({ ...planned, method: planned.method as HttpMethod }, target)) };
  }
  const steps = 'sequence' in spec ? spec.sequence.map((step) => prepareRequest(step, target)) : [prepareRequest(spec, target)];
  if (steps.length === 0) throw new Error(`sequence ${spec.name ?? ''} is empty`);
  return { weight: spec.weight, stepsFor: () => steps };
}

/** The catalogue's response view over what the transport kept (status 0 and no headers for a socket error, like k6). */
function responseView(status: number, kept: { readonly headers: IncomingHttpHeaders; readonly body: Buffer | null } | undefined): ResponseView {
  return {
    status,
    header: (name) => firstHeader(kept?.headers[name.toLowerCase()]),
    json: () => {
      if (kept?.body == null) throw new Error('no response body to parse (discardResponseBodies, or no response)');
      return JSON.parse(kept.body.toString('utf8'));
    },
  };
}

function firstHeader(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value[0] : String(value);
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${what} must be an integer >= 1 (got ${value})`);
  return value;
}

function positiveNumber(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${what} must be a number > 0 (got ${value})`);
  return value;
}

/** The run's clock: ends after the duration or on abort, and lets sleeping VUs wake up early when it does. */
class RunClock {
  stopped = false;
  /** True when stopped by the signal (or a fatal error) rather than by reaching the duration. */
  stoppedEarly = false;
  private readonly sleepers = new Set<() => void>();
  private readonly durationTimer: NodeJS.Timeout;
  private resolveStopped!: () => void;
  readonly whenStopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));
  private readonly onAbort = (): void => this.stop();

  constructor(
    durationMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.durationTimer = setTimeout(() => this.stop(false), durationMs);
    if (signal?.aborted) this.stop();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Detaches from the caller's signal, which may outlive the run. */
  dispose(): void {
    this.stop(false);
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  stop(early = true): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stoppedEarly = early;
    clearTimeout(this.durationTimer);
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
    this.resolveStopped();
  }

  /** k6 `sleep()`: resolves after `ms`, or at once when the run stops. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

/** Resolves with `outcome`, or with 'timeout' after `ms`; the timer is cleared either way so it cannot hold the process. */
async function withTimeout<T>(outcome: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([outcome, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function runLoad(options: RunLoadOptions): Promise<LoadResult> {
  const target = resolveLoopbackTarget(options.baseUrl);
  const scenario = options.scenario;
  positiveNumber(scenario.durationSec, 'durationSec');
  const maxVus = scenario.model === 'closed' ? positiveInteger(scenario.vus, 'vus') : positiveInteger(scenario.maxInFlight, 'maxInFlight');
  if (scenario.model === 'open') {
    positiveNumber(scenario.ratePerSec, 'ratePerSec');
    validateStages(scenario);
  }
  if (scenario.model === 'closed' && (scenario.sleepMs ?? 0) < 0) throw new Error('sleepMs must be >= 0');
  const timeoutMs = positiveNumber(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const gracefulStopMs = options.gracefulStopMs ?? DEFAULT_GRACEFUL_STOP_MS;
  if (!(gracefulStopMs >= 0)) throw new Error('gracefulStopMs must be >= 0');
  const connections = positiveInteger(options.connections ?? maxVus, 'connections');
  const onRequestDone = options.onRequestDone;
  const keepForChecks = options.discardResponseBodies === false ? 'body' : 'headers';
  const pick = createWeightedPicker(options.requests.map((spec) => prepareIteration(spec, target)));

  const cookieJars = new VuCookieJars(target.baseUrl);
  const transport = new LoopbackHttpTransport(target, { keepAlive: options.keepAlive ?? true, maxSockets: connections, timeoutMs });
  const startedAtIso = new Date().toISOString();
  const startedAt = performance.now();
  const recorder = new RunRecorder(startedAt);
  const clock = new RunClock(scenario.durationSec * 1000, options.signal);
  let fatalError: unknown = null;
  /** Set when the graceful stop is over: steps of a sequence not yet sent are not sent any more. */
  let cut = false;
  let activeVus = 0;
  const vusSeen = { value: 0, min: Infinity, max: 0 };

  /** Sends one request and records its outcome; resolves with the outcome for the iteration logic. */
  const sendRequest = (request: PreparedRequest, ctx: RequestContext): Promise<RequestOutcome> =>
    new Promise((resolve) => {
      if (cut) return resolve({ kind: 'interrupted' });
      let path: string, headers: OutgoingHttpHeaders;
      try {
        path = request.pathFor(ctx);
        headers = request.headersFor(ctx);
        const cookie = cookieJars.cookieHeader(ctx.vu, path);
        if (cookie !== undefined) headers = { ...headers, cookie };
      } catch (err) {
        // A broken path/header function is a bug in the scenario: stop the run and report it, loudly.
        fatalError ??= err;
        clock.stop();
        return resolve({ kind: 'interrupted' });
      }
      const sentAtMs = onRequestDone === undefined ? 0 : performance.timeOrigin + performance.now();
      transport.send(request.method, path, headers, request.body, (outcome) => {
        const now = performance.now();
        if (outcome.kind === 'response') cookieJars.store(ctx.vu, path, outcome.setCookie);
        if (request.checks !== undefined && outcome.kind !== 'interrupted') {
          const view = responseView(outcome.kind === 'response' ? outcome.status : 0, outcome.kind === 'response' ? outcome.kept : undefined);
          for (const [label, condition] of request.checks) {
            let ok: boolean;
            try {
              ok = condition(view) === true;
            } catch {
              ok = false; // k6 would end the iteration with the exception; here it is a failed check
            }
            recorder.recordCheck(label, ok);
          }
        }
        if (outcome.kind === 'response') {
          const expected = request.isExpected(outcome.status);
          recorder.recordResponse(outcome.status, expected, outcome.servedBy, request.countServedBy, outcome.durationMs, now);
          onRequestDone?.({
            name: request.name ?? `${request.method} ${path}`, method: request.method, path, sentAtMs, durationMs: outcome.durationMs,
            status: outcome.status, errorCode: null, expected, servedBy: firstHeader(outcome.servedBy),
            sentRequestId: firstHeader(headers['x-request-id']), answeredRequestId: firstHeader(outcome.requestId),
          });
        } else if (outcome.kind === 'error') {
          recorder.recordSocketError(outcome.code, request.countServedBy, now);
          onRequestDone?.({
            name: request.name ?? `${request.method} ${path}`, method: request.method, path, sentAtMs, durationMs: outcome.durationMs,
            status: null, errorCode: outcome.code, expected: false, servedBy: undefined,
            sentRequestId: firstHeader(headers['x-request-id']), answeredRequestId: undefined,
          });
        }
        resolve(outcome);
      }, request.checks === undefined ? 'none' : keepForChecks);
    });

  /**
   * One iteration: pick an entry of the mix and send its steps in order. Like k6, an iteration that has started
   * runs to its end after the duration is over (within the graceful stop). Returns false if it was cut.
   */
  const runIteration = async (ctx: RequestContext): Promise<boolean> => {
    let steps: readonly PreparedRequest[];
    try {
      steps = pick().stepsFor(ctx);
    } catch (err) {
      // A broken plan is a bug in the scenario: stop the run and report it, loudly.
      fatalError ??= err;
      clock.stop();
      return false;
    }
    for (const step of steps) {
      if ((await sendRequest(step, ctx)).kind === 'interrupted') return false;
    }
    return true;
  };

  // Progress: sample the vus gauge every second, report every progressIntervalMs.
  const progressEveryMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  let lastProgressAt = startedAt;
  let lastProgressRequests = 0;
  let lastProgressSample = 0;
  // Sampled while the load runs, not during the graceful stop (where VUs only wind down).
  const sampleVus = (): void => {
    if (clock.stopped) return;
    vusSeen.value = activeVus;
    vusSeen.min = Math.min(vusSeen.min, activeVus);
    vusSeen.max = Math.max(vusSeen.max, activeVus);
  };
  const monitor = setInterval(() => {
    sampleVus();
    const now = performance.now();
    if (options.onProgress === undefined || now - lastProgressAt < progressEveryMs - 50) return;
    const snapshot: ProgressSnapshot = {
      elapsedSec: (now - startedAt) / 1000,
      durationSec: scenario.durationSec,
      requests: recorder.requests,
      failed: recorder.failed,
      iterations: recorder.iterations,
      interruptedIterations: recorder.interruptedIterations,
      droppedIterations: recorder.droppedIterations,
      activeVus,
      maxVus,
      inFlight: transport.inFlightCount,
      intervalRps: ((recorder.requests - lastProgressRequests) * 1000) / (now - lastProgressAt),
      intervalP99Ms: recorder.p99Since(lastProgressSample),
    };
    lastProgressAt = now;
    lastProgressRequests = recorder.requests;
    lastProgressSample = recorder.latencySampleCount;
    options.onProgress(snapshot);
  }, Math.min(1000, progressEveryMs));
  monitor.unref();

  const allWorkDone =
    scenario.model === 'closed'
      ? runClosedModel(scenario, clock, runIteration, recorder, (delta) => (activeVus += delta))
      : runOpenModel(scenario, startedAt, clock, runIteration, recorder, maxVus, (delta) => (activeVus += delta));
  sampleVus();

  try {
    await clock.whenStopped;
    if ((await withTimeout(allWorkDone, gracefulStopMs)) === 'timeout') {
      cut = true;
      transport.abortAll();
      // Aborted requests settle on the next ticks; the extra bound only guards against a bug hanging the run.
      await withTimeout(allWorkDone, 1000);
    }
  } finally {
    clearInterval(monitor);
    clock.dispose();
    transport.close();
  }
  if (fatalError !== null) throw fatalError;

  const finishedAt = performance.now();
  const totals = recorder.finish(finishedAt, options.expectedTopology);
  const wire = transport.wireTotals();
  const elapsedSec = (finishedAt - startedAt) / 1000;
  return {
    tag: options.tag,
    baseUrl: target.baseUrl,
    scenario,
    startedAt: startedAtIso,
    elapsedSec,
    requests: totals.requests,
    ok: totals.ok,
    failed: totals.failed,
    httpErrors: totals.httpErrors,
    socketErrors: totals.socketErrors,
    statusCounts: totals.statusCounts,
    errorCodes: totals.errorCodes,
    failedRate: totals.requests === 0 ? 0 : totals.failed / totals.requests,
    throughputRps: totals.requests / elapsedSec,
    latency: totals.latency,
    latencyExpected: totals.latencyExpected,
    iterationDuration: totals.iterationDuration,
    latencySamplesDropped: totals.droppedSamples,
    dataSentBytes: wire.bytesSent,
    dataReceivedBytes: wire.bytesReceived,
    connectionsOpened: wire.connectionsOpened,
    iterations: totals.iterations,
    interruptedIterations: totals.interruptedIterations,
    droppedIterations: totals.droppedIterations,
    vus: { value: vusSeen.value, min: vusSeen.min === Infinity ? 0 : vusSeen.min, max: vusSeen.max },
    vusMax: maxVus,
    distribution: totals.distribution,
    timeSeries: totals.timeSeries,
    checks: totals.checks,
  };
}

async function runClosedModel(
  scenario: ClosedScenario,
  clock: RunClock,
  runIteration: (ctx: RequestContext) => Promise<boolean>,
  recorder: RunRecorder,
  changeActive: (delta: number) => void,
): Promise<void> {
  const sleepMs = scenario.sleepMs ?? 0;
  const runVu = async (vu: number): Promise<void> => {
    changeActive(1);
    try {
      for (let iteration = 0; !clock.stopped; iteration++) {
        const iterationStartedAt = performance.now();
        if (!(await runIteration({ vu, iteration }))) {
          recorder.interruptedIterations++;
          return;
        }
        if (sleepMs > 0 && !clock.stopped) await clock.sleep(sleepMs);
        recorder.recordIteration(performance.now() - iterationStartedAt);
      }
    } finally {
      changeActive(-1);
    }
  };
  const vus: Promise<void>[] = [];
  for (let vu = 1; vu <= scenario.vus; vu++) vus.push(runVu(vu));
  await Promise.all(vus);
}

async function runOpenModel(
  scenario: OpenScenario,
  startedAt: number,
  clock: RunClock,
  runIteration: (ctx: RequestContext) => Promise<boolean>,
  recorder: RunRecorder,
  maxInFlight: number,
  changeActive: (delta: number) => void,
): Promise<void> {
  const total = totalArrivals(scenario);
  // Free VU slots, so X-Client-Id style headers stay within 1..maxInFlight like k6's pre-allocated VUs.
  const freeSlots: number[] = [];
  for (let slot = maxInFlight; slot >= 1; slot--) freeSlots.push(slot);
  let launched = 0;
  let pending = 0;
  let resolveIdle: (() => void) | null = null;

  const launch = (iteration: number): void => {
    const vu = freeSlots.pop();
    if (vu === undefined) {
      recorder.droppedIterations++;
      return;
    }
    pending++;
    changeActive(1);
    const iterationStartedAt = performance.now();
    void runIteration({ vu, iteration }).then((completed) => {
      if (!completed) recorder.interruptedIterations++;
      else recorder.recordIteration(performance.now() - iterationStartedAt);
      freeSlots.push(vu);
      pending--;
      changeActive(-1);
      if (pending === 0 && resolveIdle !== null) resolveIdle();
    });
  };

  await new Promise<void>((resolve) => {
    const tick = (): void => {
      if (clock.stoppedEarly) return resolve();
      const elapsedSec = (performance.now() - startedAt) / 1000;
      // Arrivals due before the end still go out when this tick runs a little after it (timers fire late).
      const due = arrivalsDue(scenario, elapsedSec);
      while (launched < due) launch(launched++);
      if (launched >= total || clock.stopped) return resolve();
      // Sleep until the next arrival is due at the current rate, but at least 5 ms (at high rates arrivals go out in
      // small batches, which costs far less CPU than one timer per request) and at most 100 ms (a ramp may speed up).
      const rate = rateAt(scenario, elapsedSec);
      const untilNextMs = rate > 0 ? ((launched - cumulativeArrivals(scenario, elapsedSec)) / rate) * 1000 : 100;
      setTimeout(tick, Math.min(100, Math.max(5, untilNextMs)));
    };
    tick();
  });
  if (pending > 0) await new Promise<void>((resolve) => (resolveIdle = resolve));
}
