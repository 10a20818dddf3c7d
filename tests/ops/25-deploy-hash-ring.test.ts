// make deploy under LB=hash_consistent and a steady load that carries 120 client ids (X-Client-Id): nothing is lost
// while each old container hands its ring slot to its replacement (for a moment both hold the slot, then the old one
// drains), and afterwards every id is served by one replica, with the ids that were together still together: the
// slots, not the container numbers, are the ring (tools/ops/lib.sh, docs/state.md). tests/stack/60-hash-ring shows
// the same without load on 300 ids; this is the operation as a user runs it. Cost: one deploy of 3 replicas, ~50 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingLost, DEFAULT_MIX, underSteadyLoad } from '../lib/steadyLoad.js';
import { compose, containersOf, makeOk, stackComposeCommand } from '../../tools/lib/docker.js';
import { keyMovesAcrossRenames } from '../../tools/compare/src/hashRing/keyMoves.js';
import { mapIdsSettled } from '../../tools/compare/src/hashRing/compareHash.js';
import { baseUrl } from '../lib/stack.js';
import type { IterationSpec, RequestContext } from '../../tools/loadrunner/src/index.js';
import { recordFigure } from './opsStack.js';

const VERSION = `${process.env.API_VERSION ?? 'dev'}-ring`;
const IDS = Array.from({ length: 120 }, (_, i) => `ring-client-${i}`);

/** The steady mix, each request carrying one of the ids in turn. */
function withClientId(spec: IterationSpec): IterationSpec {
  if (!('path' in spec)) throw new Error('the steady mix sends one request per iteration');
  const base = spec.headers;
  return { ...spec, headers: (ctx: RequestContext) => ({ ...(typeof base === 'function' ? base(ctx) : base), 'x-client-id': IDS[ctx.iteration % IDS.length]! }) };
}

test(`make deploy VERSION=${VERSION} under hash_consistent: 0 failed requests, and every id keeps its group`, async () => {
  await compose(stackComposeCommand(), ['build', '--quiet', 'api'], { API_VERSION: VERSION });
  await makeOk('lb', { LB: 'hash_consistent' });
  try {
    await deployAndCheck();
  } finally {
    // The next files (30-scale first) expect round_robin.
    await makeOk('lb', { LB: 'round_robin' });
  }
});

async function deployAndCheck(): Promise<void> {
  const old = await containersOf('api');
  const before = await mapIdsSettled(baseUrl, IDS, old.length);
  const { value, report } = await underSteadyLoad(`make deploy under hash_consistent (${old.length} replicas)`, () => makeOk('deploy', { VERSION }), { mix: DEFAULT_MIX.map(withClientId) });
  recordFigure(report, 'LB=hash_consistent, 120 client ids');
  assertNothingLost(report);
  assert.equal((value.output.match(/takes ring slot api-slot-\d+ over from/g) ?? []).length, old.length, `every replacement took over a slot:\n${value.output}`);
  const settled = await mapIdsSettled(baseUrl, IDS, old.length);
  const moves = keyMovesAcrossRenames(before.map, settled.map);
  assert.equal(moves.moved, 0, `ids that changed group: ${JSON.stringify(moves)}`);
  const now = await containersOf('api');
  assert.deepEqual(Object.values(moves.successors).sort(), now.map((c) => c.replace(/^.*-(api-\d+)$/, '$1')).sort(), 'each new replica took one old replica\'s ids');
  console.log(`# ring across the deploy: ${JSON.stringify(moves.successors)}, ${moves.moved} of ${moves.keys} ids moved (maps until settled: ${before.rounds} before, ${settled.rounds} after)`);
}
