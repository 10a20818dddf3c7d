// The one load harness for operations and faults: run a steady mixed load through nginx for the whole
// length of an operation (a reload, a deploy, a killed container...), then say what the clients saw.
//
//   const { report } = await underSteadyLoad('pm2 reload', async () => { ...the operation... });
//   console.log(formatOperationReport(report));
//   assertNothingLost(report);
//
// The load is an open model (a fixed arrival rate, like k6's constant-arrival-rate), so a stalled stack shows
// up as latency and failures instead of quietly lowering the load. It mixes GETs to /work (CPU) and /io (a
// slow, non-blocking request that is in flight when the operation hits) with POSTs to /echo, all over
// keep-alive connections. POST matters: nginx never retries it on another replica once it reached one, so a
// dropped connection shows up as a client error instead of being hidden by a retry.
//
// Every request carries a unique X-Request-Id, and nginx answers with the same id (conf.d/00-maps.conf), so
// "every request answered exactly once" is checked per request: one answer, carrying its own id.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentileOfSorted, runLoad } from '../../tools/loadrunner/src/index.js';
import type { IterationSpec, LoadResult, RequestContext, RequestRecord } from '../../tools/loadrunner/src/index.js';
import { baseUrl as stackBaseUrl } from './stack.js';

export interface SteadyLoadOptions {
  readonly baseUrl?: string;
  /** Arrivals per second (default 40: well inside what 3 replicas on 2 shared cores serve, so p99 means something). */
  readonly ratePerSec?: number;
  /** At most this many requests in flight; more arrivals are dropped and counted (default 64). */
  readonly maxInFlight?: number;
  /** Load alone before the operation starts: the baseline for p99 (default 5 s). */
  readonly baselineSec?: number;
  /** Load that goes on after the operation returned, to catch late failures (default 3 s). */
  readonly settleSec?: number;
  /** Hard bound on the whole run, operation included; the load stops by itself after it (default 240 s). */
  readonly maxRunSec?: number;
  /** Replaces the default mix. Request ids are added to whatever headers the specs set. */
  readonly mix?: readonly IterationSpec[];
  /** Per-request timeout (default 30 s: longer than any request of the default mix can legitimately take). */
  readonly timeoutMs?: number;
}

export interface OperationReport {
  readonly operation: string;
  /** Requests sent, and how they ended. */
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly non2xx: number;
  readonly socketErrors: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly errorCodes: Readonly<Record<string, number>>;
  /** Failed requests by method (a GET is retried by nginx on another replica, a POST is not). */
  readonly failedByMethod: Readonly<Record<string, number>>;
  /** Arrivals the load generator could not send because maxInFlight were already in flight. */
  readonly dropped: number;
  /** Iterations that never finished (still in flight when the run was cut). */
  readonly unanswered: number;
  /** Responses whose X-Request-Id was not the one their request carried, and ids answered twice. */
  readonly mismatchedIds: number;
  readonly duplicateIds: number;
  readonly p99BeforeMs: number | null;
  readonly p99DuringMs: number | null;
  /** p99 during ÷ p99 before (null when either side had no request). */
  readonly p99Ratio: number | null;
  readonly operationSec: number;
  /** When the operation started and returned (epoch ms), to split `records` into phases. */
  readonly operationStartMs: number;
  readonly operationEndMs: number;
  /** Distinct X-Served-By values (`replica/worker/pid`) seen before the operation and after it returned. */
  readonly servedByBefore: readonly string[];
  readonly servedByAfter: readonly string[];
  /** The first failed requests, for the assertion message. */
  readonly sampleFailures: readonly RequestRecord[];
  /** Every finished request, in completion order (fault tests split them by phase, worker or route). */
  readonly records: readonly RequestRecord[];
  readonly load: LoadResult;
}

const ECHO_BODY = JSON.stringify({ message: 'steady load', count: 1 });

/** GET /work (CPU, ~2 ms), GET /io (50 ms, in flight when the operation hits), POST /echo (never retried by nginx). */
export const DEFAULT_MIX: readonly IterationSpec[] = [
  { name: 'GET /work', path: '/work?n=20000', weight: 2 },
  { name: 'GET /io', path: '/io?ms=50', weight: 2 },
  { name: 'POST /echo', method: 'POST', path: '/echo', headers: { 'content-type': 'application/json' }, body: ECHO_BODY, weight: 1 },
];

let runCounter = 0;

function withRequestId(spec: IterationSpec, runTag: string): IterationSpec {
  if ('sequence' in spec || 'plan' in spec) throw new Error('the harness sends one request per iteration; sequences and plans are not supported');
  const headers = spec.headers;
  return {
    ...spec,
    // In the open model ctx.iteration is the global arrival number: unique within the run.
    headers: (ctx: RequestContext) => ({
      ...(typeof headers === 'function' ? headers(ctx) : headers),
      'x-request-id': `${runTag}-${ctx.iteration}`,
    }),
  };
}

/** p99 of the answered requests' durations (socket errors excluded), or null when none was answered. */
export function p99(records: readonly RequestRecord[]): number | null {
  const durations = records.filter((r) => r.status !== null).map((r) => r.durationMs).sort((a, b) => a - b);
  return durations.length === 0 ? null : percentileOfSorted(durations, 99);
}

/**
 * Runs `operation` while a steady load goes through nginx: `baselineSec` of load first, then the operation, then
 * `settleSec` more. Resolves when the load has stopped, with what the operation returned and what the clients saw.
 * Asserts nothing itself (negative controls use it too): see assertNothingLost().
 */
export async function underSteadyLoad<T>(
  operation: string,
  run: () => Promise<T>,
  options: SteadyLoadOptions = {},
): Promise<{ value: T; report: OperationReport }> {
  const baselineMs = (options.baselineSec ?? 5) * 1000;
  const settleMs = (options.settleSec ?? 3) * 1000;
  const runTag = `op${process.pid}x${++runCounter}`;
  const records: RequestRecord[] = [];
  const stop = new AbortController();

  const loadDone = runLoad({
    baseUrl: options.baseUrl ?? stackBaseUrl,
    scenario: { model: 'open', ratePerSec: options.ratePerSec ?? 40, maxInFlight: options.maxInFlight ?? 64, durationSec: options.maxRunSec ?? 240 },
    requests: (options.mix ?? DEFAULT_MIX).map((spec) => withRequestId(spec, runTag)),
    timeoutMs: options.timeoutMs ?? 30_000,
    gracefulStopMs: 35_000,
    signal: stop.signal,
    tag: operation,
    onRequestDone: (record) => void records.push(record),
  });
  // If the load fails to start (a non-loopback target, say), fail now rather than after the operation.
  let loadError: unknown = null;
  loadDone.catch((err: unknown) => (loadError = err));

  await sleep(baselineMs);
  if (loadError !== null) throw loadError;
  const opStart = performance.timeOrigin + performance.now();
  let value: T;
  try {
    value = await run();
  } catch (err) {
    stop.abort();
    await loadDone.catch(() => undefined);
    throw err;
  }
  const opEnd = performance.timeOrigin + performance.now();
  await sleep(settleMs);
  stop.abort();
  const load = await loadDone;

  const before = records.filter((r) => r.sentAtMs < opStart);
  const during = records.filter((r) => r.sentAtMs >= opStart && r.sentAtMs <= opEnd + settleMs);
  const after = records.filter((r) => r.sentAtMs > opEnd);
  const failedRecords = records.filter((r) => r.status === null || r.status < 200 || r.status > 299);
  const failedByMethod: Record<string, number> = {};
  for (const r of failedRecords) failedByMethod[r.method] = (failedByMethod[r.method] ?? 0) + 1;
  const seenIds = new Map<string, number>();
  let mismatchedIds = 0;
  for (const r of records) {
    if (r.status === null) continue;
    if (r.answeredRequestId !== r.sentRequestId) mismatchedIds++;
    if (r.sentRequestId !== undefined) seenIds.set(r.sentRequestId, (seenIds.get(r.sentRequestId) ?? 0) + 1);
  }
  const duplicateIds = [...seenIds.values()].filter((n) => n > 1).length;
  const p99Before = p99(before);
  const p99During = p99(during);
  const servedBy = (rs: readonly RequestRecord[]): string[] => [...new Set(rs.map((r) => r.servedBy).filter((s): s is string => s !== undefined))].sort();

  return {
    value: value!,
    report: {
      operation,
      sent: records.length + load.interruptedIterations,
      ok: records.length - failedRecords.length,
      failed: failedRecords.length + load.interruptedIterations,
      non2xx: failedRecords.filter((r) => r.status !== null).length,
      socketErrors: failedRecords.filter((r) => r.status === null).length,
      statusCounts: load.statusCounts,
      errorCodes: load.errorCodes,
      failedByMethod,
      dropped: load.droppedIterations,
      unanswered: load.interruptedIterations,
      mismatchedIds,
      duplicateIds,
      p99BeforeMs: p99Before,
      p99DuringMs: p99During,
      p99Ratio: p99Before !== null && p99During !== null && p99Before > 0 ? p99During / p99Before : null,
      operationSec: (opEnd - opStart) / 1000,
      operationStartMs: opStart,
      operationEndMs: opEnd,
      servedByBefore: servedBy(before),
      servedByAfter: servedBy(after),
      sampleFailures: failedRecords.slice(0, 10),
      records,
      load,
    },
  };
}

const ms = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(1)} ms`);

/** One line for the test log and the README tables: requests sent and failed, p99 before vs during, duration. */
export function formatOperationReport(r: OperationReport): string {
  const failures = r.failed === 0 ? '' : ` (statuses ${JSON.stringify(r.statusCounts)}, errors ${JSON.stringify(r.errorCodes)}, by method ${JSON.stringify(r.failedByMethod)})`;
  return `# ${r.operation}: ${r.sent} requests sent, ${r.failed} failed${failures}, ${r.dropped} dropped by the generator; ` +
    `p99 before ${ms(r.p99BeforeMs)}, during ${ms(r.p99DuringMs)} (×${r.p99Ratio?.toFixed(2) ?? 'n/a'}); operation took ${r.operationSec.toFixed(1)} s`;
}

/** 0 non-2xx, 0 socket errors, every request answered exactly once with its own id, nothing dropped or cut. */
export function assertNothingLost(r: OperationReport): void {
  const sample = r.sampleFailures.map((f) => `${f.method} ${f.path} -> ${f.status ?? f.errorCode} (id ${f.sentRequestId}, after ${f.durationMs.toFixed(0)} ms)`).join('; ');
  assert.equal(r.failed, 0, `${r.operation}: ${r.failed} of ${r.sent} requests failed: ${sample}`);
  assert.equal(r.unanswered, 0, `${r.operation}: ${r.unanswered} requests never got an answer`);
  assert.equal(r.mismatchedIds, 0, `${r.operation}: ${r.mismatchedIds} answers carried another request's id`);
  assert.equal(r.duplicateIds, 0, `${r.operation}: ${r.duplicateIds} request ids were answered more than once`);
  assert.equal(r.dropped, 0, `${r.operation}: the load generator dropped ${r.dropped} arrivals (too many in flight): the load was not steady`);
  assert.ok(r.sent > 0, `${r.operation}: no request was sent`);
}

/**
 * The p99 bound the fault and operation tests enforce: no stall. Ratios of p99 before and during an operation are
 * figures (printed, and in the README with the machine and date), not assertions: on 2 cores shared by the load
 * generator, nginx and the workers, one scheduling blip is the p99 of a few hundred requests, and runs of the same
 * test gave x0.5 to x2.8 with 0 failures. What a test can rely on is that a starved stack (workers tied up,
 * connections exhausted) shows seconds and timeouts, far above this bound, while this machine never came near it.
 */
export const STALL_P99_MS = 1000;

export function assertNoStall(p99DuringMs: number | null, what: string): void {
  assert.ok(p99DuringMs !== null, `${what}: no request completed during the operation`);
  assert.ok(p99DuringMs <= STALL_P99_MS, `${what}: p99 ${p99DuringMs.toFixed(1)} ms during the operation, over the ${STALL_P99_MS} ms stall bound`);
}
