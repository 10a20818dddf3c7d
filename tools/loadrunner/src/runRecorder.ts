// Everything a run counts, in one place. Hot-path methods (recordResponse, recordSocketError) only bump counters
// and append to typed arrays; all sorting and aggregation happens once, in finish().
import { DistributionCounter } from './distributionCounter.js';
import { percentileOfSorted, summarizeSortedLatencies } from './latencyStats.js';
import { SampleBuffer } from './sampleBuffer.js';
import type { CheckCount, Distribution, ExpectedTopology, LatencyStats, SecondBucket } from './types.js';

/** k6's default `expectedStatuses` is 200..399; anything else counts in http_req_failed. */
export function isDefaultExpectedStatus(status: number): boolean {
  return status >= 200 && status <= 399;
}

export interface RecordedTotals {
  readonly requests: number;
  readonly ok: number;
  readonly failed: number;
  readonly httpErrors: number;
  readonly socketErrors: number;
  readonly statusCounts: Record<string, number>;
  readonly errorCodes: Record<string, number>;
  readonly latency: LatencyStats;
  readonly latencyExpected: LatencyStats;
  readonly iterationDuration: LatencyStats;
  readonly iterations: number;
  readonly interruptedIterations: number;
  readonly droppedIterations: number;
  readonly distribution: Distribution;
  readonly timeSeries: SecondBucket[];
  readonly checks: CheckCount[];
  /** Samples not kept because the sample buffer was full (percentiles then cover the first MAX_SAMPLES). */
  readonly droppedSamples: number;
}

export class RunRecorder {
  /** Durations of all responses in completion order; a second's responses are a contiguous slice of it. */
  private readonly latencies = new SampleBuffer();
  private readonly expectedLatencies = new SampleBuffer();
  private readonly iterationDurations = new SampleBuffer();
  private readonly distribution = new DistributionCounter();
  private readonly statusCounts = new Map<number, number>();
  private readonly errorCodes = new Map<string, number>();
  private readonly checkCounts = new Map<string, { passes: number; fails: number }>();
  /** Index into `latencies` where each second starts, and per-second counters. */
  private readonly secondStart: number[] = [0];
  private readonly secondRequests: number[] = [0];
  private readonly secondFailed: number[] = [0];

  requests = 0;
  ok = 0;
  httpErrors = 0;
  socketErrors = 0;
  iterations = 0;
  interruptedIterations = 0;
  droppedIterations = 0;

  constructor(private readonly startedAt: number) {}

  get failed(): number {
    return this.httpErrors + this.socketErrors;
  }

  get latencySampleCount(): number {
    return this.latencies.length;
  }

  private secondFor(now: number): number {
    const second = Math.floor((now - this.startedAt) / 1000);
    while (this.secondRequests.length <= second) {
      this.secondStart.push(this.latencies.length);
      this.secondRequests.push(0);
      this.secondFailed.push(0);
    }
    return second;
  }

  /** `countServedBy` false leaves the response out of the distribution (e.g. nginx's own 404 on /metrics). */
  recordResponse(status: number, expected: boolean, servedBy: string | string[] | undefined, countServedBy: boolean, durationMs: number, now: number): void {
    const second = this.secondFor(now);
    this.requests++;
    this.secondRequests[second]!++;
    this.latencies.push(durationMs);
    this.statusCounts.set(status, (this.statusCounts.get(status) ?? 0) + 1);
    if (expected) {
      this.ok++;
      this.expectedLatencies.push(durationMs);
    } else {
      this.httpErrors++;
      this.secondFailed[second]!++;
    }
    if (countServedBy) this.distribution.record(servedBy);
  }

  /** A request that got no response. Like the k6 scripts, it counts as unattributed in the distribution. */
  recordSocketError(code: string, countServedBy: boolean, now: number): void {
    const second = this.secondFor(now);
    this.requests++;
    this.socketErrors++;
    this.secondRequests[second]!++;
    this.secondFailed[second]!++;
    this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + 1);
    if (countServedBy) this.distribution.record(undefined);
  }

  /** One check() condition's outcome, by its label. */
  recordCheck(label: string, ok: boolean): void {
    let counts = this.checkCounts.get(label);
    if (counts === undefined) this.checkCounts.set(label, (counts = { passes: 0, fails: 0 }));
    if (ok) counts.passes++;
    else counts.fails++;
  }

  recordIteration(durationMs: number): void {
    this.iterations++;
    this.iterationDurations.push(durationMs);
  }

  /** p99 of the responses recorded since sample index `fromSample` (for progress lines); null if none. */
  p99Since(fromSample: number): number | null {
    if (this.latencies.length <= fromSample) return null;
    return percentileOfSorted(this.latencies.sortedCopy(fromSample), 0.99);
  }

  finish(now: number, expectedTopology?: ExpectedTopology): RecordedTotals {
    this.secondFor(now);
    const seconds = this.secondRequests.length;
    const timeSeries: SecondBucket[] = [];
    for (let s = 0; s < seconds; s++) {
      const from = this.secondStart[s] ?? 0;
      const to = this.secondStart[s + 1] ?? this.latencies.length;
      timeSeries.push({
        second: s,
        requests: this.secondRequests[s] ?? 0,
        failed: this.secondFailed[s] ?? 0,
        p99Ms: to > from ? percentileOfSorted(this.latencies.sortedCopy(from, to), 0.99) : null,
      });
    }
    const sortedCounts = <K extends number | string>(map: Map<K, number>): Record<string, number> =>
      Object.fromEntries([...map.entries()].sort(([a], [b]) => String(a).localeCompare(String(b), 'en', { numeric: true })));
    return {
      requests: this.requests,
      ok: this.ok,
      failed: this.failed,
      httpErrors: this.httpErrors,
      socketErrors: this.socketErrors,
      statusCounts: sortedCounts(this.statusCounts),
      errorCodes: sortedCounts(this.errorCodes),
      latency: summarizeSortedLatencies(this.latencies.sortedCopy()),
      latencyExpected: summarizeSortedLatencies(this.expectedLatencies.sortedCopy()),
      iterationDuration: summarizeSortedLatencies(this.iterationDurations.sortedCopy()),
      iterations: this.iterations,
      interruptedIterations: this.interruptedIterations,
      droppedIterations: this.droppedIterations,
      distribution: this.distribution.snapshot(expectedTopology),
      timeSeries,
      droppedSamples: this.latencies.dropped,
      checks: [...this.checkCounts.entries()].map(([name, c]) => ({ name, ...c })),
    };
  }
}
