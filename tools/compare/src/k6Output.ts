// What a k6 run leaves behind, read back for a comparison row: the scripts' handleSummary() report
// (k6/lib/distribution.js distributionSummary(): <REPORT_DIR>/<script>-<RUN_ID>.json), k6's own request-level
// samples (`--out json=<file>.gz`, for the per-second busiest worker, which a summary cannot hold) and k6's exit
// code. A file that is missing, cut short or of another shape stops the comparison with the file's name and what
// was expected: a row of zeros would read as a result.
// Tested against what a real k6 wrote (tests/fixtures/k6/, test/k6Output.test.ts).
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { Ajv, type ErrorObject } from 'ajv';
import { SecondByWorker } from './comparisonRow.js';
import { describeK6Exit, k6ExitIsAResult } from '../../lib/k6Exit.js';

export interface K6Fairness {
  readonly jainFairness: number | null;
  /** Infinity when a listed worker served nothing (JSON writes it as null; readK6Report restores it). */
  readonly maxMinRatio: number | null;
}

/** The parts of a k6 report that a comparison reads; parseK6Report checks each is there. */
export interface K6Report {
  readonly script: string;
  readonly runId: string;
  /** When handleSummary() ran (ISO 8601). */
  readonly finishedAt: string;
  /** Every threshold of the run but the grid's can't-fail ones (k6/lib/summary.js thresholdResults()). */
  readonly thresholds: ReadonlyArray<{ readonly metric: string; readonly threshold: string; readonly ok: boolean }>;
  /** k6/lib/fairness.js buildDistribution(): the runner's Distribution has the same shape. */
  readonly distribution: {
    readonly attributed: number;
    readonly unlisted: number;
    readonly perWorker: ReadonlyArray<{ readonly key: string; readonly requests: number; readonly share: number }>;
    readonly perReplica: ReadonlyArray<{ readonly replica: string; readonly requests: number; readonly share: number }>;
    readonly workerFairness: K6Fairness;
    readonly replicaFairness: K6Fairness;
  };
  /** k6's handleSummary() data: metrics[name].values, with the script's summaryTrendStats (med, p(95), p(99)...). */
  readonly k6: {
    readonly state: { readonly testRunDurationMs: number };
    readonly metrics: Readonly<Record<string, { readonly values: Readonly<Record<string, number>> } | undefined>>;
  };
}

const EXPECTED_REPORT = "the JSON that k6/lib/distribution.js distributionSummary() writes from handleSummary() (script, runId, thresholds, distribution, k6's summary data)";

// What the row reads, and nothing more: k6 adds metrics and fields from release to release.
const num = { type: 'number' } as const;
const count = { type: 'integer', minimum: 0 } as const;
const numOrNull = { type: ['number', 'null'] } as const;
const fairness = { type: 'object', required: ['jainFairness', 'maxMinRatio'], properties: { jainFairness: numOrNull, maxMinRatio: numOrNull } } as const;
const trend = (stats: readonly string[]) => ({
  type: 'object',
  required: ['values'],
  properties: { values: { type: 'object', required: stats, properties: Object.fromEntries(stats.map((s) => [s, num])) } },
});
const REPORT_SCHEMA = {
  type: 'object',
  required: ['script', 'runId', 'finishedAt', 'thresholds', 'distribution', 'k6'],
  properties: {
    script: { type: 'string' },
    runId: { type: 'string' },
    finishedAt: { type: 'string' },
    thresholds: {
      type: 'array',
      items: { type: 'object', required: ['metric', 'threshold', 'ok'], properties: { metric: { type: 'string' }, threshold: { type: 'string' }, ok: { type: 'boolean' } } },
    },
    distribution: {
      type: 'object',
      required: ['attributed', 'unlisted', 'perWorker', 'perReplica', 'workerFairness', 'replicaFairness'],
      properties: {
        attributed: count,
        unlisted: count,
        perWorker: { type: 'array', items: { type: 'object', required: ['key', 'requests', 'share'], properties: { key: { type: 'string' }, requests: count, share: num } } },
        perReplica: { type: 'array', items: { type: 'object', required: ['replica', 'requests', 'share'], properties: { replica: { type: 'string' }, requests: count, share: num } } },
        workerFairness: fairness,
        replicaFairness: fairness,
      },
    },
    k6: {
      type: 'object',
      required: ['state', 'metrics'],
      properties: {
        state: { type: 'object', required: ['testRunDurationMs'], properties: { testRunDurationMs: num } },
        metrics: {
          type: 'object',
          required: ['http_reqs', 'http_req_failed', 'http_req_duration'],
          properties: { http_reqs: trend(['count', 'rate']), http_req_failed: trend(['rate']), http_req_duration: trend(['med', 'p(95)', 'p(99)']) },
        },
      },
    },
  },
};

const validateReport = new Ajv({ allErrors: true, allowUnionTypes: true }).compile<K6Report>(REPORT_SCHEMA);

const describeErrors = (errors: readonly ErrorObject[]): string =>
  errors.slice(0, 5).map((e) => `${e.instancePath || '(the top level)'} ${e.message ?? 'is wrong'}`).join('; ') + (errors.length > 5 ? `; and ${errors.length - 5} more` : '');

/** JSON keeps no Infinity: a max/min of null over counts that are not all zero was Infinity (a worker served nothing). */
function restoreInfinity(f: K6Fairness, counts: readonly number[]): K6Fairness {
  return f.maxMinRatio === null && counts.some((c) => c > 0) ? { ...f, maxMinRatio: Infinity } : f;
}

/** A k6 report's text, checked; `file` names it in every error. */
export function parseK6Report(text: string, file: string): K6Report {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`k6 report ${file} is not complete JSON (${(err as Error).message}; ${text.length} bytes: cut short?); expected ${EXPECTED_REPORT}`);
  }
  if (!validateReport(data)) throw new Error(`k6 report ${file} is of an unknown shape: ${describeErrors(validateReport.errors ?? [])}; expected ${EXPECTED_REPORT}`);
  const d = data.distribution;
  return {
    ...data,
    distribution: {
      ...d,
      workerFairness: restoreInfinity(d.workerFairness, d.perWorker.map((w) => w.requests)),
      replicaFairness: restoreInfinity(d.replicaFairness, d.perReplica.map((r) => r.requests)),
    },
  };
}

export async function readK6Report(file: string): Promise<K6Report> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing: k6 wrote no summary there' : `could not be read (${(err as Error).message})`;
    throw new Error(`k6 report ${file} ${why}; expected ${EXPECTED_REPORT}`);
  }
  return parseK6Report(text, file);
}

/** `served_by{served_by_replica:api-1,served_by_worker:0} count>0`, for each threshold the run failed. */
export function failedThresholds(report: K6Report): string[] {
  return report.thresholds.filter((t) => !t.ok).map((t) => `${t.metric} ${t.threshold}`);
}

/**
 * k6's exit code against its report: 0 means every threshold passed, 99 that one failed. A report that says
 * otherwise is not this run's (an older file, another run id).
 */
export function checkK6ExitAgainstReport(code: number, report: K6Report, file: string): void {
  const failed = failedThresholds(report);
  if (code === 99 && failed.length === 0) throw new Error(`k6 exited ${describeK6Exit(code)}, but its report ${file} lists no failed threshold: the report is not this run's`);
  if (code === 0 && failed.length > 0) throw new Error(`k6 exited ${describeK6Exit(code)}, but its report ${file} lists failed thresholds (${failed.join(', ')}): the report is not this run's`);
}

// ---- --out json samples -----------------------------------------------------------------------------

const EXPECTED_SAMPLES = "k6's `--out json` output: one JSON object a line, {type: 'Metric' | 'Point', metric, data}, with the `served_by` Points the scripts add (k6/lib/distribution.js recordServedBy())";

/**
 * The lines of a file, a chunk's worth at a time (one await per line costs more than the parsing), gunzipped when
 * its name ends in .gz (k6 gzips `--out json=<name>.gz` itself).
 */
async function* lineBatchesOf(file: string): AsyncGenerator<string[]> {
  const source = createReadStream(file);
  const input: Readable = file.endsWith('.gz') ? source.pipe(createGunzip()) : source;
  if (input !== source) source.on('error', (err) => input.destroy(err));
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of input) {
      rest += decoder.write(chunk as Buffer);
      const lines = rest.split('\n');
      rest = lines.pop()!;
      yield lines;
    }
  } finally {
    // A reader that stops early (a bad line) must not leave the file open.
    source.destroy();
  }
  rest += decoder.end();
  if (rest !== '') yield [rest];
}

interface SamplePoint {
  readonly type: string;
  readonly metric: string;
  readonly data: { readonly time: string; readonly value: number; readonly tags?: Readonly<Record<string, string>> };
}

export interface ServedBySamples {
  /** How many responses the samples attribute to a replica/worker (the report's attributed + unlisted). */
  readonly servedBy: number;
  /** Responses per worker, keyed `api-1/0`, as the samples count them. */
  readonly perWorker: ReadonlyMap<string, number>;
  /** The `testid` tags they carry: the run's RUN_ID. */
  readonly testIds: readonly string[];
  /** ComparisonRow.busiestWorkerSecondShare, over whole seconds from the first attributed response. */
  readonly busiestWorkerSecondShare: number | null;
}

/** Tallies the `served_by` Points of `--out json` lines: per worker, per second and worker, and their testids. */
class ServedByTally {
  private bySecond: SecondByWorker | undefined;
  servedBy = 0;
  readonly perWorker = new Map<string, number>();
  readonly testIds = new Set<string>();

  add(line: string, lineNo: number): void {
    // Parse every line that could be a served_by Point, and the first, which says whether this is k6's format.
    if (lineNo > 1 && !line.includes('"served_by"')) return;
    let o: SamplePoint;
    try {
      o = JSON.parse(line) as SamplePoint;
    } catch (err) {
      throw new Error(`line ${lineNo} is not JSON (${(err as Error).message}: cut short?)`);
    }
    if ((o.type !== 'Metric' && o.type !== 'Point') || typeof o.metric !== 'string') throw new Error(`line ${lineNo} is not a k6 Metric or Point: ${line.slice(0, 120)}`);
    if (o.type !== 'Point' || o.metric !== 'served_by') return;
    const t = Date.parse(o.data?.time);
    const tags = o.data.tags ?? {};
    const replica = tags.served_by_replica;
    const worker = tags.served_by_worker;
    if (!Number.isFinite(t) || replica === undefined || worker === undefined) throw new Error(`line ${lineNo}: a served_by Point without a time, served_by_replica or served_by_worker: ${line.slice(0, 200)}`);
    const key = `${replica}/${worker}`;
    this.bySecond ??= new SecondByWorker(t);
    this.bySecond.add(t, key);
    this.servedBy += o.data.value;
    this.perWorker.set(key, (this.perWorker.get(key) ?? 0) + o.data.value);
    if (tags.testid !== undefined) this.testIds.add(tags.testid);
  }

  busiestShareMedian(): number | null {
    return this.bySecond?.busiestShareMedian() ?? null;
  }
}

/**
 * The `served_by` Points of a `--out json` file, tallied per whole second and worker. k6 stamps each with the time
 * the script counted it, just after the response arrived (the runner counts by the time a request was sent): the
 * same median over seconds, on the responses' clock.
 */
export async function readServedBySamples(file: string): Promise<ServedBySamples> {
  const tally = new ServedByTally();
  let lineNo = 0;
  try {
    for await (const batch of lineBatchesOf(file)) {
      for (const line of batch) tally.add(line, ++lineNo);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'is missing: k6 wrote no samples there' : e.code?.startsWith('Z_') ? `is not a complete gzip file (${e.message}: cut short?)` : e.message;
    throw new Error(`k6 samples ${file} ${why}; expected ${EXPECTED_SAMPLES}`);
  }
  if (lineNo === 0) throw new Error(`k6 samples ${file} is empty; expected ${EXPECTED_SAMPLES}`);
  return { servedBy: tally.servedBy, perWorker: tally.perWorker, testIds: [...tally.testIds], busiestWorkerSecondShare: tally.busiestShareMedian() };
}

// ---- one run --------------------------------------------------------------------------------------

export interface K6RunFiles {
  /** <REPORT_DIR>/<script>-<RUN_ID>.json, on the host. */
  readonly report: string;
  /** The `--out json=` file (k6SamplesOutput()), on the host. */
  readonly samples: string;
}

export interface K6Run {
  readonly report: K6Report;
  readonly busiestWorkerSecondShare: number | null;
  /** `99 ThresholdsHaveFailed (...)`. */
  readonly exit: string;
  readonly failedThresholds: readonly string[];
}

/**
 * Everything a comparison reads of one k6 run, checked against itself: the exit code is one whose report is a
 * result (else it is named and the run fails), the report agrees with the exit code, and the samples are this
 * run's (its testid) and count the same responses per worker as the report.
 */
export async function readK6Run(files: K6RunFiles, exit: { readonly code: number; readonly output?: string }): Promise<K6Run> {
  if (!k6ExitIsAResult(exit.code)) {
    const said = exit.output?.trim().split('\n').slice(-15).join('\n');
    throw new Error(`k6 exited ${describeK6Exit(exit.code)}: no result to read${said ? `. It said:\n${said}` : ''}`);
  }
  const report = await readK6Report(files.report);
  checkK6ExitAgainstReport(exit.code, report, files.report);
  const samples = await readServedBySamples(files.samples);
  if (samples.testIds.length !== 1 || samples.testIds[0] !== report.runId) {
    throw new Error(`k6 samples ${files.samples} are of run(s) ${JSON.stringify(samples.testIds)}, its report ${files.report} of run "${report.runId}"`);
  }
  // Two of k6's outputs of one run, counted apart (the samples here, the summary's sub-metrics there), must agree.
  const counted = report.distribution.attributed + report.distribution.unlisted;
  const disagree = report.distribution.perWorker.filter((w) => (samples.perWorker.get(w.key) ?? 0) !== w.requests);
  if (samples.servedBy !== counted || disagree.length > 0) {
    const workers = disagree.map((w) => `${w.key} ${samples.perWorker.get(w.key) ?? 0} vs ${w.requests}`).join(', ');
    throw new Error(`k6 samples ${files.samples} hold ${samples.servedBy} attributed responses, its report ${files.report} counted ${counted}${workers ? ` (${workers})` : ''}: one of them is incomplete`);
  }
  return { report, busiestWorkerSecondShare: samples.busiestWorkerSecondShare, exit: describeK6Exit(exit.code), failedThresholds: failedThresholds(report) };
}
