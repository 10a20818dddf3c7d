// A run's measurement in the shape of k6's handleSummary() `data`, so the runner's summary, thresholds and reports
// come out of the same k6/lib code as a k6 script's (summary.js formats it, fairness.js reads the distribution
// back out of its served_by sub-metrics). Only the metrics the runner measures are present; k6's socket timings
// (http_req_blocked, _connecting, _waiting...) are not.
// https://grafana.com/docs/k6/latest/results-output/end-of-test/custom-summary/
import { SERVED_BY, SERVED_BY_MISSING, gridPairs, servedBySubMetric, type TallyGrid } from '../../../k6/lib/fairness.js';
import { DEFAULT_TREND_STATS } from '../../../k6/lib/summary.js';
import type { LatencyStats, LoadResult } from './types.js';

export interface K6Metric {
  readonly type: 'counter' | 'gauge' | 'rate' | 'trend';
  readonly contains: 'default' | 'time' | 'data';
  readonly values: Readonly<Record<string, number>>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6Check {
  readonly name: string;
  readonly path: string;
  readonly id: string;
  readonly passes: number;
  readonly fails: number;
}

export interface K6SummaryData {
  readonly metrics: Record<string, K6Metric>;
  readonly root_group: { readonly name: string; readonly path: string; readonly id: string; readonly groups: readonly never[]; readonly checks: readonly K6Check[] };
  readonly options: { readonly summaryTrendStats: readonly string[]; readonly summaryTimeUnit: string; readonly noColor: boolean };
  readonly state: { readonly isStdOutTTY: boolean; readonly isStdErrTTY: boolean; readonly testRunDurationMs: number };
}

function trend(s: LatencyStats): K6Metric {
  return {
    type: 'trend', contains: 'time',
    values: { avg: s.avgMs, min: s.minMs, med: s.medMs, max: s.maxMs, 'p(90)': s.p90Ms, 'p(95)': s.p95Ms, 'p(99)': s.p99Ms },
  };
}

/** A check's sub-metric, `checks{check:<name>}`: k6 tags every check sample with its name. */
const CHECK_SUB_METRIC = /^checks\{check:(.*)\}$/;

/**
 * k6's summary data for a run, with one served_by sub-metric per replica/worker pair (and per grid pair), and a
 * `checks{check:<name>}` rate for each check that `thresholdMetrics` names (k6 keeps a sub-metric only when a
 * threshold names it; one no sample reached stays absent, so its threshold is not evaluated, as in k6).
 */
export function summaryData(
  result: LoadResult, grid: TallyGrid, trendStats: readonly string[] = DEFAULT_TREND_STATS, thresholdMetrics: readonly string[] = [],
): K6SummaryData {
  const seconds = result.elapsedSec;
  const counter = (count: number, contains: K6Metric['contains'] = 'default'): K6Metric => ({
    type: 'counter', contains, values: { count, rate: seconds > 0 ? count / seconds : 0 },
  });
  const gauge = (value: number, min: number, max: number): K6Metric => ({ type: 'gauge', contains: 'default', values: { value, min, max } });
  const metrics: Record<string, K6Metric> = {
    data_received: counter(result.dataReceivedBytes, 'data'),
    data_sent: counter(result.dataSentBytes, 'data'),
    http_req_duration: trend(result.latency),
    'http_req_duration{expected_response:true}': trend(result.latencyExpected),
    // A k6 Rate: "passes" are the true samples, i.e. the failed requests for http_req_failed.
    http_req_failed: { type: 'rate', contains: 'default', values: { rate: result.failedRate, passes: result.failed, fails: result.ok } },
    http_reqs: counter(result.requests),
    iteration_duration: trend(result.iterationDuration),
    iterations: counter(result.iterations),
    vus: gauge(result.vus.value, result.vus.min, result.vus.max),
    vus_max: gauge(result.vusMax, result.vusMax, result.vusMax),
  };
  // Like k6, a metric appears only once it has samples.
  if (result.droppedIterations > 0) metrics['dropped_iterations'] = counter(result.droppedIterations);
  if (result.checks.length > 0) {
    const passes = result.checks.reduce((sum, c) => sum + c.passes, 0);
    const fails = result.checks.reduce((sum, c) => sum + c.fails, 0);
    metrics['checks'] = { type: 'rate', contains: 'default', values: { rate: passes / (passes + fails), passes, fails } };
    for (const metric of thresholdMetrics) {
      const name = CHECK_SUB_METRIC.exec(metric)?.[1];
      const check = name === undefined ? undefined : result.checks.find((c) => c.name === name);
      if (check !== undefined) metrics[metric] = { type: 'rate', contains: 'default', values: { rate: check.passes / (check.passes + check.fails), passes: check.passes, fails: check.fails } };
    }
  }
  const d = result.distribution;
  if (d.attributed > 0) metrics[SERVED_BY] = counter(d.attributed);
  if (d.unattributed > 0) metrics[SERVED_BY_MISSING] = counter(d.unattributed);
  // k6 keeps a sub-metric for every grid pair its thresholds name (0 when it served nothing); the runner sees every pair.
  for (const { replica, worker } of gridPairs(grid)) metrics[servedBySubMetric(replica, worker)] = counter(0);
  for (const w of d.perWorker) metrics[servedBySubMetric(w.replica, w.worker)] = counter(w.requests);
  return {
    metrics,
    root_group: {
      name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [],
      checks: result.checks.map((c) => ({ name: c.name, path: `::${c.name}`, id: '', passes: c.passes, fails: c.fails })),
    },
    options: { summaryTrendStats: [...trendStats], summaryTimeUnit: '', noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: seconds * 1000 },
  };
}
