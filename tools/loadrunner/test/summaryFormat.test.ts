import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDurationMs } from '../../../k6/lib/scenarios.js';
import { formatBytes, formatCount, formatDurationMs, formatRatePercent } from '../../../k6/lib/summary.js';
import { formatRunningTime } from '../src/progressLine.js';

test('durations render like k6 (truncated, no trailing zeros)', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'], [0.0005, '500ns'], [0.5205, '520.5µs'], [148.219, '148.21ms'], [1.5, '1.5ms'], [40, '40ms'],
    [3180, '3.18s'], [1000, '1s'], [90_000, '1m30s'], [3_723_000, '1h2m3s'],
  ];
  for (const [ms, expected] of cases) assert.equal(formatDurationMs(ms), expected, `for ${ms} ms`);
});

test('bytes render in decimal units like k6', () => {
  const cases: Array<[number, string]> = [[9, '9 B'], [26_000, '26 kB'], [2_800, '2.8 kB'], [1_800_000, '1.8 MB'], [411, '411 B']];
  for (const [bytes, expected] of cases) assert.equal(formatBytes(bytes), expected, `for ${bytes}`);
});

test('rates are truncated to 2 decimals, counts to 6 without trailing zeros', () => {
  assert.equal(formatRatePercent(0), '0.00%');
  assert.equal(formatRatePercent(0.099999), '9.99%');
  assert.equal(formatRatePercent(1), '100.00%');
  assert.equal(formatCount(1234), '1234');
  assert.equal(formatCount(41.0999996), '41.1');
  assert.equal(formatCount(4.3740601), '4.37406');
});

test('running time like k6 progress', () => {
  assert.equal(formatRunningTime(30.04), '0m30.0s');
  assert.equal(formatRunningTime(5), '0m05.0s');
  assert.equal(formatRunningTime(61.25), '1m01.3s');
});

test('parseDurationMs accepts k6 duration strings', () => {
  assert.equal(parseDurationMs('30s'), 30_000);
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('500ms'), 500);
  assert.equal(parseDurationMs('1.5s'), 1500);
  assert.equal(parseDurationMs('2'), 2000);
  assert.equal(parseDurationMs('0'), 0);
  for (const bad of ['', 's', '10x', '1m 30s', '-1s']) assert.throws(() => parseDurationMs(bad), /invalid duration/, bad);
});
