import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildDistribution } from '../src/distributionCounter.js';
import { summarizeSortedLatencies } from '../src/latencyStats.js';
import { evaluateThresholds, formatThresholdActual, parseThreshold } from '../src/thresholds.js';
import type { LoadResult } from '../src/types.js';

test('parseThreshold accepts the documented forms', () => {
  assert.deepEqual(parseThreshold('http_req_failed<0.01'), { metric: 'http_req_failed', source: 'rate<0.01', aggregation: 'rate', operator: '<', value: 0.01 });
  assert.deepEqual(parseThreshold('http_req_failed: rate < 0.01'), parseThreshold('http_req_failed<0.01'));
  assert.deepEqual(parseThreshold('http_req_duration:p(95)<500'), { metric: 'http_req_duration', source: 'p(95)<500', aggregation: 'p(95)', operator: '<', value: 500 });
  assert.deepEqual(parseThreshold('p(99)<=800'), { metric: 'http_req_duration', source: 'p(99)<=800', aggregation: 'p(99)', operator: '<=', value: 800 });
  assert.equal(parseThreshold('http_req_duration{expected_response:true}:avg<100').metric, 'http_req_duration{expected_response:true}');
  assert.deepEqual(parseThreshold('http_reqs:count>=100'), { metric: 'http_reqs', source: 'count>=100', aggregation: 'count', operator: '>=', value: 100 });
  assert.equal(parseThreshold('dropped_iterations:count==0').operator, '==');
});

test('parseThreshold rejects what it cannot evaluate, saying why', () => {
  for (const bad of ['rate<0.01', 'http_req_duration<500', 'http_req_failed:p(95)<1', 'p(99.9)<5', 'http_reqs<5', 'checks:rate>0.9', 'p(95)<abc', '']) {
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
    vus: { value: 1, min: 1, max: 1 }, vusMax: 1, distribution: buildDistribution([], 0), timeSeries: [],
    ...overrides,
  };
}

test('evaluateThresholds compares like k6 (strict <: a 1.00% rate fails rate<0.01)', () => {
  const results = evaluateThresholds(fakeResult({}), [
    parseThreshold('http_req_failed<0.01'),
    parseThreshold('http_req_failed<=0.01'),
    parseThreshold('p(95)<100'),
    parseThreshold('p(95)<90'),
    parseThreshold('http_reqs:rate>=100'),
    parseThreshold('http_reqs:count>1000'),
  ]);
  assert.deepEqual(results.map((r) => r.ok), [false, true, true, false, true, false]);
  assert.equal(formatThresholdActual(results[0]!), 'rate=1.00%');
  assert.equal(formatThresholdActual(results[2]!), 'p(95)=95.05ms');
  assert.equal(formatThresholdActual(results[4]!), 'rate=100/s');
  assert.equal(formatThresholdActual(results[5]!), 'count=1000');
});
