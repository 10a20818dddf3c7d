// The compare tool's pure parts: rows from both load generators, the side-by-side cells, the HTML report, and the
// k6 command line. The stack test (tests/stack/40-compare.test.ts) runs the whole thing against real containers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowFromK6Report, SecondByWorker, type ComparisonRow, type K6Report } from '../src/comparisonRow.js';
import { comparisonCells, formatComparisonMarkdown, formatComparisonText } from '../src/formatComparison.js';
import { escapeHtml, renderHtmlReport } from '../src/htmlReport.js';
import { k6RunOf, slug } from '../src/runComparison.js';
import { topologyOf } from '../../lib/liveWorkers.js';
import { clusterVariants, connectionVariants, strategyVariants } from '../src/variants.js';

function row(variant: string, overrides: Partial<ComparisonRow> = {}): ComparisonRow {
  return {
    variant,
    scenario: 'skewed',
    source: 'loadrunner',
    requests: 7500,
    durationSec: 15.1,
    throughputRps: 495.24,
    failedRate: 0,
    p50Ms: 11.7,
    p95Ms: 337.3,
    p99Ms: 2757.7,
    perReplica: [{ name: 'api-1', requests: 5000, share: 0.6667 }, { name: 'api-10', requests: 2500, share: 0.3333 }],
    perWorker: [
      { name: 'api-1/0', requests: 2600, share: 0.3467 },
      { name: 'api-1/1', requests: 2400, share: 0.32 },
      { name: 'api-10/0', requests: 2500, share: 0.3333 },
    ],
    workerJain: 0.998,
    workerMaxMin: 1.083,
    replicaJain: 0.9,
    replicaMaxMin: 2,
    busiestWorkerSecondShare: 0.5,
    ...overrides,
  };
}

test('the k6 report (handleSummary JSON) becomes the same row as a runner result', () => {
  const report: K6Report = {
    script: '06-skewed',
    runId: 'r1',
    finishedAt: '2026-12-07T12:18:00.654Z',
    thresholds: [],
    distribution: {
      attributed: 10,
      unlisted: 0,
      perWorker: [{ key: 'api-1/0', requests: 10, share: 1 }],
      perReplica: [{ replica: 'api-1', requests: 10, share: 1 }],
      workerFairness: { jainFairness: 1, maxMinRatio: 1 },
      replicaFairness: { jainFairness: 1, maxMinRatio: 1 },
    },
    k6: {
      state: { testRunDurationMs: 20_500 },
      metrics: {
        http_reqs: { values: { count: 10, rate: 0.49 } },
        http_req_failed: { values: { rate: 0.1, passes: 1, fails: 9 } },
        http_req_duration: { values: { avg: 5, min: 1, med: 4, max: 9, 'p(90)': 8, 'p(95)': 8.5, 'p(99)': 8.9 } },
      },
    },
  };
  const r = rowFromK6Report('least_conn', 'skewed', report, 0.5);
  assert.deepEqual(
    [r.source, r.requests, r.throughputRps, r.failedRate, r.p50Ms, r.p95Ms, r.p99Ms, r.durationSec, r.busiestWorkerSecondShare],
    ['k6', 10, 0.49, 0.1, 4, 8.5, 8.9, 20.5, 0.5],
  );
  assert.deepEqual(r.perWorker, [{ name: 'api-1/0', requests: 10, share: 1 }]);
  const broken = { ...report, k6: { ...report.k6, metrics: { http_reqs: report.k6.metrics.http_reqs } } };
  assert.throws(() => rowFromK6Report('x', 'skewed', broken, null), /no http_req_failed rate/);
});

test('cells: one column per variant, a row per replica and worker in natural order, missing ones as 0.00%', () => {
  const a = row('round_robin');
  const b = row('ip_hash', { perReplica: [{ name: 'api-2', requests: 7500, share: 1 }], perWorker: [{ name: 'api-2/0', requests: 7500, share: 1 }], workerMaxMin: Infinity, replicaJain: null });
  const { header, rows } = comparisonCells([a, b]);
  assert.deepEqual(header, ['', 'round_robin', 'ip_hash']);
  const byLabel = new Map(rows.map((r) => [r[0], r.slice(1)]));
  assert.deepEqual(byLabel.get('p99'), ['2.76 s', '2.76 s']);
  assert.deepEqual(byLabel.get('p50'), ['11.7 ms', '11.7 ms']);
  assert.deepEqual(byLabel.get('worker max/min'), ['1.08', 'inf']);
  assert.deepEqual(byLabel.get('replica fairness (Jain)'), ['0.900', 'n/a']);
  assert.deepEqual(byLabel.get('share api-2'), ['0.00%', '100.00%']);
  assert.deepEqual(rows.filter((r) => r[0]!.startsWith('share api-')).map((r) => r[0]), [
    'share api-1', 'share api-2', 'share api-10', 'share api-1/0', 'share api-1/1', 'share api-2/0', 'share api-10/0',
  ]);
  const text = formatComparisonText([a, b]);
  assert.match(text.split('\n')[0]!, /^\s+round_robin\s+ip_hash$/);
  assert.match(formatComparisonMarkdown('t', [a, b], ['note']), /\| measure \| round_robin \| ip_hash \|\n\| --- \| ---: \| ---: \|/);
});

test('the HTML report is self-contained and holds every number of the table', () => {
  const rows = [row('round_robin'), row('least_conn', { p99Ms: 214.4, throughputRps: 499.2 })];
  const html = renderHtmlReport({ title: 'Strategy comparison: skewed', generatedAt: '2026-11-24T00:00:00Z', notes: ['a <note>'], rows });
  for (const line of comparisonCells(rows).rows) for (const cell of line) assert.ok(html.includes(escapeHtml(cell)), `missing ${cell}`);
  assert.ok(html.includes('a &lt;note&gt;'), 'notes are escaped');
  // Opens from disk with no network: nothing is loaded from anywhere.
  assert.doesNotMatch(html, /<script|<link|src=|url\(|@import|https?:\/\//i);
  assert.equal((html.match(/<svg role="img"/g) ?? []).length, 3, 'worker shares, latency, throughput charts');
  assert.match(html, /<title>round_robin, api-1\/0: 34\.7%<\/title>/);
  assert.match(html, /class="even"/, 'the even share is drawn');
});

test('variants: strategies are checked by name; the cluster comparison is 1 worker vs N under both scheduling policies', () => {
  assert.deepEqual(strategyVariants(['round_robin', 'least_conn']).map((v) => v.name), ['round_robin', 'least_conn']);
  assert.throws(() => strategyVariants(['fastest']), /unknown strategy "fastest"/);
  assert.deepEqual(clusterVariants(2).map((v) => [v.name, v.expectedWorkers]), [
    ['1 worker', 1], ['2 workers, SCHED_RR', 2], ['2 workers, SCHED_NONE', 2],
  ]);
});

test('variants: connections are 1/2/4/64 on one recreated replica, then 1 again with nginx recreated without upstream keep-alive', () => {
  const variants = connectionVariants(2);
  assert.deepEqual(variants.map((v) => [v.name, v.overrides?.vus, v.recreatesApi ?? false, v.recreatesNginx ?? false]), [
    ['1 connection', 1, true, false],
    ['2 connections', 2, false, false],
    ['4 connections', 4, false, false],
    ['64 connections', 64, false, false],
    ['1 connection, upstream keep-alive off', 1, false, true],
  ]);
  // The keep-alive-off variant must still find the same workers serving after nginx was recreated.
  assert.equal(variants.at(-1)!.expectedWorkers, 2);
});

test('a k6 variant run: the strategy tag, only the overrides given, and the topology a variant set', () => {
  const [variant] = strategyVariants(['least_conn']);
  assert.deepEqual(k6RunOf('06-skewed', 'r1-least-conn', '/repo/reports/r1', variant!, { durationSec: 10 }), {
    script: '06-skewed', runId: 'r1-least-conn', reportDir: '/repo/reports/r1',
    env: { STRATEGY: 'least_conn', DURATION: '10s', EXPECTED_REPLICAS: undefined, EXPECTED_WORKERS: undefined },
  });
  const [one] = clusterVariants(2);
  assert.deepEqual(k6RunOf('02-post000-cluster', 'r2', '/repo/reports/r2', one!, { vus: 300, durationSec: 6 }, topologyOf(['api-1/0'])).env, {
    STRATEGY: 'round_robin', VUS: '300', DURATION: '6s', EXPECTED_REPLICAS: 'api-1', EXPECTED_WORKERS: '1',
  });
  assert.equal(slug('2 workers, SCHED_NONE'), '2-workers-sched-none');
});

test('busiest worker per second: the median of each whole second\'s top share, partial seconds and thin seconds left out', () => {
  const t0 = 1_000_000;
  const s = new SecondByWorker(t0);
  const add = (second: number, worker: string, n: number): void => {
    for (let i = 0; i < n; i++) s.add(t0 + second * 1000 + i, `${worker}/${100 + i}`);
  };
  add(0, 'api-1/0', 50); // first second: partial, left out
  add(1, 'api-1/0', 30); add(1, 'api-1/1', 10); // 0.75
  add(2, 'api-1/1', 40); // 1.0 (one worker took the whole second)
  add(3, 'api-1/0', 20); add(3, 'api-1/1', 20); // 0.5
  add(4, 'api-1/0', 5); // too few requests to say
  add(5, 'api-1/1', 40); // last second: partial, left out
  assert.equal(s.busiestShareMedian(), 0.75);
  assert.equal(new SecondByWorker(t0).busiestShareMedian(), null);
});
