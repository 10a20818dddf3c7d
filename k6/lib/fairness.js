// Pure load-distribution math and formatting, shared by the k6 scripts (summary.js, distribution.js) and the Node
// load runner, which imports this very file. No k6 imports on purpose: plain ES module, so Node loads it as it is.
//
// The text block formatDistributionText() prints is a contract (k6/README.md, "Summary format"): tests parse it.
//
// How k6 counts, and the one limit of it. handleSummary() only sees aggregated metrics, and it sees a value per tag
// (a sub-metric such as `served_by{served_by_replica:api-1,served_by_worker:0}`) only when a threshold names that
// exact tag set; VUs share no memory, so a JS object per VU can't be merged either. So: one Counter `served_by`,
// tagged with served_by_replica and served_by_worker, plus a threshold for every replica/worker pair that can
// exist. Replica names follow the contract of services/api (api-<n>) and worker ids are 0..n-1, so the pairs are
// a small grid (tallyGrid()):
//   EXPECTED_REPLICAS / EXPECTED_WORKERS set:  exactly that grid; a worker that served nothing is listed with 0
//                                              (and drags fairness down, as it should). EXPECTED_REPLICAS is a
//                                              count (api-1..api-N) or the names ("api-4,api-5,api-6": numbers
//                                              grow across deploys). `make loadtest` reads both from the running
//                                              stack (tools/lib/liveWorkers.ts) when they are not given.
//   unset:                                     up to 8 replicas x 4 workers; pairs with 0 requests are left out,
//                                              because a pair that served nothing can't be told apart from one
//                                              that doesn't exist.
// Responses from outside the grid are still counted in the parent metric: the summary reports them as "unlisted".
// The runner builds the same metrics from what it saw (tools/loadrunner/src/summaryData.ts), so both summaries
// come out of distributionFromSummary() below.
// https://grafana.com/docs/k6/latest/using-k6/thresholds/#set-thresholds-for-specific-tags

/**
 * Parses an `X-Served-By: <replica>/<worker>/<pid>` header value (e.g. "api-2/1/57").
 * Returns null for a missing or malformed value: one odd response must not end a run.
 * @param {string | undefined | null} value
 * @returns {{ replica: string, worker: string, pid: number } | null}
 */
export function parseServedBy(value) {
  if (typeof value !== 'string') return null;
  const parts = value.trim().split('/');
  if (parts.length !== 3) return null;
  const [replica, worker, pid] = parts;
  if (replica === '' || worker === '' || !/^\d+$/.test(pid)) return null;
  return { replica, worker, pid: Number(pid) };
}

/**
 * Natural order: "api-2" before "api-10", worker "2" before "10". Implemented by hand because k6's JavaScript
 * runtime does not honour localeCompare's { numeric: true } option.
 * @param {string} a
 * @param {string} b
 */
export function compareNatural(a, b) {
  const chunks = (s) => s.match(/\d+|\D+/g) || [];
  const ca = chunks(a);
  const cb = chunks(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i];
    const y = cb[i];
    if (x === y) continue;
    const bothNumeric = /^\d/.test(x) && /^\d/.test(y);
    if (bothNumeric) return Number(x) - Number(y) || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return ca.length - cb.length;
}

/**
 * Jain's fairness index, J = (Σx)² / (n·Σx²): 1 when every x is equal, 1/n when one of n gets everything.
 * R. Jain, D. Chiu, W. Hawe, "A Quantitative Measure of Fairness and Discrimination", DEC-TR-301, 1984.
 * @param {number[]} counts
 * @returns {number | null} null for no counts or all zeros
 */
export function jainFairnessIndex(counts) {
  let sum = 0;
  let sumOfSquares = 0;
  for (const x of counts) {
    sum += x;
    sumOfSquares += x * x;
  }
  if (counts.length === 0 || sumOfSquares === 0) return null;
  return (sum * sum) / (counts.length * sumOfSquares);
}

/**
 * Largest count / smallest count: 1 when even, Infinity when a listed worker got nothing.
 * @param {number[]} counts
 * @returns {number | null} null for no counts or all zeros
 */
export function maxMinRatio(counts) {
  if (counts.length === 0) return null;
  const max = Math.max(...counts);
  const min = Math.min(...counts);
  if (max === 0) return null;
  return min === 0 ? Infinity : max / min;
}

/**
 * Turns per-worker request counts into the distribution the summary prints and saves.
 * @param {{ replica: string, worker: string, requests: number }[]} tallies
 * @param {{ unattributed?: number, unlisted?: number }} [extra]
 *   unattributed: responses without a parsable X-Served-By (nginx's own 502/429/413 pages, network errors);
 *   unlisted: attributed responses from workers outside the tallied set (k6 only, see distribution.js).
 */
export function buildDistribution(tallies, extra = {}) {
  const attributed = tallies.reduce((sum, t) => sum + t.requests, 0);
  const shareOf = (n) => (attributed === 0 ? 0 : n / attributed);
  const perWorker = tallies
    .map((t) => ({ key: `${t.replica}/${t.worker}`, replica: t.replica, worker: t.worker, requests: t.requests, share: shareOf(t.requests) }))
    .sort((a, b) => compareNatural(a.replica, b.replica) || compareNatural(a.worker, b.worker));

  const byReplica = new Map();
  for (const w of perWorker) {
    const r = byReplica.get(w.replica) || { replica: w.replica, requests: 0, workers: 0 };
    r.requests += w.requests;
    r.workers += 1;
    byReplica.set(w.replica, r);
  }
  const perReplica = [...byReplica.values()]
    .map((r) => ({ ...r, share: shareOf(r.requests) }))
    .sort((a, b) => compareNatural(a.replica, b.replica));

  const workerCounts = perWorker.map((w) => w.requests);
  const replicaCounts = perReplica.map((r) => r.requests);
  return {
    attributed,
    unattributed: extra.unattributed || 0,
    unlisted: extra.unlisted || 0,
    perWorker,
    perReplica,
    workerFairness: { jainFairness: jainFairnessIndex(workerCounts), maxMinRatio: maxMinRatio(workerCounts) },
    replicaFairness: { jainFairness: jainFairnessIndex(replicaCounts), maxMinRatio: maxMinRatio(replicaCounts) },
  };
}

/** @param {number | null} v */
function formatJain(v) {
  return v === null ? 'n/a' : v.toFixed(3);
}

/** @param {number | null} v */
function formatRatio(v) {
  if (v === null) return 'n/a';
  return v === Infinity ? 'inf' : v.toFixed(2);
}

function formatShare(share) {
  return `${(share * 100).toFixed(2)}%`;
}

/**
 * The summary block (contract, see k6/README.md):
 *
 *   replica/worker | requests | share
 *   api-1/0        |     2501 | 25.01%
 *   ...
 *   jain_fairness: 0.998
 *   max_min_ratio: 1.04
 *   unattributed: 3
 *
 * Columns are separated by " | " and padded with spaces (parse by splitting on "|" and trimming); the first
 * column is left-aligned, requests right-aligned, share left-aligned; no trailing spaces.
 * Rows are in natural replica/worker order; share is of the attributed responses, two decimals.
 * jain_fairness and max_min_ratio are over the per-worker counts: three and two decimals, "inf" when a listed
 * worker served nothing, "n/a" when nothing was attributed.
 * @param {ReturnType<typeof buildDistribution>} dist
 */
export function formatDistributionText(dist) {
  const header = ['replica/worker', 'requests', 'share'];
  const rows = dist.perWorker.map((w) => [w.key, String(w.requests), formatShare(w.share)]);
  const width = (i) => Math.max(header[i].length, ...rows.map((r) => r[i].length));
  const w0 = width(0);
  const w1 = width(1);
  const w2 = width(2);
  // Share is left-aligned so the header reads exactly "replica/worker | requests | share" in the usual case.
  const line = (r) => `${r[0].padEnd(w0)} | ${r[1].padStart(w1)} | ${r[2].padEnd(w2)}`.trimEnd();
  return [
    line(header),
    ...rows.map(line),
    `jain_fairness: ${formatJain(dist.workerFairness.jainFairness)}`,
    `max_min_ratio: ${formatRatio(dist.workerFairness.maxMinRatio)}`,
    `unattributed: ${dist.unattributed}`,
  ].join('\n');
}

/**
 * The same numbers as Markdown tables, per worker and per replica, for the report file.
 * @param {ReturnType<typeof buildDistribution>} dist
 */
export function formatDistributionMarkdown(dist) {
  const lines = [
    '| replica/worker | requests | share |',
    '| --- | ---: | ---: |',
    ...dist.perWorker.map((w) => `| ${w.key} | ${w.requests} | ${formatShare(w.share)} |`),
    '',
    `Workers: Jain's fairness index **${formatJain(dist.workerFairness.jainFairness)}**, ` +
      `max/min **${formatRatio(dist.workerFairness.maxMinRatio)}**.`,
    '',
    '| replica | workers | requests | share |',
    '| --- | ---: | ---: | ---: |',
    ...dist.perReplica.map((r) => `| ${r.replica} | ${r.workers} | ${r.requests} | ${formatShare(r.share)} |`),
    '',
    `Replicas: Jain's fairness index **${formatJain(dist.replicaFairness.jainFairness)}**, ` +
      `max/min **${formatRatio(dist.replicaFairness.maxMinRatio)}**.`,
    '',
    `Responses without X-Served-By (answered by nginx itself, or failed): ${dist.unattributed}.`,
  ];
  if (dist.unlisted > 0) {
    lines.push(`Responses from workers outside the tallied set (not in the tables): ${dist.unlisted}.`);
  }
  return lines.join('\n');
}

// ---- the replica/worker grid and k6's summary data --------------------------------------------------------

export const SERVED_BY = 'served_by';
export const SERVED_BY_MISSING = 'served_by_missing';
const DEFAULT_MAX_REPLICAS = 8;
const DEFAULT_MAX_WORKERS = 4;

/**
 * @typedef {{ exact: boolean, replicas: string[], workers: number }} TallyGrid
 */

const REPLICA_NAME = /^[a-z][a-z0-9_.-]*-\d+$/i;

/**
 * EXPECTED_REPLICAS as replica names: "" -> none, "3" -> api-1..api-3, "api-4,api-5" -> those names.
 * @param {string | number | string[] | undefined} value @returns {string[]}
 */
export function expectedReplicaNames(value) {
  if (Array.isArray(value)) return value;
  const text = value === undefined ? '' : String(value).trim();
  if (text === '' || text === '0') return [];
  if (/^\d+$/.test(text)) return Array.from({ length: Number(text) }, (_, i) => `api-${i + 1}`);
  const names = text.split(',').map((n) => n.trim()).filter((n) => n !== '');
  const bad = names.filter((n) => !REPLICA_NAME.test(n));
  if (bad.length > 0) throw new Error(`EXPECTED_REPLICAS: ${JSON.stringify(bad.join(','))} is not a count or a list of replica names like api-4,api-5`);
  return names;
}

/**
 * The pairs tallied: exactly EXPECTED_REPLICAS x EXPECTED_WORKERS when both are given, else up to 8 x 4 (api-1..api-8).
 * @param {string | number | string[]} [expectedReplicas] a count or names, see expectedReplicaNames()
 * @param {number} [expectedWorkers] @returns {TallyGrid}
 */
export function tallyGrid(expectedReplicas = 0, expectedWorkers = 0) {
  const names = expectedReplicaNames(expectedReplicas);
  const exact = names.length > 0 && expectedWorkers > 0;
  return {
    exact,
    replicas: exact ? names : expectedReplicaNames(Math.max(names.length, DEFAULT_MAX_REPLICAS)),
    workers: exact ? expectedWorkers : Math.max(expectedWorkers, DEFAULT_MAX_WORKERS),
  };
}

/** @param {string} replica @param {string} worker */
export function servedBySubMetric(replica, worker) {
  return `${SERVED_BY}{served_by_replica:${replica},served_by_worker:${worker}}`;
}

/** @param {string} name @returns {{ replica: string, worker: string } | null} */
export function parseServedBySubMetric(name) {
  const m = /^served_by\{served_by_replica:([^,}]+),served_by_worker:([^,}]+)\}$/.exec(name);
  return m ? { replica: String(m[1]), worker: String(m[2]) } : null;
}

/** @param {TallyGrid} grid */
export function gridPairs(grid) {
  const pairs = [];
  for (const replica of grid.replicas) {
    for (let w = 0; w < grid.workers; w++) pairs.push({ replica, worker: String(w) });
  }
  return pairs;
}

/**
 * A threshold per grid pair, so k6 keeps one sub-metric per pair. With `assertSpread` and an exact grid each pair
 * must have served something (`count>0`): a worker that served nothing fails the run. Otherwise they can't fail
 * (`count>=0`), and the summary hides them from the metric list (the distribution table replaces them).
 * @param {TallyGrid} grid @param {boolean} assertSpread @returns {Record<string, string[]>}
 */
export function distributionThresholds(grid, assertSpread) {
  const expression = assertSpread && grid.exact ? 'count>0' : 'count>=0';
  /** @type {Record<string, string[]>} */
  const thresholds = {};
  for (const { replica, worker } of gridPairs(grid)) thresholds[servedBySubMetric(replica, worker)] = [expression];
  return thresholds;
}

/** @param {any} data @param {string} name */
function countOf(data, name) {
  const metric = data.metrics[name];
  return metric && metric.values && typeof metric.values.count === 'number' ? metric.values.count : 0;
}

/**
 * The distribution from handleSummary()'s data: one tally per served_by sub-metric, plus what fell outside.
 * @param {any} data k6's summary data (or the runner's, in the same shape)
 * @param {TallyGrid} grid
 */
export function distributionFromSummary(data, grid) {
  const tallies = [];
  for (const name of Object.keys(data.metrics)) {
    const pair = parseServedBySubMetric(name);
    if (pair === null) continue;
    const requests = countOf(data, name);
    if (grid.exact || requests > 0) tallies.push({ ...pair, requests });
  }
  const listed = tallies.reduce((sum, t) => sum + t.requests, 0);
  const dist = buildDistribution(tallies, {
    unattributed: countOf(data, SERVED_BY_MISSING),
    unlisted: Math.max(0, countOf(data, SERVED_BY) - listed),
  });
  return { ...dist, grid };
}

/**
 * The free notes after the distribution block: the per-replica shares, responses outside the grid, the topology hint.
 * @param {ReturnType<typeof distributionFromSummary>} dist
 * @returns {string[]}
 */
export function formatDistributionNotes(dist) {
  const notes = [];
  if (dist.perReplica.length > 0) {
    notes.push(
      `per replica: ${dist.perReplica.map((r) => `${r.replica} ${formatShare(r.share)}`).join('  ')}` +
        ` (jain_fairness ${formatJain(dist.replicaFairness.jainFairness)}, max_min_ratio ${formatRatio(dist.replicaFairness.maxMinRatio)})`,
    );
  }
  if (dist.unlisted > 0) {
    notes.push(
      `warning: ${dist.unlisted} responses came from replicas/workers outside the tallied grid ` +
        `(${dist.grid.replicas.join(',')} x workers 0..${dist.grid.workers - 1}); they are not in the table. ` +
        'Set EXPECTED_REPLICAS and EXPECTED_WORKERS to the real topology.',
    );
  }
  if (!dist.grid.exact) {
    notes.push('note: workers that served nothing are not listed (set EXPECTED_REPLICAS and EXPECTED_WORKERS to list them with 0).');
  }
  return notes;
}
