// The pure part of make compare-hash: counting moved keys and where they went, and the shares per replica.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyMoves, shares } from '../src/hashRing/keyMoves.js';

test('keyMoves counts the keys that changed replica and where they went', () => {
  const before = new Map([['a', 'api-1'], ['b', 'api-2'], ['c', 'api-3'], ['d', 'api-1']]);
  const after = new Map([['a', 'api-1'], ['b', 'api-4'], ['c', 'api-3'], ['d', 'api-4']]);
  const m = keyMoves(before, after);
  assert.deepEqual({ moved: m.moved, share: m.movedShare, to: m.movedTo, kept: m.keptShare }, { moved: 2, share: 0.5, to: { 'api-4': 2 }, kept: 0.5 });
  assert.equal(keyMoves(before, before).moved, 0);
  assert.throws(() => keyMoves(before, new Map()), /missing/);
});

test('shares are per replica, in natural order', () => {
  const map = new Map([['a', 'api-10'], ['b', 'api-2'], ['c', 'api-2'], ['d', 'api-1']]);
  assert.deepEqual(shares(map), [
    { replica: 'api-1', share: 0.25 },
    { replica: 'api-2', share: 0.5 },
    { replica: 'api-10', share: 0.25 },
  ]);
});
