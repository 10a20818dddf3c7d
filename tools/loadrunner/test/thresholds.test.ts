import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distributionThresholds, expectedReplicaNames, tallyGrid } from '../../../k6/lib/fairness.js';
import { topologyOf } from '../../lib/liveWorkers.js';
import { buildDistribution, withExpectedTopology } from '../src/distributionCounter.js';
import { summarizeSortedLatencies } from '../src/latencyStats.js';
import { summaryData } from '../src/summaryData.js';
import { applyThresholds, parseThreshold, thresholdsOf } from '../src/thresholds.js';
import type { LoadResult } from '../src/types.js';

test('parseThreshold accepts the documented forms', () => {
  assert.deepEqual(parseThreshold('http_req_failed<0.01'), { metric: 'http_req_failed', source: 'rate<0.01', aggregation: 'rate', operator: '<', value: 0.01 });
  assert.deepEqual(parseThreshold('http_req_failed: rate < 0.01'), parseThreshold('http_req_failed<0.01'));
  assert.deepEqual(parseThreshold('http_req_duration:p(95)<500'), { metric: 'http_req_duration', source: 'p(95)<500', aggregation: 'p(95)', operator: '<', value: 500 });
  assert.deepEqual(parseThreshold('p(99)<=800'), { metric: 'http_req_duration', source: 'p(99)<=800', aggregation: 'p(99)', operator: '<=', value: 800 });
  assert.equal(parseThreshold('http_req_duration{expected_response:true}:avg<100').metric, 'http_req_duration{expected_response:true}');
  assert.deepEqual(parseThreshold('http_reqs:count>=100'), { metric: 'http_reqs', source: 'count>=100', aggregation: 'count', operator: '>=', value: 100 });
  assert.equal(parseThreshold('checks:rate>0.99').metric, 'checks');
  assert.equal(parseThreshold('served_by{served_by_replica:api-1,served_by_worker:0}:count>0').source, 'count>0');
});

test('parseThreshold rejects what it cannot evaluate, saying why', () => {
  for (const bad of ['rate<0.01', 'http_req_duration<500', 'http_req_blocked:p(95)<1', 'p(95)<abc', 'http_reqs<5', '']) {
    assert.throws(() => parseThreshold(bad), /invalid threshold/, `for ${JSON.stringify(bad)}`);
  }
});

function fakeResult(overrides: Partial<LoadResult>): LoadResult {
  const latency = summarizeSortedLatencies(Float64Array.from({ length: 100 }, (_, i) => i + 1));
  return {
    tag: undefined, baseUrl: 'http://127.0.0.1:1', scenario: { model: 'closed', vus: 1, durationSec: 10 }, startedAt: '',
    elapsedSec: 10, requests: 1000, ok: 990, failed: 10, httpErrors: 10, socketErrors: 0, statusCounts: {}, errorCodes: {},
    failedRate: 0.01, throughputRps: 100, latency, latencyExpected: latency, iterationDuration: latency, latencySamplesDropped: 0,
    dataSentBytes: 0, dataReceivedBytes: 0, connectionsOpened: 1, iterations: 1000, interruptedIterations: 0, droppedIterations: 0,
    vus: { value: 1, min: 1, max: 1 }, vusMax: 1, distribution: buildDistribution([], 0), timeSeries: [], checks: [],
    ...overrides,
  };
}

test('thresholds are evaluated on the summary data like k6 (strict <: a 1.00% rate fails rate<0.01)', () => {
  const data = summaryData(fakeResult({}), tallyGrid());
  const results = applyThresholds(data, [
    parseThreshold('http_req_failed<0.01'),
    parseThreshold('http_req_failed<=0.01'),
    parseThreshold('p(95)<100'),
    parseThreshold('p(95)<90'),
    parseThreshold('http_reqs:rate>=100'),
    parseThreshold('http_reqs:count>1000'),
  ]);
  assert.deepEqual(results.map((r) => r.ok), [false, true, true, false, true, false]);
  assert.equal(results[2]?.actual, 95.05);
  // Recorded in the data, as k6 does, so the summary shows ✓/✗ before the metric.
  assert.deepEqual(data.metrics['http_req_failed']?.thresholds, { 'rate<0.01': { ok: false }, 'rate<=0.01': { ok: true } });
});

test('the spread thresholds: with the topology, a replica/worker that served nothing fails count>0', () => {
  const grid = tallyGrid(2, 2);
  const tallies = [
    { replica: 'api-1', worker: '0', requests: 500, pids: [1] },
    { replica: 'api-1', worker: '1', requests: 500, pids: [2] },
    { replica: 'api-2', worker: '0', requests: 0, pids: [] },
  ];
  const result = fakeResult({ distribution: buildDistribution(withExpectedTopology(tallies, grid), 0) });
  const results = applyThresholds(summaryData(result, grid), thresholdsOf(distributionThresholds(grid, true)));
  assert.deepEqual(results.map((r) => [r.metric, r.ok]), [
    ['served_by{served_by_replica:api-1,served_by_worker:0}', true],
    ['served_by{served_by_replica:api-1,served_by_worker:1}', true],
    ['served_by{served_by_replica:api-2,served_by_worker:0}', false],
    ['served_by{served_by_replica:api-2,served_by_worker:1}', false],
  ]);
  // Without assertSpread (or without the topology) the grid only keeps the sub-metrics: nothing can fail.
  assert.ok(applyThresholds(summaryData(result, grid), thresholdsOf(distributionThresholds(grid, false))).every((r) => r.ok));
  assert.deepEqual(Object.values(distributionThresholds(tallyGrid(), true))[0], ['count>=0']);
});

test('the spread grid takes replica names as well as a count: api-4..api-6 after a deploy', () => {
  assert.deepEqual(expectedReplicaNames('3'), ['api-1', 'api-2', 'api-3']);
  assert.deepEqual(expectedReplicaNames('api-4, api-5,api-6'), ['api-4', 'api-5', 'api-6']);
  assert.deepEqual(expectedReplicaNames(''), []);
  assert.throws(() => expectedReplicaNames('api-4;rm -rf /'), /not a count or a list of replica names/);
  const grid = tallyGrid('api-4,api-6', 2);
  assert.equal(grid.exact, true);
  assert.deepEqual(Object.keys(distributionThresholds(grid, true)), [
    'served_by{served_by_replica:api-4,served_by_worker:0}',
    'served_by{served_by_replica:api-4,served_by_worker:1}',
    'served_by{served_by_replica:api-6,served_by_worker:0}',
    'served_by{served_by_replica:api-6,served_by_worker:1}',
  ]);
  // api-1 served, but the stack has no api-1 any more: it is not a row; api-6/1 served nothing: a 0 row.
  const rows = withExpectedTopology([
    { replica: 'api-4', worker: '0', requests: 3, pids: [1] },
    { replica: 'api-4', worker: '1', requests: 3, pids: [2] },
    { replica: 'api-6', worker: '0', requests: 3, pids: [3] },
  ], grid).map((t) => `${t.replica}/${t.worker}=${t.requests}`);
  assert.deepEqual(rows, ['api-4/0=3', 'api-4/1=3', 'api-6/0=3', 'api-6/1=0']);
});

test('the live topology: replicas in number order, workers per replica is the most any replica shows', () => {
  assert.deepEqual(topologyOf(['api-10/0', 'api-4/1', 'api-4/0', 'api-10/1', 'api-5/0']),
    { replicas: ['api-4', 'api-5', 'api-10'], workers: 2, seen: ['api-10/0', 'api-10/1', 'api-4/0', 'api-4/1', 'api-5/0'] });
  assert.deepEqual(topologyOf([]), { replicas: [], workers: 0, seen: [] });
});
