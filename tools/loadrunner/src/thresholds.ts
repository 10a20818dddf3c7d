// Pass/fail targets in k6's threshold syntax, evaluated on a LoadResult. As with `k6 run`, a failed threshold makes
// the CLI exit non-zero (99), so `make loadtest` and CI fail on a slow or erroring stack.
// https://grafana.com/docs/k6/latest/using-k6/thresholds/
import { formatCount, formatDurationMs, formatRatePercent } from './k6Format.js';
import { isTrendStatName, latencyStatByName, type TrendStatName } from './latencyStats.js';
import type { LoadResult } from './types.js';

export const THRESHOLD_METRICS = [
  'http_req_failed',
  'http_req_duration',
  'http_req_duration{expected_response:true}',
  'http_reqs',
  'iterations',
  'dropped_iterations',
] as const;
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];

type Aggregation = 'rate' | 'count' | TrendStatName;
export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

export interface Threshold {
  readonly metric: ThresholdMetric;
  /** The expression as k6 shows it, e.g. `p(95)<500` or `rate<0.01`. */
  readonly source: string;
  readonly aggregation: Aggregation;
  readonly operator: ThresholdOperator;
  readonly value: number;
}

export interface ThresholdResult extends Threshold {
  readonly actual: number;
  readonly ok: boolean;
}

const METRIC_KIND: Readonly<Record<ThresholdMetric, 'rate' | 'trend' | 'counter'>> = {
  http_req_failed: 'rate',
  http_req_duration: 'trend',
  'http_req_duration{expected_response:true}': 'trend',
  http_reqs: 'counter',
  iterations: 'counter',
  dropped_iterations: 'counter',
};

function isThresholdMetric(name: string): name is ThresholdMetric {
  return (THRESHOLD_METRICS as readonly string[]).includes(name);
}

/**
 * Parses one threshold. Accepted forms:
 *   `http_req_failed<0.01`            (a rate metric's aggregation defaults to `rate`)
 *   `http_req_failed:rate<0.01`       (metric:expression, the k6 `thresholds: { metric: ['expr'] }` pair)
 *   `http_req_duration:p(95)<500`     (durations in ms, like k6)
 *   `p(99)<800`                       (a trend stat alone means http_req_duration)
 */
export function parseThreshold(text: string): Threshold {
  const compact = text.replace(/\s+/g, '');
  const match = /^(?:([a-z_]+(?:\{expected_response:true\})?)(?::|(?=[<>=!])))?([a-z]+(?:\([\d.]+\))?)?(<=|>=|===|==|!=|<|>)(-?\d+(?:\.\d+)?)$/.exec(compact);
  const fail = (why: string): never => {
    throw new Error(`invalid threshold ${JSON.stringify(text)}: ${why} (e.g. 'http_req_failed<0.01', 'http_req_duration:p(95)<500')`);
  };
  if (match === null) return fail('cannot parse');
  const [, metricText, aggregationText, operator, valueText] = match;
  let metric: ThresholdMetric;
  if (metricText === undefined) {
    if (aggregationText === undefined || !isTrendStatName(aggregationText)) return fail('a bare expression must be a trend stat like p(95)');
    metric = 'http_req_duration';
  } else if (isThresholdMetric(metricText)) {
    metric = metricText;
  } else {
    return fail(`unknown metric ${metricText}; supported: ${THRESHOLD_METRICS.join(', ')}`);
  }
  const kind = METRIC_KIND[metric];
  let aggregation: Aggregation;
  if (kind === 'rate') {
    if (aggregationText !== undefined && aggregationText !== 'rate') return fail(`${metric} only has 'rate'`);
    aggregation = 'rate';
  } else if (kind === 'counter') {
    if (aggregationText !== 'count' && aggregationText !== 'rate') return fail(`${metric} needs 'count' or 'rate'`);
    aggregation = aggregationText;
  } else {
    if (aggregationText === undefined || !isTrendStatName(aggregationText) || aggregationText === 'count') {
      return fail(`${metric} needs one of avg, min, med, max, p(90), p(95), p(99)`);
    }
    aggregation = aggregationText;
  }
  return {
    metric,
    source: `${aggregation}${operator}${valueText}`,
    aggregation,
    operator: operator as ThresholdOperator,
    value: Number(valueText),
  };
}

function counterOf(result: LoadResult, metric: 'http_reqs' | 'iterations' | 'dropped_iterations'): number {
  switch (metric) {
    case 'http_reqs': return result.requests;
    case 'iterations': return result.iterations;
    case 'dropped_iterations': return result.droppedIterations;
  }
}

/** The number a threshold compares (ms for durations, 0..1 for rates, count or per-second for counters). */
export function thresholdActual(result: LoadResult, threshold: Pick<Threshold, 'metric' | 'aggregation'>): number {
  const { metric, aggregation } = threshold;
  if (metric === 'http_req_failed') return result.failedRate;
  if (metric === 'http_req_duration' || metric === 'http_req_duration{expected_response:true}') {
    const stats = metric === 'http_req_duration' ? result.latency : result.latencyExpected;
    return latencyStatByName(stats, aggregation as TrendStatName);
  }
  const count = counterOf(result, metric);
  return aggregation === 'rate' ? (result.elapsedSec > 0 ? count / result.elapsedSec : 0) : count;
}

export function compare(actual: number, operator: ThresholdOperator, value: number): boolean {
  switch (operator) {
    case '<': return actual < value;
    case '<=': return actual <= value;
    case '>': return actual > value;
    case '>=': return actual >= value;
    case '==':
    case '===': return actual === value;
    case '!=': return actual !== value;
  }
}

export function evaluateThresholds(result: LoadResult, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = thresholdActual(result, t);
    return { ...t, actual, ok: compare(actual, t.operator, t.value) };
  });
}

/** `p(95)=148.21ms`, `rate=0.00%`, `count=1234`: the value k6 prints after a threshold. */
export function formatThresholdActual(t: ThresholdResult): string {
  const kind = METRIC_KIND[t.metric];
  if (kind === 'rate') return `rate=${formatRatePercent(t.actual)}`;
  if (kind === 'trend') return `${t.aggregation}=${formatDurationMs(t.actual)}`;
  return t.aggregation === 'rate' ? `rate=${formatCount(t.actual)}/s` : `count=${formatCount(t.actual)}`;
}
