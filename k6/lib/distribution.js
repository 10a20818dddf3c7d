// Which replica and pm2 worker answered: counted from every response's X-Served-By header
// (<replica>/<worker>/<pid>, e.g. "api-2/1/57"), summarised at the end of the run as a table with shares,
// Jain's fairness index and max/min (format: k6/README.md, "Summary format").
//
// Design, and its one limitation. handleSummary() only sees aggregated metrics, and it sees a value per tag
// (a sub-metric such as `served_by{served_by_replica:api-1,served_by_worker:0}`) only when a threshold names
// that exact tag set; VUs share no memory, so counting in a JS object per VU can't be merged either.
// So: one Counter `served_by`, tagged with served_by_replica and served_by_worker, plus a no-op threshold
// (count>=0) for every replica/worker pair that can exist. Replica names are predictable (api-1, api-2, ...:
// the contract of services/api) and worker ids are 0..n-1, so the pairs are a small grid:
//   EXPECTED_REPLICAS / EXPECTED_WORKERS set:  exactly that grid; a worker that served nothing is listed with 0
//                                              (and drags fairness down, as it should).
//   unset:                                     up to 8 replicas x 4 workers; pairs with 0 requests are left out,
//                                              because a pair that served nothing can't be told apart from one
//                                              that doesn't exist.
// Responses from outside the grid (more replicas than tallied, a REPLICA override) are still counted in the
// parent metric: the summary reports them as "unlisted" and says which variable to raise.
// https://grafana.com/docs/k6/latest/results-output/end-of-test/custom-summary/
// https://grafana.com/docs/k6/latest/using-k6/thresholds/#set-thresholds-for-specific-tags
//
// The tags are also labels of k6_served_by_total in Prometheus (remote write), which the dashboard's k6 row plots.
import { Counter } from 'k6/metrics';
import { textSummary } from 'https://jslib.k6.io/k6-summary/0.1.0/index.js';
import { BASE_URL, REPORT_DIR, RUN_ID, envNumber } from './config.js';
import { buildDistribution, formatDistributionMarkdown, formatDistributionText, parseServedBy } from './fairness.js';

const SERVED_BY = 'served_by';
const SERVED_BY_MISSING = 'served_by_missing';

const servedBy = new Counter(SERVED_BY);
const servedByMissing = new Counter(SERVED_BY_MISSING);

const DEFAULT_MAX_REPLICAS = 8;
const DEFAULT_MAX_WORKERS = 4;

function tallyGrid() {
  const exactReplicas = envNumber('EXPECTED_REPLICAS', 0);
  const exactWorkers = envNumber('EXPECTED_WORKERS', 0);
  const exact = exactReplicas > 0 && exactWorkers > 0;
  return {
    exact,
    replicas: exact ? exactReplicas : Math.max(exactReplicas, DEFAULT_MAX_REPLICAS),
    workers: exact ? exactWorkers : Math.max(exactWorkers, DEFAULT_MAX_WORKERS),
  };
}

function subMetricName(replica, worker) {
  return `${SERVED_BY}{served_by_replica:${replica},served_by_worker:${worker}}`;
}

function gridPairs() {
  const { replicas, workers } = tallyGrid();
  const pairs = [];
  for (let r = 1; r <= replicas; r++) {
    for (let w = 0; w < workers; w++) pairs.push({ replica: `api-${r}`, worker: String(w) });
  }
  return pairs;
}

/**
 * Thresholds that make k6 keep one sub-metric per replica/worker pair. Merge into options.thresholds.
 * They can't fail (count>=0); the summary hides them from the threshold list.
 */
export function distributionThresholds() {
  const thresholds = {};
  for (const { replica, worker } of gridPairs()) thresholds[subMetricName(replica, worker)] = ['count>=0'];
  return thresholds;
}

/**
 * Counts one response by its X-Served-By header. Call it for every response of interest.
 * @returns the parsed header, or null when it was missing or malformed (counted as unattributed)
 */
export function recordServedBy(res) {
  const parsed = parseServedBy(res.headers['X-Served-By']);
  if (parsed === null) {
    servedByMissing.add(1);
    return null;
  }
  servedBy.add(1, { served_by_replica: parsed.replica, served_by_worker: parsed.worker });
  return parsed;
}

function countOf(data, name) {
  const metric = data.metrics[name];
  return metric && metric.values && typeof metric.values.count === 'number' ? metric.values.count : 0;
}

/** The distribution from the summary data: one tally per grid pair, plus what fell outside. */
export function distributionFromSummary(data) {
  const { exact, replicas, workers } = tallyGrid();
  const tallies = gridPairs()
    .map(({ replica, worker }) => ({ replica, worker, requests: countOf(data, subMetricName(replica, worker)) }))
    .filter((t) => exact || t.requests > 0);
  const listed = tallies.reduce((sum, t) => sum + t.requests, 0);
  const dist = buildDistribution(tallies, {
    unattributed: countOf(data, SERVED_BY_MISSING),
    unlisted: Math.max(0, countOf(data, SERVED_BY) - listed),
  });
  return { ...dist, grid: { exact, replicas, workers } };
}

// The grid's sub-metrics would add two lines each to the THRESHOLDS section; the table replaces them.
function withoutGridMetrics(data) {
  const metrics = {};
  for (const [name, metric] of Object.entries(data.metrics)) {
    if (!name.startsWith(`${SERVED_BY}{`)) metrics[name] = metric;
  }
  return { ...data, metrics };
}

function thresholdResults(data) {
  const results = [];
  for (const [name, metric] of Object.entries(data.metrics)) {
    if (name.startsWith(`${SERVED_BY}{`) || !metric.thresholds) continue;
    for (const [expression, outcome] of Object.entries(metric.thresholds)) {
      results.push({ metric: name, threshold: expression, ok: outcome.ok });
    }
  }
  return results;
}

function metricValue(data, name, stat) {
  const metric = data.metrics[name];
  return metric && metric.values ? metric.values[stat] : undefined;
}

function markdownReport(script, data, dist, thresholds) {
  const ms = (v) => (typeof v === 'number' ? `${v.toFixed(1)} ms` : 'n/a');
  const pct = (v) => (typeof v === 'number' ? `${(v * 100).toFixed(2)}%` : 'n/a');
  const num = (v) => (typeof v === 'number' ? String(Math.round(v)) : 'n/a');
  return [
    `# k6 run ${RUN_ID}: ${script}`,
    '',
    `- target: ${BASE_URL}`,
    `- finished: ${new Date().toISOString()}`,
    `- duration: ${(data.state.testRunDurationMs / 1000).toFixed(1)} s`,
    `- requests: ${num(metricValue(data, 'http_reqs', 'count'))} (${num(metricValue(data, 'http_reqs', 'rate'))}/s), ` +
      `failed: ${pct(metricValue(data, 'http_req_failed', 'rate'))}`,
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

/**
 * Builds handleSummary()'s result: k6's usual text summary plus the distribution block on stdout, and
 * <REPORT_DIR>/<script>-<RUN_ID>.json / .md.
 * Use: export function handleSummary(data) { return distributionSummary(data, '02-post000-cluster'); }
 */
export function distributionSummary(data, script) {
  const dist = distributionFromSummary(data);
  const thresholds = thresholdResults(data);
  const notes = [];
  if (dist.unlisted > 0) {
    notes.push(
      `warning: ${dist.unlisted} responses came from replicas/workers outside the tallied grid ` +
        `(api-1..api-${dist.grid.replicas} x workers 0..${dist.grid.workers - 1}); they are not in the table. ` +
        'Set EXPECTED_REPLICAS and EXPECTED_WORKERS to the real topology.',
    );
  }
  if (!dist.grid.exact) {
    notes.push('note: workers that served nothing are not listed (set EXPECTED_REPLICAS and EXPECTED_WORKERS to list them with 0).');
  }

  const colors = Boolean(data.state && data.state.isStdOutTTY);
  const stdout = [
    textSummary(withoutGridMetrics(data), { indent: ' ', enableColors: colors }),
    '',
    `load distribution by X-Served-By (run ${RUN_ID})`,
    formatDistributionText(dist),
    ...notes,
    '',
  ].join('\n');

  const base = `${REPORT_DIR}/${script}-${RUN_ID}`;
  const report = {
    script,
    runId: RUN_ID,
    baseUrl: BASE_URL,
    finishedAt: new Date().toISOString(),
    thresholds,
    distribution: dist,
    k6: withoutGridMetrics(data),
  };
  return {
    stdout,
    [`${base}.json`]: `${JSON.stringify(report, null, 2)}\n`,
    [`${base}.md`]: markdownReport(script, data, dist, thresholds),
  };
}
