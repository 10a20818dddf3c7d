// Pass/fail targets in k6's threshold syntax, evaluated on a run's summary data (summaryData.ts) the way k6
// evaluates them on its own: the scenario's `thresholds` object from k6/lib/scenarios.js, plus the per-worker
// ones of fairness.js distributionThresholds(). As with `k6 run`, a failed threshold makes the CLI exit 99.
// https://grafana.com/docs/k6/latest/using-k6/thresholds/
import type { K6SummaryData } from './summaryData.js';

export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

export interface Threshold {
  /** k6 metric name, a sub-metric written `parent{tag:value,...}`. */
  readonly metric: string;
  /** The expression as k6 shows it, e.g. `p(95)<500` or `rate<0.01`. */
  readonly source: string;
  readonly aggregation: string;
  readonly operator: ThresholdOperator;
  readonly value: number;
}

export interface ThresholdResult extends Threshold {
  /** The aggregated value compared; null when the metric had no samples (k6 then does not evaluate it). */
  readonly actual: number | null;
  readonly ok: boolean;
}

/** The metrics the runner measures (summaryData.ts); a threshold on any other metric is refused before the run. */
const RUNNER_METRICS = ['checks', 'data_received', 'data_sent', 'dropped_iterations', 'http_req_duration', 'http_req_failed', 'http_reqs', 'iteration_duration', 'iterations', 'served_by', 'served_by_missing', 'vus', 'vus_max'];
const RATE_METRICS = ['checks', 'http_req_failed'];

const EXPRESSION = /^(count|rate|value|min|max|avg|med|p\(\d+(?:\.\d+)?\))(<=|>=|===|==|!=|<|>)(-?\d+(?:\.\d+)?)$/;

/** One k6 threshold expression (`p(95)<500`) on one metric. */
export function parseExpression(metric: string, expression: string): Threshold {
  const parent = metric.includes('{') ? metric.slice(0, metric.indexOf('{')) : metric;
  if (!RUNNER_METRICS.includes(parent)) throw new Error(`invalid threshold on ${metric}: the runner does not measure ${parent} (it has ${RUNNER_METRICS.join(', ')})`);
  const match = EXPRESSION.exec(expression.replace(/\s+/g, ''));
  if (match === null) throw new Error(`invalid threshold ${JSON.stringify(expression)} on ${metric} (e.g. 'rate<0.01', 'p(95)<500', 'count>0')`);
  const [, aggregation = '', operator = '<', value = '0'] = match;
  return { metric, source: `${aggregation}${operator}${value}`, aggregation, operator: operator as ThresholdOperator, value: Number(value) };
}

/** Every threshold of a k6 `options.thresholds` object. */
export function thresholdsOf(thresholds: Readonly<Record<string, readonly string[]>>): Threshold[] {
  return Object.entries(thresholds).flatMap(([metric, expressions]) => expressions.map((e) => parseExpression(metric, e)));
}

/**
 * One threshold as the --threshold flag takes it:
 *   `http_req_duration:p(95)<500`   metric:expression, the k6 `thresholds: { metric: ['expr'] }` pair
 *   `http_req_failed<0.01`          a rate metric alone means its rate
 *   `p(99)<800`                     a trend stat alone means http_req_duration
 */
export function parseThreshold(text: string): Threshold {
  const compact = text.replace(/\s+/g, '');
  const colon = /^([a-z_]+(?:\{[^}]*\})?):(.+)$/.exec(compact);
  if (colon !== null) return parseExpression(colon[1] ?? '', colon[2] ?? '');
  const bare = /^([a-z_]+(?:\{[^}]*\})?)((?:<|>|=|!).+)$/.exec(compact);
  if (bare !== null && RATE_METRICS.includes(bare[1] ?? '')) return parseExpression(bare[1] ?? '', `rate${bare[2] ?? ''}`);
  if (/^(avg|min|med|max|p\()/.test(compact)) return parseExpression('http_req_duration', compact);
  throw new Error(`invalid threshold ${JSON.stringify(text)} (e.g. 'http_req_failed<0.01', 'http_req_duration:p(95)<500', 'p(99)<800')`);
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

/** Evaluates every threshold on `data` and records each outcome in it (`metrics[m].thresholds`), as k6 does. */
export function applyThresholds(data: K6SummaryData, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((t) => {
    const metric = data.metrics[t.metric];
    const raw = metric?.values[t.aggregation];
    const actual = typeof raw === 'number' ? raw : null;
    const ok = actual === null ? metric === undefined : compare(actual, t.operator, t.value);
    if (metric !== undefined) metric.thresholds = { ...metric.thresholds, [t.source]: { ok } };
    return { ...t, actual, ok };
  });
}
