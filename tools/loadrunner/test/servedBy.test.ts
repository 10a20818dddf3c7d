import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildDistribution, DistributionCounter } from '../src/distributionCounter.js';
import { compareNatural, parseServedBy } from '../../../k6/lib/fairness.js';

test('parseServedBy reads <replica>/<worker>/<pid>', () => {
  assert.deepEqual(parseServedBy('api-2/1/57'), { replica: 'api-2', worker: '1', pid: 57 });
  assert.deepEqual(parseServedBy(' api-10/0/1 '), { replica: 'api-10', worker: '0', pid: 1 });
});

test('parseServedBy returns null for missing or malformed values', () => {
  for (const bad of [undefined, '', 'api-1', 'api-1/0', 'api-1/0/x', '/0/1', 'api-1//1', 'a/b/c/d']) {
    assert.equal(parseServedBy(bad), null, `for ${JSON.stringify(bad)}`);
  }
});

test('compareNatural orders api-2 before api-10', () => {
  assert.deepEqual(['api-10', 'api-2', 'api-1'].sort(compareNatural), ['api-1', 'api-2', 'api-10']);
});

test('DistributionCounter aggregates per worker and per replica, and remembers pids', () => {
  const counter = new DistributionCounter();
  const record = (value: string | undefined, times: number): void => {
    for (let i = 0; i < times; i++) counter.record(value);
  };
  record('api-1/0/10', 30);
  record('api-1/1/11', 20);
  record('api-2/0/20', 40);
  record('api-1/0/99', 10); // api-1/0 restarted: new pid
  record(undefined, 3);
  record('garbage', 2);
  const d = counter.snapshot();
  assert.equal(d.attributed, 100);
  assert.equal(d.unattributed, 5);
  assert.deepEqual(
    d.perWorker.map((w) => [w.key, w.requests, w.share, w.pids]),
    [
      ['api-1/0', 40, 0.4, [10, 99]],
      ['api-1/1', 20, 0.2, [11]],
      ['api-2/0', 40, 0.4, [20]],
    ],
  );
  assert.deepEqual(
    d.perReplica.map((r) => [r.replica, r.requests, r.share, r.workers]),
    [
      ['api-1', 60, 0.6, 2],
      ['api-2', 40, 0.4, 1],
    ],
  );
  assert.deepEqual(d.restartedWorkers, ['api-1/0']);
  assert.equal(d.workerFairness.maxMinRatio, 2);
  assert.ok(Math.abs((d.workerFairness.jainFairness ?? 0) - 10000 / (3 * 3600)) < 1e-12);
  assert.equal(d.replicaFairness.maxMinRatio, 1.5);
});

test('buildDistribution of nothing', () => {
  const d = buildDistribution([], 7);
  assert.equal(d.attributed, 0);
  assert.equal(d.unattributed, 7);
  assert.equal(d.workerFairness.jainFairness, null);
  assert.equal(d.workerFairness.maxMinRatio, null);
});
