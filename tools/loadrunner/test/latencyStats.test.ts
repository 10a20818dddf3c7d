import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latencyStatByName, percentileOfSorted, summarizeSortedLatencies } from '../src/latencyStats.js';
import { SampleBuffer } from '../src/sampleBuffer.js';

test('percentileOfSorted interpolates linearly at rank p·(n−1), like k6', () => {
  const sorted = [10, 20, 30, 40, 50];
  assert.equal(percentileOfSorted(sorted, 0), 10);
  assert.equal(percentileOfSorted(sorted, 0.5), 30);
  assert.equal(percentileOfSorted(sorted, 1), 50);
  // rank 0.9·4 = 3.6 -> 40 + 0.6·10
  assert.ok(Math.abs(percentileOfSorted(sorted, 0.9) - 46) < 1e-9, `p90 = ${percentileOfSorted(sorted, 0.9)}`);
  // rank 0.95·4 = 3.8 -> 48
  assert.ok(Math.abs(percentileOfSorted(sorted, 0.95) - 48) < 1e-9);
});

test('percentileOfSorted handles 0 and 1 samples', () => {
  assert.equal(percentileOfSorted([], 0.99), 0);
  assert.equal(percentileOfSorted([7], 0.99), 7);
});

test('percentiles of 1..1000 match the closed form', () => {
  const sorted = Float64Array.from({ length: 1000 }, (_, i) => i + 1);
  const stats = summarizeSortedLatencies(sorted);
  assert.deepEqual(
    { count: stats.count, min: stats.minMs, max: stats.maxMs, avg: stats.avgMs },
    { count: 1000, min: 1, max: 1000, avg: 500.5 },
  );
  assert.ok(Math.abs(stats.medMs - 500.5) < 1e-9, `med ${stats.medMs}`);
  assert.ok(Math.abs(stats.p90Ms - 900.1) < 1e-9, `p90 ${stats.p90Ms}`);
  assert.ok(Math.abs(stats.p99Ms - 990.01) < 1e-9, `p99 ${stats.p99Ms}`);
  assert.equal(latencyStatByName(stats, 'p(95)'), stats.p95Ms);
  assert.equal(latencyStatByName(stats, 'count'), 1000);
});

test('summarizeSortedLatencies of nothing is all zeros', () => {
  assert.deepEqual(summarizeSortedLatencies([]), { count: 0, minMs: 0, avgMs: 0, medMs: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 });
});

test('SampleBuffer grows, keeps arrival order and sorts slices numerically', () => {
  const buffer = new SampleBuffer();
  for (let i = 3000; i > 0; i--) buffer.push(i / 10);
  assert.equal(buffer.length, 3000);
  const slice = buffer.sortedCopy(0, 3);
  assert.deepEqual([...slice], [299.8, 299.9, 300]);
  const all = buffer.sortedCopy();
  assert.equal(all[0], 0.1);
  assert.equal(all[2999], 300);
  // numeric, not lexicographic: 9 before 10
  const small = new SampleBuffer();
  [10, 9, 100].forEach((v) => small.push(v));
  assert.deepEqual([...small.sortedCopy()], [9, 10, 100]);
});
