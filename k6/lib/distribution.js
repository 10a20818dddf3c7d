// Which replica and pm2 worker answered: counted in k6 from every response's X-Served-By header
// (<replica>/<worker>/<pid>, e.g. "api-2/1/57"), then summarised by handleSummary() as a table with shares,
// Jain's fairness index and max/min (format: k6/README.md, "Summary format"). How the counting works, and its
// one limit, is explained in fairness.js; this file is the k6 side of it (a Counter, and the report files).
// The tags are also labels of k6_served_by_total in Prometheus (remote write), which the dashboard's k6 row plots.
import { Counter } from 'k6/metrics';
import { BASE_URL, REPORT_DIR, RUN_ID, envNumber, envString } from './config.js';
import { SERVED_BY, SERVED_BY_MISSING, distributionFromSummary, parseServedBy, tallyGrid } from './fairness.js';
import { formatSummaryMarkdown, formatSummaryText, thresholdResults, withoutGridMetrics } from './summary.js';

const servedBy = new Counter(SERVED_BY);
const servedByMissing = new Counter(SERVED_BY_MISSING);

/**
 * The grid this run tallies, from EXPECTED_REPLICAS (a count or names: "api-4,api-5") / EXPECTED_WORKERS.
 * `make loadtest` passes both, read from the running stack (tools/lib/liveWorkers.ts) unless given.
 */
export function grid() {
  return tallyGrid(envString('EXPECTED_REPLICAS', ''), envNumber('EXPECTED_WORKERS', 0));
}

/**
 * Counts one response by its X-Served-By header.
 * @param {string | undefined} header the response's X-Served-By
 */
export function recordServedBy(header) {
  const parsed = parseServedBy(header);
  if (parsed === null) servedByMissing.add(1);
  else servedBy.add(1, { served_by_replica: parsed.replica, served_by_worker: parsed.worker });
}

/**
 * handleSummary()'s result: the summary on stdout, and <REPORT_DIR>/<script>-<RUN_ID>.json / .md.
 * @param {any} data k6's summary data
 * @param {string} script the k6 script's base name
 * @param {string} scenario describeScenario() of what ran
 */
export function distributionSummary(data, script, scenario) {
  const context = { runId: RUN_ID, grid: grid() };
  const finishedAt = new Date().toISOString();
  const base = `${REPORT_DIR}/${script}-${RUN_ID}`;
  const report = {
    script,
    runId: RUN_ID,
    baseUrl: BASE_URL,
    finishedAt,
    thresholds: thresholdResults(data),
    distribution: distributionFromSummary(data, context.grid),
    k6: withoutGridMetrics(data),
  };
  return {
    stdout: formatSummaryText(data, context),
    [`${base}.json`]: `${JSON.stringify(report, null, 2)}\n`,
    [`${base}.md`]: formatSummaryMarkdown(data, { ...context, generator: 'k6', script, scenario, baseUrl: BASE_URL, finishedAt }),
  };
}
