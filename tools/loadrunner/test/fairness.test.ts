import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jainFairnessIndex, maxMinRatio } from '../../../k6/lib/fairness.js';

test("Jain's index is 1 for equal counts", () => {
  assert.equal(jainFairnessIndex([100, 100, 100, 100]), 1);
});

test("Jain's index is 1/n when one gets everything", () => {
  assert.equal(jainFairnessIndex([400, 0, 0, 0]), 0.25);
});

test("Jain's index of a known uneven split", () => {
  // (1+2+3)² / (3·(1+4+9)) = 36/42
  assert.ok(Math.abs((jainFairnessIndex([1, 2, 3]) ?? 0) - 36 / 42) < 1e-12);
  // Node's SCHED_NONE example: 70% of connections on 2 of 8 processes
  const skewed = [35, 35, 5, 5, 5, 5, 5, 5];
  const j = jainFairnessIndex(skewed) ?? 0;
  assert.ok(j > 0.4 && j < 0.5, `expected ~0.45, got ${j}`);
});

test("Jain's index is null without data", () => {
  assert.equal(jainFairnessIndex([]), null);
  assert.equal(jainFairnessIndex([0, 0]), null);
});

test('maxMinRatio', () => {
  assert.equal(maxMinRatio([50, 100, 75]), 2);
  assert.equal(maxMinRatio([10, 10]), 1);
  assert.equal(maxMinRatio([10, 0]), Infinity);
  assert.equal(maxMinRatio([]), null);
  assert.equal(maxMinRatio([0, 0]), null);
});

