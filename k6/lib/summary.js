// The end-of-test summary, formatted from k6's handleSummary() `data` object: what every k6 script prints and
// writes, and what the Node load runner prints and writes after converting its measurement into the same shape
// (tools/loadrunner/src/summaryData.ts). One formatter, so offline and online runs print the same text.
//
// Kept here instead of importing jslib's textSummary from https://jslib.k6.io: a script that imports from the
// network can't start on an air-gapped machine, and depends on a third-party host at every run. The metric block
// keeps jslib k6-summary 0.1.0's layout (one alphabetical list, names dot-padded, ✓/✗ before a metric with
// thresholds), the pre-1.0 layout that k6 2.0 removed as `--summary-mode=legacy`: formatted here, it doesn't depend
// on any of k6's summary modes (k6/README.md, "k6 2.x: what was checked").
// https://grafana.com/docs/k6/latest/results-output/end-of-test/custom-summary/
//
// The data shape used, as k6's custom-summary page documents it for 1.x and still in the v2.3 docs (read, not yet
// run against a k6 2.x binary here; CI's `k6 inspect` step loads the scripts): data.metrics[name] = { type: 'counter'|'gauge'|'rate'|'trend',
// contains: 'default'|'time'|'data', values: {...}, thresholds?: { '<expr>': { ok } } }; data.root_group.checks =
// [{ name, passes, fails }]; data.state.testRunDurationMs; data.options.summaryTrendStats.
// No k6 imports: plain ES module.
import { SERVED_BY, distributionFromSummary, formatDistributionMarkdown, formatDistributionNotes, formatDistributionText } from './fairness.js';

const PASS = '✓';
const FAIL = '✗';

export const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

// ---- number formats, as k6's summary writes them ----------------------------------------------------------

/** 1.50 -> "1.5", 2.00 -> "2". @param {number} value @param {number} precision */
export function toFixedNoTrailingZeros(value, precision) {
  return String(parseFloat(value.toFixed(precision)));
}

/** @param {number} value @param {number} precision */
function toFixedNoTrailingZerosTrunc(value, precision) {
  const mult = 10 ** precision;
  return toFixedNoTrailingZeros(Math.trunc(mult * value) / mult, precision);
}

/** Milliseconds -> "0s", "870ns", "520.57µs", "148.21ms", "3.18s", "1m30s", "1h2m3s". @param {number} ms */
export function formatDurationMs(ms) {
  if (ms === 0) return '0s';
  if (ms < 0.001) return `${Math.trunc(ms * 1000000)}ns`;
  if (ms < 1) return `${toFixedNoTrailingZerosTrunc(ms * 1000, 2)}µs`;
  if (ms < 1000) return `${toFixedNoTrailingZerosTrunc(ms, 2)}ms`;
  let result = `${toFixedNoTrailingZerosTrunc((ms % 60000) / 1000, ms > 60000 ? 0 : 2)}s`;
  let rest = Math.trunc(ms / 60000);
  if (rest < 1) return result;
  result = `${rest % 60}m${result}`;
  rest = Math.trunc(rest / 60);
  if (rest < 1) return result;
  return `${rest}h${result}`;
}

/** Bytes -> "9 B", "26 kB", "1.8 MB" (decimal units). @param {number} bytes */
export function formatBytes(bytes) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  if (bytes < 10) return `${bytes} B`;
  const exponent = Math.min(Math.floor(Math.log(bytes) / Math.log(1000)), units.length - 1);
  const value = Math.floor((bytes / 1000 ** exponent) * 10 + 0.5) / 10;
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[exponent] || 'B'}`;
}

/** A 0..1 rate, truncated to 2 decimals: "0.00%". @param {number} rate */
export function formatRatePercent(rate) {
  return `${(Math.trunc(rate * 100 * 100) / 100).toFixed(2)}%`;
}

/** Counts and per-second rates: up to 6 decimals without trailing zeros. @param {number} value */
export function formatCount(value) {
  return toFixedNoTrailingZeros(value, 6);
}

// ---- the metric block ---------------------------------------------------------------------------------

/** @param {string} name */
const displayName = (name) => {
  const brace = name.indexOf('{');
  return brace < 0 ? name : `{ ${name.slice(brace + 1, -1)} }`;
};

/** @param {string} name */
const parentOf = (name) => (name.includes('{') ? name.slice(0, name.indexOf('{')) : name);

/** Alphabetical by parent metric, sub-metrics right after their parent. @param {string} a @param {string} b */
function byMetricOrder(a, b) {
  const pa = parentOf(a);
  const pb = parentOf(b);
  if (pa !== pb) return pa < pb ? -1 : 1;
  if (a === pa) return -1;
  if (b === pb) return 1;
  return a < b ? -1 : 1;
}

/** The value columns of one metric. @param {any} metric @param {string[]} trendStats @param {number} seconds */
function metricCells(metric, trendStats, seconds) {
  const v = metric.values;
  const perSecond = (/** @type {number} */ n) => (seconds > 0 ? n / seconds : 0);
  switch (metric.type) {
    case 'trend':
      return {
        trend: trendStats.map((stat) => {
          const x = v[stat];
          if (typeof x !== 'number') return [stat, '-'];
          return [stat, metric.contains === 'time' ? formatDurationMs(x) : formatCount(x)];
        }),
      };
    case 'rate':
      return { values: [formatRatePercent(v.rate), `${PASS} ${v.passes}`, `${FAIL} ${v.fails}`] };
    case 'gauge':
      return { values: [metric.contains === 'data' ? formatBytes(v.value) : formatCount(v.value), `min=${formatCount(v.min)}`, `max=${formatCount(v.max)}`] };
    default:
      return metric.contains === 'data'
        ? { values: [formatBytes(v.count), `${formatBytes(perSecond(v.count))}/s`] }
        : { values: [formatCount(v.count), `${formatCount(perSecond(v.count))}/s`] };
  }
}

/**
 * jslib k6-summary 0.1.0's metric list: names dot-padded to the longest + 3, every value column aligned.
 * @param {Record<string, any>} metrics @param {string[]} trendStats @param {number} seconds
 */
function formatMetricLines(metrics, trendStats, seconds) {
  const names = Object.keys(metrics).sort(byMetricOrder);
  const subIndent = (/** @type {string} */ n) => (n.includes('{') ? '  ' : '');
  const nameLenMax = Math.max(0, ...names.map((n) => subIndent(n).length + displayName(n).length));
  const cells = names.map((n) => metricCells(metrics[n], trendStats, seconds));
  /** @type {number[]} */
  const trendWidths = trendStats.map(() => 0);
  let valueWidth = 0;
  /** @type {number[]} */
  const extraWidths = [];
  for (const c of cells) {
    if (c.trend) c.trend.forEach(([, cell], i) => (trendWidths[i] = Math.max(trendWidths[i] || 0, cell.length)));
    else {
      const [value, ...extras] = c.values;
      valueWidth = Math.max(valueWidth, value.length);
      extras.forEach((e, i) => (extraWidths[i] = Math.max(extraWidths[i] || 0, e.length)));
    }
  }
  return names.map((name, i) => {
    const metric = metrics[name];
    const outcomes = metric.thresholds ? Object.values(metric.thresholds) : [];
    const mark = outcomes.length === 0 ? ' ' : outcomes.every((t) => t.ok) ? PASS : FAIL;
    const shown = displayName(name);
    const label = `   ${subIndent(name)}${mark} ${shown}${'.'.repeat(nameLenMax - shown.length - subIndent(name).length + 3)}:`;
    const c = cells[i];
    let text;
    if (c.trend) text = c.trend.map(([stat, cell], j) => `${stat}=${cell.padEnd(trendWidths[j] || 0)}`).join(' ');
    else {
      const [value, ...extras] = c.values;
      text = value.padEnd(valueWidth);
      if (extras.length === 1) text += ` ${extras[0]}`;
      else if (extras.length > 1) text += ` ${extras.map((e, j) => e.padEnd(extraWidths[j] || 0)).join(' ')}`;
    }
    return `${label} ${text}`.trimEnd();
  });
}

/** The checks of a group and its subgroups, k6 style: "✓ name", or "✗ name" and "↳  50% — ✓ 1 / ✗ 1". @param {any} group */
function formatChecks(group, indent = '     ') {
  const lines = [];
  for (const check of group.checks || []) {
    if (check.fails === 0) lines.push(`${indent}${PASS} ${check.name}`);
    else {
      const pct = Math.floor((100 * check.passes) / (check.passes + check.fails));
      lines.push(`${indent}${FAIL} ${check.name}`, `${indent}  ↳  ${pct}% — ${PASS} ${check.passes} / ${FAIL} ${check.fails}`);
    }
  }
  for (const sub of group.groups || []) lines.push(`${indent}█ ${sub.name}`, ...formatChecks(sub, `${indent}  `));
  return lines;
}

/** The grid's sub-metrics would add a line each to the metric list; the distribution table replaces them. @param {any} data */
export function withoutGridMetrics(data) {
  /** @type {Record<string, any>} */
  const metrics = {};
  for (const [name, metric] of Object.entries(data.metrics)) if (!name.startsWith(`${SERVED_BY}{`)) metrics[name] = metric;
  return { ...data, metrics };
}

/**
 * The metric block (and the checks before it), like jslib's textSummary() without colours.
 * @param {any} data
 */
export function textSummary(data) {
  const trendStats = (data.options && data.options.summaryTrendStats) || DEFAULT_TREND_STATS;
  const seconds = data.state.testRunDurationMs / 1000;
  const checks = data.root_group ? formatChecks(data.root_group) : [];
  return [...checks, ...(checks.length > 0 ? [''] : []), ...formatMetricLines(withoutGridMetrics(data).metrics, trendStats, seconds)].join('\n');
}

/**
 * Every threshold and its outcome, except the grid's no-op ones (count>=0).
 * @param {any} data @returns {{ metric: string, threshold: string, ok: boolean }[]}
 */
export function thresholdResults(data) {
  const results = [];
  for (const [name, metric] of Object.entries(data.metrics)) {
    if (!metric.thresholds) continue;
    for (const [expression, outcome] of Object.entries(metric.thresholds)) {
      if (name.startsWith(`${SERVED_BY}{`) && expression === 'count>=0') continue;
      results.push({ metric: name, threshold: expression, ok: /** @type {{ ok: boolean }} */ (outcome).ok });
    }
  }
  return results;
}

/**
 * @typedef {object} SummaryContext
 * @property {string} runId
 * @property {import('./fairness.js').TallyGrid} grid
 */

/**
 * What a run prints on stdout: the metric block, a blank line, the titled distribution block, the notes.
 * @param {any} data @param {SummaryContext} context
 */
export function formatSummaryText(data, context) {
  const dist = distributionFromSummary(data, context.grid);
  return [textSummary(data), '', `load distribution by X-Served-By (run ${context.runId})`, formatDistributionText(dist), ...formatDistributionNotes(dist), ''].join('\n');
}

/** @param {any} data @param {string} name @param {string} stat */
function metricValue(data, name, stat) {
  const metric = data.metrics[name];
  return metric && metric.values ? metric.values[stat] : undefined;
}

/**
 * @typedef {object} ReportContext
 * @property {string} runId
 * @property {import('./fairness.js').TallyGrid} grid
 * @property {string} generator    "k6" or "loadrunner"
 * @property {string} script       the k6 script's base name
 * @property {string} scenario     describeScenario() of what ran
 * @property {string} baseUrl
 * @property {string} finishedAt   ISO time
 */

/**
 * The Markdown report of one run, k6 or the runner alike.
 * @param {any} data @param {ReportContext} context
 */
export function formatSummaryMarkdown(data, context) {
  const dist = distributionFromSummary(data, context.grid);
  const thresholds = thresholdResults(data);
  const ms = (/** @type {unknown} */ v) => (typeof v === 'number' ? `${v.toFixed(1)} ms` : 'n/a');
  const pct = (/** @type {unknown} */ v) => (typeof v === 'number' ? `${(v * 100).toFixed(2)}%` : 'n/a');
  const num = (/** @type {unknown} */ v) => (typeof v === 'number' ? String(Math.round(v)) : 'n/a');
  const checks = metricValue(data, 'checks', 'rate');
  return [
    `# ${context.generator} run ${context.runId}: ${context.script}`,
    '',
    `- scenario: ${context.scenario}`,
    `- target: ${context.baseUrl}`,
    `- finished: ${context.finishedAt}`,
    `- duration: ${(data.state.testRunDurationMs / 1000).toFixed(1)} s`,
    `- requests: ${num(metricValue(data, 'http_reqs', 'count'))} (${num(metricValue(data, 'http_reqs', 'rate'))}/s), ` +
      `failed: ${pct(metricValue(data, 'http_req_failed', 'rate'))}${checks === undefined ? '' : `, checks passed: ${pct(checks)}`}`,
    `- latency: p50 ${ms(metricValue(data, 'http_req_duration', 'med'))}, p95 ${ms(metricValue(data, 'http_req_duration', 'p(95)'))}, ` +
      `p99 ${ms(metricValue(data, 'http_req_duration', 'p(99)'))}, max ${ms(metricValue(data, 'http_req_duration', 'max'))}`,
    '',
    '## Thresholds',
    '',
    ...(thresholds.length === 0 ? ['(none)'] : thresholds.map((t) => `- ${t.ok ? 'PASS' : 'FAIL'} \`${t.metric}\`: \`${t.threshold}\``)),
    '',
    '## Load distribution (X-Served-By)',
    '',
    formatDistributionMarkdown(dist),
    '',
  ].join('\n');
}
