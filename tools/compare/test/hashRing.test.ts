// The pure part of make compare-hash: counting moved keys and where they went, and the shares per replica.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyMoves, keyMovesAcrossRenames, ringShareProblems, shares } from '../src/hashRing/keyMoves.js';

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

test('keyMovesAcrossRenames: a deploy that only renames the replicas moves nothing; a split or a merge moves keys', () => {
  const before = new Map([['a', 'api-1'], ['b', 'api-1'], ['c', 'api-2'], ['d', 'api-2'], ['e', 'api-3']]);
  const renamed = new Map([['a', 'api-5'], ['b', 'api-5'], ['c', 'api-4'], ['d', 'api-4'], ['e', 'api-6']]);
  const kept = keyMovesAcrossRenames(before, renamed);
  assert.equal(kept.moved, 0);
  assert.deepEqual(kept.successors, { 'api-1': 'api-5', 'api-2': 'api-4', 'api-3': 'api-6' });
  // api-1's keys split over two new replicas: the smaller part moved.
  const split = keyMovesAcrossRenames(before, new Map([...renamed, ['b', 'api-6']]));
  assert.deepEqual({ moved: split.moved, to: split.movedTo }, { moved: 1, to: { 'api-6': 1 } });
  // api-2 and api-3 merged onto api-4: one group keeps it, the other moved (3 replicas became 2).
  const merged = keyMovesAcrossRenames(before, new Map([...renamed, ['e', 'api-4']]));
  assert.deepEqual({ moved: merged.moved, to: merged.movedTo }, { moved: 1, to: { 'api-4': 1 } });
  assert.equal(keyMovesAcrossRenames(before, before).moved, 0, 'no rename at all is no move either');
  assert.throws(() => keyMovesAcrossRenames(before, new Map()), /missing/);
});

test('ringShareProblems names a replica that holds no share, too small a share, or a stranger', () => {
  const even = new Map([['a', 'api-1'], ['b', 'api-2'], ['c', 'api-3'], ['d', 'api-1']]);
  assert.deepEqual(ringShareProblems(even, ['api-1', 'api-2', 'api-3'], 0.2), []);
  // Planted: api-3 has no points on the ring, its keys went to api-1.
  const noShare = new Map([['a', 'api-1'], ['b', 'api-2'], ['c', 'api-1'], ['d', 'api-1']]);
  assert.deepEqual(ringShareProblems(noShare, ['api-1', 'api-2', 'api-3'], 0.2), ['api-3 holds 0.0% of the keys (at least 20.0% expected)']);
  assert.deepEqual(ringShareProblems(even, ['api-1', 'api-2', 'api-3'], 0.3), ['api-2 holds 25.0% of the keys (at least 30.0% expected)', 'api-3 holds 25.0% of the keys (at least 30.0% expected)']);
  assert.deepEqual(ringShareProblems(even, ['api-1', 'api-2'], 0.2), ['api-3 holds keys but is not one of api-1, api-2']);
});
