import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildDistribution, withExpectedTopology, type WorkerTallyInput } from '../src/distributionCounter.js';
import { formatCompactSummary, formatDistributionNotes, formatDistributionTable, formatFullSummary, formatLegacySummary } from '../src/formatSummary.js';
import { formatMarkdownSummary } from '../src/formatMarkdown.js';
import { summarizeSortedLatencies } from '../src/latencyStats.js';
import { formatProgressLine } from '../src/progressLine.js';
import { evaluateThresholds, parseThreshold } from '../src/thresholds.js';
import type { Distribution, LoadResult } from '../src/types.js';

const FOUR_WORKERS: WorkerTallyInput[] = [
  { replica: 'api-2', worker: '1', requests: 2400, pids: [32] },
  { replica: 'api-1', worker: '0', requests: 2501, pids: [57] },
  { replica: 'api-2', worker: '0', requests: 2600, pids: [31] },
  { replica: 'api-1', worker: '1', requests: 2499, pids: [58] },
];

test('distribution table matches the k6/README.md "Summary format" example exactly', () => {
  const expected = [
    'replica/worker | requests | share',
    'api-1/0        |     2501 | 25.01%',
    'api-1/1        |     2499 | 24.99%',
    'api-2/0        |     2600 | 26.00%',
    'api-2/1        |     2400 | 24.00%',
    'jain_fairness: 0.999',
    'max_min_ratio: 1.08',
    'unattributed: 3',
  ].join('\n');
  assert.equal(formatDistributionTable(buildDistribution(FOUR_WORKERS, 3)), expected);
});

test('n/a without data, inf when an expected worker served nothing', () => {
  assert.equal(formatDistributionTable(buildDistribution([], 5)), 'replica/worker | requests | share\njain_fairness: n/a\nmax_min_ratio: n/a\nunattributed: 5');
  const withSilentWorker = buildDistribution(withExpectedTopology(FOUR_WORKERS.slice(0, 3), { replicas: 2, workers: 2 }), 0);
  const table = formatDistributionTable(withSilentWorker);
  assert.match(table, /^api-1\/1 {8}\| {8}0 \| 0\.00%$/m);
  assert.match(table, /^max_min_ratio: inf$/m);
});

test('notes after the table: per replica, restarts, the topology hint', () => {
  const d = buildDistribution([{ replica: 'api-1', worker: '0', requests: 10, pids: [1, 2] }, { replica: 'api-2', worker: '0', requests: 30, pids: [3] }], 0);
  assert.deepEqual(formatDistributionNotes(d, { topologyGiven: false }), [
    'per replica: api-1 25.00%  api-2 75.00% (jain_fairness 0.800, max_min_ratio 3.00)',
    'restarted during the run: api-1/0 (pids 1, 2)',
    'note: workers that served nothing are not listed (set EXPECTED_REPLICAS and EXPECTED_WORKERS to list them with 0).',
  ]);
  assert.equal(formatDistributionNotes(buildDistribution([], 0), { topologyGiven: true }).length, 0);
});

interface K6FairnessLib {
  buildDistribution(tallies: ReadonlyArray<{ replica: string; worker: string; requests: number }>, extra?: { unattributed?: number }): unknown;
  formatDistributionText(dist: unknown): string;
}

// The contract says both sides print the same block: check it against the k6 side's own code when it is there.
const k6Fairness = fileURLToPath(new URL('../../../k6/lib/fairness.js', import.meta.url));
test('same block as k6/lib/fairness.js formatDistributionText()', { skip: existsSync(k6Fairness) ? false : `${k6Fairness} not found` }, async () => {
  const lib = (await import(k6Fairness)) as K6FairnessLib;
  const cases: Array<[WorkerTallyInput[], number]> = [
    [FOUR_WORKERS, 3],
    [[], 0],
    [[{ replica: 'api-10', worker: '0', requests: 1, pids: [] }, { replica: 'api-2', worker: '12', requests: 123456789, pids: [] }, { replica: 'api-2', worker: '2', requests: 0, pids: [] }], 7],
    [Array.from({ length: 12 }, (_, i) => ({ replica: `api-${(i % 3) + 1}`, worker: String(Math.floor(i / 3)), requests: 1000 + i * 37, pids: [i] })), 0],
  ];
  for (const [tallies, unattributed] of cases) {
    const theirs = lib.formatDistributionText(lib.buildDistribution(tallies, { unattributed }));
    assert.equal(formatDistributionTable(buildDistribution(tallies, unattributed)), theirs);
  }
});

function result(distribution: Distribution = buildDistribution(FOUR_WORKERS, 0)): LoadResult {
  const latency = summarizeSortedLatencies(Float64Array.from({ length: 1234 }, (_, i) => 1 + i * 0.05));
  return {
    tag: 'unit', baseUrl: 'http://127.0.0.1:8080', scenario: { model: 'closed', vus: 10, durationSec: 30, sleepMs: 1000 },
    startedAt: '2026-01-01T00:00:00.000Z', elapsedSec: 30.024, requests: 1234, ok: 1234, failed: 0, httpErrors: 0, socketErrors: 0,
    statusCounts: { 200: 1234 }, errorCodes: {}, failedRate: 0, throughputRps: 41.1, latency, latencyExpected: latency,
    iterationDuration: latency, latencySamplesDropped: 0, dataSentBytes: 98_000, dataReceivedBytes: 1_234_000, connectionsOpened: 10,
    iterations: 1234, interruptedIterations: 0, droppedIterations: 0, vus: { value: 10, min: 10, max: 10 }, vusMax: 10,
    distribution, timeSeries: [{ second: 0, requests: 41, failed: 0, p99Ms: 12.5 }],
  };
}

test('legacy summary: the lines jslib k6-summary 0.1.0 prints, alphabetical, ✓/✗ on metrics with thresholds', () => {
  const r = result();
  const thresholds = evaluateThresholds(r, [parseThreshold('http_req_failed<0.01'), parseThreshold('p(95)<10')]);
  const lines = formatLegacySummary(r, thresholds).split('\n');
  const trend = lines[2]!.split(': ')[1];
  assert.deepEqual(lines, [
    '     data_received..................: 1.2 MB 41 kB/s',
    '     data_sent......................: 98 kB  3.3 kB/s',
    `   ✗ http_req_duration..............: ${trend}`,
    `       { expected_response:true }...: ${trend}`,
    '   ✓ http_req_failed................: 0.00%  ✓ 0         ✗ 1234',
    '     http_reqs......................: 1234   41.100453/s',
    `     iteration_duration.............: ${trend}`,
    '     iterations.....................: 1234   41.100453/s',
    '     vus............................: 10     min=10      max=10',
    '     vus_max........................: 10     min=10      max=10',
  ]);
  assert.match(trend ?? '', /^avg=31\.82ms min=1ms +med=31\.82ms max=62\.65ms p\(90\)=56\.48ms p\(95\)=59\.56ms p\(99\)=62\.03ms$/);
});

test('compact summary: k6 1.x THRESHOLDS and TOTAL RESULTS layout, "N out of M" for the failed rate', () => {
  const r = result();
  const text = formatCompactSummary(r, evaluateThresholds(r, [parseThreshold('http_req_failed<0.01'), parseThreshold('p(95)<10')]));
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(0, 11), [
    '  █ THRESHOLDS', '', '    http_req_duration', "    ✗ 'p(95)<10' p(95)=59.56ms", '', '    http_req_failed', "    ✓ 'rate<0.01' rate=0.00%", '', '',
    '  █ TOTAL RESULTS', '',
  ]);
  assert.ok(lines.includes('    http_req_failed................: 0.00% 0 out of 1234'), text);
  assert.ok(lines.includes('    http_reqs......................: 1234  41.100453/s'), text);
  assert.ok(lines.includes('    data_received..................: 1.2 MB 41 kB/s'), text);
  for (const section of ['    HTTP', '    EXECUTION', '    NETWORK']) assert.ok(lines.includes(section), section);
});

test('full summary: k6 summary, blank line, titled distribution block, notes', () => {
  const text = formatFullSummary(result(), [], { runId: 'r42', topologyGiven: true });
  const tail = text.slice(text.indexOf('\n\nload distribution'));
  assert.equal(
    tail,
    '\n\nload distribution by X-Served-By (run r42)\n' +
      `${formatDistributionTable(result().distribution)}\n` +
      'per replica: api-1 50.00%  api-2 50.00% (jain_fairness 1.000, max_min_ratio 1.00)\n',
  );
});

test('markdown summary carries the distribution and per-second tables', () => {
  const md = formatMarkdownSummary(result(), []);
  assert.match(md, /^# Load test \(unit\)/);
  assert.match(md, /\| api-1\/0 \| 2501 \| 25\.01% \| 57 \|/);
  assert.match(md, /\| 0 \| 41 \| 0 \| 12\.5ms \|/);
});

test('progress line reads like k6', () => {
  const line = formatProgressLine({
    elapsedSec: 12, durationSec: 30, requests: 9876, failed: 0, iterations: 9876, interruptedIterations: 0, droppedIterations: 0,
    activeVus: 1000, maxVus: 1000, inFlight: 40, intervalRps: 823.4, intervalP99Ms: 41.234,
  });
  assert.equal(line, 'running (0m12.0s), 1000/1000 VUs, 9876 complete and 0 interrupted iterations | 823.4 req/s | failed 0.00% | p99 41.23ms');
});
