// The end-of-test summary on stdout, in the two layouts k6 has (`k6 run --summary-mode`):
//   legacy  (default): what this repo's k6 scripts print, since their handleSummary() uses jslib k6-summary 0.1.0's
//           textSummary(): one alphabetical block, ✓/✗ before the name of a metric that has thresholds.
//   compact: k6 1.x's built-in layout: a THRESHOLDS block listing each expression, then HTTP / EXECUTION / NETWORK.
// Then, like the scripts' handleSummary(), the load distribution block whose format k6/README.md ("Summary format")
// fixes as a contract between the k6 scripts and this runner.
import { formatBytes, formatCount, formatDurationMs, formatRatePercent } from './k6Format.js';
import { latencyStatByName, type TrendStatName } from './latencyStats.js';
import { formatThresholdActual, type ThresholdResult } from './thresholds.js';
import type { Distribution, LatencyStats, LoadResult } from './types.js';

/** The k6 scripts' `summaryTrendStats` (k6/lib/config.js): k6's default plus p(99). */
export const DEFAULT_TREND_STATS: readonly TrendStatName[] = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

export const SUMMARY_MODES = ['legacy', 'compact'] as const;
export type SummaryMode = (typeof SUMMARY_MODES)[number];

const PASS = '✓';
const FAIL = '✗';

interface MetricLine {
  /** k6 metric name; a sub-metric is written `parent{tag:value}`. */
  readonly name: string;
  readonly trend?: LatencyStats;
  readonly values?: readonly string[];
  /** ✓/✗ before the name (legacy layout); undefined when the metric has no threshold. */
  readonly thresholdsOk?: boolean;
}

function displayName(name: string): string {
  const brace = name.indexOf('{');
  return brace < 0 ? name : `{ ${name.slice(brace + 1, -1)} }`;
}

function subMetricIndent(name: string): string {
  return name.includes('{') ? '  ' : '';
}

/** k6's summarizeMetrics(): names dot-padded to the longest + 3, every value column aligned across the block. */
function formatMetricLines(lines: readonly MetricLine[], trendStats: readonly TrendStatName[], indent: string, withMarks: boolean, minNameLen = 0): string[] {
  const nameLenMax = Math.max(minNameLen, ...lines.map((l) => subMetricIndent(l.name).length + displayName(l.name).length));
  const trendCells = new Map<MetricLine, string[]>();
  const trendWidths = trendStats.map(() => 0);
  let valueWidth = 0;
  const extraWidths: number[] = [];
  for (const line of lines) {
    if (line.trend !== undefined) {
      const stats = line.trend;
      const cells = trendStats.map((stat) => (stat === 'count' ? String(stats.count) : formatDurationMs(latencyStatByName(stats, stat))));
      cells.forEach((cell, i) => (trendWidths[i] = Math.max(trendWidths[i] ?? 0, cell.length)));
      trendCells.set(line, cells);
    } else {
      const [value = '', ...extras] = line.values ?? [];
      valueWidth = Math.max(valueWidth, value.length);
      extras.forEach((extra, i) => (extraWidths[i] = Math.max(extraWidths[i] ?? 0, extra.length)));
    }
  }
  return lines.map((line) => {
    const subIndent = subMetricIndent(line.name);
    const shown = displayName(line.name);
    const mark = !withMarks || line.thresholdsOk === undefined ? ' ' : line.thresholdsOk ? PASS : FAIL;
    const label = `${indent}${subIndent}${mark} ${shown}${'.'.repeat(nameLenMax - shown.length - subIndent.length + 3)}:`;
    let data: string;
    const cells = trendCells.get(line);
    if (cells !== undefined) {
      data = cells.map((cell, i) => `${trendStats[i]}=${cell.padEnd(trendWidths[i] ?? 0)}`).join(' ');
    } else {
      const [value = '', ...extras] = line.values ?? [];
      data = value.padEnd(valueWidth);
      if (extras.length === 1) data += ` ${extras[0]}`;
      else if (extras.length > 1) data += ` ${extras.map((e, i) => e.padEnd(extraWidths[i] ?? 0)).join(' ')}`;
    }
    return `${label} ${data}`.trimEnd();
  });
}

function thresholdsOkFor(metric: string, thresholds: readonly ThresholdResult[]): boolean | undefined {
  const own = thresholds.filter((t) => t.metric === metric);
  return own.length === 0 ? undefined : own.every((t) => t.ok);
}

/** The metrics the runner measures, as k6 metric lines (k6's http_req_blocked/connecting/... are not measured). */
function metricLines(result: LoadResult, thresholds: readonly ThresholdResult[]): Record<string, MetricLine> {
  const perSecond = (n: number): string => `${formatCount(result.elapsedSec > 0 ? n / result.elapsedSec : 0)}/s`;
  const bytesPerSecond = (n: number): string => `${formatBytes(result.elapsedSec > 0 ? n / result.elapsedSec : 0)}/s`;
  const line = (name: string, fields: Omit<MetricLine, 'name' | 'thresholdsOk'>): MetricLine => ({
    name, ...fields, thresholdsOk: thresholdsOkFor(name, thresholds),
  });
  return {
    data_received: line('data_received', { values: [formatBytes(result.dataReceivedBytes), bytesPerSecond(result.dataReceivedBytes)] }),
    data_sent: line('data_sent', { values: [formatBytes(result.dataSentBytes), bytesPerSecond(result.dataSentBytes)] }),
    dropped_iterations: line('dropped_iterations', { values: [formatCount(result.droppedIterations), perSecond(result.droppedIterations)] }),
    http_req_duration: line('http_req_duration', { trend: result.latency }),
    'http_req_duration{expected_response:true}': line('http_req_duration{expected_response:true}', { trend: result.latencyExpected }),
    // k6 Rate metric: "passes" are the true samples, i.e. failed requests for http_req_failed.
    http_req_failed: line('http_req_failed', { values: [formatRatePercent(result.failedRate), `${PASS} ${result.failed}`, `${FAIL} ${result.ok}`] }),
    http_reqs: line('http_reqs', { values: [formatCount(result.requests), perSecond(result.requests)] }),
    iteration_duration: line('iteration_duration', { trend: result.iterationDuration }),
    iterations: line('iterations', { values: [formatCount(result.iterations), perSecond(result.iterations)] }),
    vus: line('vus', { values: [String(result.vus.value), `min=${result.vus.min}`, `max=${result.vus.max}`] }),
    vus_max: line('vus_max', { values: [String(result.vusMax), `min=${result.vusMax}`, `max=${result.vusMax}`] }),
  };
}

function showsDroppedIterations(result: LoadResult): boolean {
  return result.scenario.model === 'open' || result.droppedIterations > 0;
}

/** jslib k6-summary 0.1.0 textSummary() layout (what `k6 run k6/scripts/*.js` prints in this repo). */
export function formatLegacySummary(result: LoadResult, thresholds: readonly ThresholdResult[], trendStats: readonly TrendStatName[] = DEFAULT_TREND_STATS): string {
  const all = metricLines(result, thresholds);
  const names = Object.keys(all).filter((n) => n !== 'dropped_iterations' || showsDroppedIterations(result));
  // Already in k6's order: alphabetical by parent metric, sub-metrics right after their parent.
  return formatMetricLines(names.map((n) => all[n]!), trendStats, '   ', true).join('\n');
}

/** `  █ THRESHOLDS` block of k6 1.x: one metric heading, then `✓ 'p(95)<500' p(95)=12.3ms` per threshold. */
export function formatThresholdsBlock(results: readonly ThresholdResult[]): string[] {
  if (results.length === 0) return [];
  const lines = ['  █ THRESHOLDS', ''];
  const metrics = [...new Set(results.map((r) => r.metric))].sort();
  for (const metric of metrics) {
    lines.push(`    ${metric}`);
    for (const r of results.filter((t) => t.metric === metric)) lines.push(`    ${r.ok ? PASS : FAIL} '${r.source}' ${formatThresholdActual(r)}`);
    lines.push('');
  }
  lines.push('');
  return lines;
}

/** k6 1.x compact layout (`k6 run --summary-mode=compact`, k6's default without a handleSummary()). */
export function formatCompactSummary(result: LoadResult, thresholds: readonly ThresholdResult[], trendStats: readonly TrendStatName[] = DEFAULT_TREND_STATS): string {
  const all = metricLines(result, thresholds);
  const failed = all['http_req_failed']!;
  // k6 1.x prints a rate as "0.00%  0 out of 1234" instead of legacy's "✓ 0 ✗ 1234".
  const compactFailed: MetricLine = { name: failed.name, values: [formatRatePercent(result.failedRate), `${result.failed} out of ${result.requests}`] };
  const sections: Array<[string, MetricLine[]]> = [
    ['HTTP', [all['http_req_duration']!, all['http_req_duration{expected_response:true}']!, compactFailed, all['http_reqs']!]],
    ['EXECUTION', [
      ...(showsDroppedIterations(result) ? [all['dropped_iterations']!] : []),
      all['iteration_duration']!, all['iterations']!, all['vus']!, all['vus_max']!,
    ]],
    ['NETWORK', [all['data_received']!, all['data_sent']!]],
  ];
  const lines = [...formatThresholdsBlock(thresholds), '  █ TOTAL RESULTS', ''];
  // k6 sizes the name column per section; a common width (that of `  { expected_response:true }`) reads better.
  const nameWidth = '  { expected_response:true }'.length;
  for (const [section, block] of sections) lines.push(`    ${section}`, ...formatMetricLines(block, trendStats, '  ', false, nameWidth), '');
  return lines.join('\n').trimEnd();
}

function formatSharePercent(share: number): string {
  return `${(share * 100).toFixed(2)}%`;
}

function formatJain(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(3);
}

function formatRatio(value: number | null): string {
  if (value === null) return 'n/a';
  return value === Infinity ? 'inf' : value.toFixed(2);
}

/**
 * The distribution block, exactly as k6/lib/fairness.js formatDistributionText() prints it (contract in
 * k6/README.md, "Summary format"; a test compares both):
 *
 *   replica/worker | requests | share
 *   api-1/0        |     2501 | 25.01%
 *   jain_fairness: 0.999
 *   max_min_ratio: 1.08
 *   unattributed: 3
 */
export function formatDistributionTable(distribution: Distribution): string {
  const header = ['replica/worker', 'requests', 'share'] as const;
  const rows = distribution.perWorker.map((w) => [w.key, String(w.requests), formatSharePercent(w.share)] as const);
  const width = (i: 0 | 1 | 2): number => Math.max(header[i].length, ...rows.map((r) => r[i].length));
  const [w0, w1, w2] = [width(0), width(1), width(2)];
  const line = (r: readonly [string, string, string]): string => `${r[0].padEnd(w0)} | ${r[1].padStart(w1)} | ${r[2].padEnd(w2)}`.trimEnd();
  return [
    line(header),
    ...rows.map(line),
    `jain_fairness: ${formatJain(distribution.workerFairness.jainFairness)}`,
    `max_min_ratio: ${formatRatio(distribution.workerFairness.maxMinRatio)}`,
    `unattributed: ${distribution.unattributed}`,
  ].join('\n');
}

export interface DistributionNotesOptions {
  /** True when the expected topology was given, so silent workers are listed with 0. */
  readonly topologyGiven: boolean;
}

/** Free notes after the table (the contract allows them): per-replica shares, restarts, the topology hint. */
export function formatDistributionNotes(distribution: Distribution, options: DistributionNotesOptions): string[] {
  const notes: string[] = [];
  if (distribution.perReplica.length > 0) {
    notes.push(
      `per replica: ${distribution.perReplica.map((r) => `${r.replica} ${formatSharePercent(r.share)}`).join('  ')}` +
        ` (jain_fairness ${formatJain(distribution.replicaFairness.jainFairness)}, max_min_ratio ${formatRatio(distribution.replicaFairness.maxMinRatio)})`,
    );
  }
  const restarted = distribution.perWorker.filter((w) => w.pids.length > 1);
  if (restarted.length > 0) notes.push(`restarted during the run: ${restarted.map((w) => `${w.key} (pids ${w.pids.join(', ')})`).join('  ')}`);
  if (!options.topologyGiven) {
    notes.push('note: workers that served nothing are not listed (set EXPECTED_REPLICAS and EXPECTED_WORKERS to list them with 0).');
  }
  return notes;
}

export interface SummaryOptions {
  readonly mode?: SummaryMode;
  readonly trendStats?: readonly TrendStatName[];
  /** Shown in the distribution title like the k6 scripts' RUN_ID (default: the result's tag, else "adhoc"). */
  readonly runId?: string;
  readonly topologyGiven?: boolean;
}

/** Everything the CLI prints on stdout at the end: the k6 summary, a blank line, the distribution block. */
export function formatFullSummary(result: LoadResult, thresholds: readonly ThresholdResult[], options: SummaryOptions = {}): string {
  const trendStats = options.trendStats ?? DEFAULT_TREND_STATS;
  const summary = (options.mode ?? 'legacy') === 'legacy' ? formatLegacySummary(result, thresholds, trendStats) : formatCompactSummary(result, thresholds, trendStats);
  return [
    summary,
    '',
    `load distribution by X-Served-By (run ${options.runId ?? result.tag ?? 'adhoc'})`,
    formatDistributionTable(result.distribution),
    ...formatDistributionNotes(result.distribution, { topologyGiven: options.topologyGiven ?? false }),
    '',
  ].join('\n');
}
