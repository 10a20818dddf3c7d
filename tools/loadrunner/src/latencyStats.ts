// Percentiles computed the way k6 computes its Trend stats, so the two summaries can be compared line by line:
// rank = p·(n−1), linear interpolation between the neighbours (k6 metrics/sink.go, TrendSink.P).
import type { LatencyStats } from './types.js';

/** p in [0, 1]. `sorted` must be ascending. Returns 0 for an empty input, like k6. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  if (n === 1) return sorted[0] ?? 0;
  const rank = Math.min(Math.max(p, 0), 1) * (n - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const low = sorted[lower] ?? 0;
  const high = sorted[upper] ?? 0;
  return low + (high - low) * (rank - lower);
}

export const EMPTY_LATENCY_STATS: LatencyStats = {
  count: 0, minMs: 0, avgMs: 0, medMs: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0,
};

/** min/avg/med/p90/p95/p99/max of an ascending array of milliseconds. */
export function summarizeSortedLatencies(sorted: ArrayLike<number>): LatencyStats {
  const n = sorted.length;
  if (n === 0) return EMPTY_LATENCY_STATS;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i] ?? 0;
  return {
    count: n,
    minMs: sorted[0] ?? 0,
    avgMs: sum / n,
    medMs: percentileOfSorted(sorted, 0.5),
    p90Ms: percentileOfSorted(sorted, 0.9),
    p95Ms: percentileOfSorted(sorted, 0.95),
    p99Ms: percentileOfSorted(sorted, 0.99),
    maxMs: sorted[n - 1] ?? 0,
  };
}

/** The k6 trend stat names this runner reports (k6's default summaryTrendStats plus p(99)). */
export const TREND_STAT_NAMES = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'] as const;
export type TrendStatName = (typeof TREND_STAT_NAMES)[number];

export function isTrendStatName(name: string): name is TrendStatName {
  return (TREND_STAT_NAMES as readonly string[]).includes(name);
}

/** Looks a k6 trend stat name up in a LatencyStats (ms; `count` is a count). */
export function latencyStatByName(stats: LatencyStats, name: TrendStatName): number {
  switch (name) {
    case 'avg': return stats.avgMs;
    case 'min': return stats.minMs;
    case 'med': return stats.medMs;
    case 'max': return stats.maxMs;
    case 'p(90)': return stats.p90Ms;
    case 'p(95)': return stats.p95Ms;
    case 'p(99)': return stats.p99Ms;
    case 'count': return stats.count;
  }
}
