// The consistent-hash ring (nginx/strategies/hash_consistent.conf) against plain hash, on the real stack: scaling
// 3 -> 4 moves about 1/4 of the ids under hash_consistent, all of them to the new replica, and more than half under
// plain hash; recreating every replica (same names, new containers) moves none under hash_consistent; going back
// to 3 restores the first mapping. `make compare-hash` also deploys; the deploy is tested under load by
// tests/ops/25-deploy-hash-ring. Cost: 300 ids, three scale/recreate steps, about 2 minutes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareHash, formatHashComparison, type HashStage } from '../../tools/compare/src/hashRing/compareHash.js';
import { ringShareProblems } from '../../tools/compare/src/hashRing/keyMoves.js';
import { StackControl } from '../../tools/compare/src/stackControl.js';
import { repoRoot } from '../../tools/lib/repo.js';
import { stackComposeCommand } from '../../tools/lib/docker.js';
import { baseUrl } from '../lib/stack.js';

const stack = new StackControl({ compose: stackComposeCommand(), baseUrl, cwd: repoRoot, log: (l) => console.log(`# ${l}`) });

after(async () => {
  await stack.switchStrategy('round_robin');
  await stack.recreateApi({});
});

test('hash_consistent moves ~1/4 of the ids to the new replica only; plain hash moves more than half', async () => {
  // No deploy stage: tests/ops/25-deploy-hash-ring proves the deploy keeps every id's group, under load.
  const c = await compareHash({ stack, baseUrl, ids: 300, log: (l) => console.log(`# ${l}`) });
  console.log(formatHashComparison(c).replace(/^/gm, '# '));
  const ring = c.moves.hash_consistent;
  const plain = c.moves.hash;
  // 1/4 expected; ketama with 160 points per server over 300 ids spreads about +-8 points around it.
  assert.ok(ring.scaleUp.movedShare > 0.1 && ring.scaleUp.movedShare < 0.4, `hash_consistent moved ${ring.scaleUp.movedShare}`);
  assert.deepEqual(Object.keys(ring.scaleUp.movedTo), ['api-4'], `hash_consistent moved ids only to the new replica: ${JSON.stringify(ring.scaleUp.movedTo)}`);
  assert.ok(plain.scaleUp.movedShare > 0.5, `plain hash moved ${plain.scaleUp.movedShare}`);
  assert.ok(plain.scaleUp.movedShare > ring.scaleUp.movedShare * 1.5, 'plain hash moves far more than the ring');
  assert.equal(ring.recreate.moved, 0, 'recreating replicas under the same names moves no id on the ring');
  assert.equal(ring.restored.moved, 0, 'back to N=3, every id is where it was');
  // Every replica holds a share, at N=3 and at N=4 (a ring where one name has no points would show 0%), and no key
  // lands elsewhere. 1/N expected; half of it as the floor leaves ketama's spread (about +-8 points, above) room.
  const [n3, n4] = c.stages as [HashStage, HashStage];
  assert.deepEqual(ringShareProblems(n3.maps.hash_consistent, ['api-1', 'api-2', 'api-3'], 1 / 6), [], 'N=3');
  assert.deepEqual(ringShareProblems(n4.maps.hash_consistent, ['api-1', 'api-2', 'api-3', 'api-4'], 1 / 8), [], 'N=4');
});
