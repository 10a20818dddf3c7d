// One variant's result, whichever load generator produced it. `make compare` puts these side by side; the same
// row comes from the offline Node runner (a LoadResult) or from a k6 script's handleSummary() JSON
// (k6/lib/distribution.js distributionSummary()), so the table and the HTML report read the same either way.
import type { LoadResult } from '../../loadrunner/src/index.js';
import type { K6Report } from './k6Output.js';

export type { K6Report } from './k6Output.js';

export interface ShareEntry {
  /** `api-2` for a replica, `api-2/1` for a worker. */
  readonly name: string;
  readonly requests: number;
  /** 0..1 of the attributed responses. */
  readonly share: number;
}

export interface ComparisonRow {
  /** What differs between the rows of one comparison: `least_conn`, `2 workers, SCHED_NONE`... */
  readonly variant: string;
  readonly scenario: string;
  readonly source: 'loadrunner' | 'k6';
  readonly requests: number;
  readonly durationSec: number;
  readonly throughputRps: number;
  /** http_req_failed: 0..1. */
  readonly failedRate: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly perReplica: readonly ShareEntry[];
  readonly perWorker: readonly ShareEntry[];
  readonly workerJain: number | null;
  readonly workerMaxMin: number | null;
  readonly replicaJain: number | null;
  readonly replicaMaxMin: number | null;
  /**
   * In each whole second of the run, the share of that second's requests served by the busiest worker; the median
   * over the seconds. 1/N = even second by second; 1.0 = one worker at a time took everything, even when the
   * run's totals look even (connections recycled every keepalive_requests). null when no second had enough
   * requests to say. k6 rows count it from k6's `served_by` samples (k6Output.ts readServedBySamples()).
   */
  readonly busiestWorkerSecondShare: number | null;
}

/** Per-second tallies of which worker answered, for ComparisonRow.busiestWorkerSecondShare. */
export class SecondByWorker {
  private readonly seconds = new Map<number, Map<string, number>>();

  constructor(private readonly startedAtMs: number) {}

  /** `servedBy` is the raw X-Served-By (`api-1/0/57`); the pid is dropped so a restarted worker stays one worker. */
  add(sentAtMs: number, servedBy: string | undefined): void {
    if (servedBy === undefined) return;
    const worker = servedBy.split('/').slice(0, 2).join('/');
    const second = Math.floor((sentAtMs - this.startedAtMs) / 1000);
    const counts = this.seconds.get(second) ?? new Map<string, number>();
    counts.set(worker, (counts.get(worker) ?? 0) + 1);
    this.seconds.set(second, counts);
  }

  /** Median over the seconds with at least `minRequests` answers; the first and last (partial) seconds are left out. */
  busiestShareMedian(minRequests = 20): number | null {
    const keys = [...this.seconds.keys()].sort((a, b) => a - b).slice(1, -1);
    const shares = keys
      .map((k) => [...this.seconds.get(k)!.values()])
      .filter((counts) => counts.reduce((a, b) => a + b, 0) >= minRequests)
      .map((counts) => Math.max(...counts) / counts.reduce((a, b) => a + b, 0))
      .sort((a, b) => a - b);
    if (shares.length === 0) return null;
    const mid = Math.floor(shares.length / 2);
    return shares.length % 2 === 1 ? shares[mid]! : (shares[mid - 1]! + shares[mid]!) / 2;
  }
}

type ShareSource = {
  readonly perWorker: ReadonlyArray<{ key: string; requests: number; share: number }>;
  readonly perReplica: ReadonlyArray<{ replica: string; requests: number; share: number }>;
  readonly workerFairness: { jainFairness: number | null; maxMinRatio: number | null };
  readonly replicaFairness: { jainFairness: number | null; maxMinRatio: number | null };
};

/** The distribution part of a row: the runner's Distribution and k6/lib/fairness.js buildDistribution() have one shape. */
function distributionColumns(d: ShareSource): Pick<ComparisonRow, 'perReplica' | 'perWorker' | 'workerJain' | 'workerMaxMin' | 'replicaJain' | 'replicaMaxMin'> {
  return {
    perReplica: d.perReplica.map((x) => ({ name: x.replica, requests: x.requests, share: x.share })),
    perWorker: d.perWorker.map((x) => ({ name: x.key, requests: x.requests, share: x.share })),
    workerJain: d.workerFairness.jainFairness,
    workerMaxMin: d.workerFairness.maxMinRatio,
    replicaJain: d.replicaFairness.jainFairness,
    replicaMaxMin: d.replicaFairness.maxMinRatio,
  };
}

export function rowFromLoadResult(variant: string, scenario: string, r: LoadResult, busiestWorkerSecondShare: number | null = null): ComparisonRow {
  const d = r.distribution;
  return {
    variant,
    scenario,
    source: 'loadrunner',
    requests: r.requests,
    durationSec: r.elapsedSec,
    throughputRps: r.throughputRps,
    failedRate: r.failedRate,
    p50Ms: r.latency.medMs,
    p95Ms: r.latency.p95Ms,
    p99Ms: r.latency.p99Ms,
    ...distributionColumns(d),
    busiestWorkerSecondShare,
  };
}

function k6Value(report: K6Report, metric: string, stat: string): number {
  const value = report.k6.metrics[metric]?.values[stat];
  if (typeof value !== 'number') throw new Error(`k6 report of ${report.script} has no ${metric} ${stat}`);
  return value;
}

/**
 * A row from a k6 report (read and checked by k6Output.ts readK6Run()) and the busiest-worker share that
 * k6's own samples give (readServedBySamples()): the same columns as a runner's row.
 */
export function rowFromK6Report(variant: string, scenario: string, report: K6Report, busiestWorkerSecondShare: number | null): ComparisonRow {
  const d = report.distribution;
  return {
    variant,
    scenario,
    source: 'k6',
    requests: k6Value(report, 'http_reqs', 'count'),
    durationSec: report.k6.state.testRunDurationMs / 1000,
    throughputRps: k6Value(report, 'http_reqs', 'rate'),
    failedRate: k6Value(report, 'http_req_failed', 'rate'),
    p50Ms: k6Value(report, 'http_req_duration', 'med'),
    p95Ms: k6Value(report, 'http_req_duration', 'p(95)'),
    p99Ms: k6Value(report, 'http_req_duration', 'p(99)'),
    ...distributionColumns(d),
    busiestWorkerSecondShare,
  };
}
