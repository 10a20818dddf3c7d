// make reload and make deploy under a session load (docs/state.md): every client keeps its session in the shared
// store while every worker is replaced, so each client's counts run 1, 2, 3, ... with no reset and no failed call.
// Cost: one reload and one deploy of the stack's replicas, about 2-3 minutes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSessionClient, type Visit } from '../../tools/compare/src/sessions/sessionClient.js';
import { compose, makeOk, stackComposeCommand } from '../../tools/lib/docker.js';
import { baseUrl } from '../lib/stack.js';

const CLIENTS = 8;

/** CLIENTS cookie-jar clients calling POST /session/visits every 50 ms until `operation` ends. */
async function underSessionLoad(operation: () => Promise<unknown>): Promise<Visit[][]> {
  let done = false;
  const clients = Array.from({ length: CLIENTS }, (_, i) =>
    runSessionClient({ baseUrl, calls: 100_000, clientId: `ops-${Date.now()}-${i}`, pauseMs: 50, stop: () => done }),
  );
  try {
    await operation();
  } finally {
    done = true;
  }
  return Promise.all(clients);
}

function assertEverySessionKept(what: string, perClient: readonly Visit[][]): void {
  for (const [i, visits] of perClient.entries()) {
    const failed = visits.filter((v) => v.visits === null);
    assert.deepEqual(failed, [], `${what}: client ${i} had failed calls`);
    const counts = visits.map((v) => v.visits);
    assert.deepEqual(counts, counts.map((_, k) => k + 1), `${what}: client ${i} lost its session: ${counts.join(' ')}`);
    assert.ok(visits.length >= 10, `${what}: client ${i} made only ${visits.length} calls`);
  }
  const workers = new Set(perClient.flat().map((v) => v.servedBy));
  console.log(`# ${what}: ${perClient.length} clients, ${perClient.flat().length} calls, served by ${workers.size} replica/workers, every session kept`);
}

test('make reload under a session load: every redis session kept, 0 failed calls', async () => {
  assertEverySessionKept('make reload', await underSessionLoad(() => makeOk('reload')));
});

test('make deploy under a session load: every redis session kept, 0 failed calls', async () => {
  const version = `${process.env.API_VERSION ?? 'dev'}-sessions`;
  await compose(stackComposeCommand(), ['build', '--quiet', 'api'], { API_VERSION: version });
  assertEverySessionKept('make deploy', await underSessionLoad(() => makeOk('deploy', { VERSION: version })));
});
