// Sessions across replicas and workers, on the real stack (docs/state.md): the in-memory store breaks under
// round_robin, holds behind a sticky strategy with 1 worker, breaks again with 2 workers (the `worker` field
// changes: pm2 deals connections to workers, nginx's keep-alive connections carry many clients); the shared store
// holds everywhere; killing the sticky replica loses the memory session and keeps the redis one.
// `make loadtest SCENARIO=sessions` (k6/scripts/11-sessions.js) passes on the shared store and exits 99 on memory.
// Cost: three recreations of the api replicas and two replica kills, about 2-3 minutes (the two loadtests ~15 s).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCell, replicaCount, useStoreAndWorkers } from '../../tools/compare/src/sessions/compareSessions.js';
import { runSessionClient, type Visit } from '../../tools/compare/src/sessions/sessionClient.js';
import { StackControl } from '../../tools/compare/src/stackControl.js';
import { repoRoot } from '../../tools/lib/repo.js';
import { stackComposeCommand } from '../../tools/lib/docker.js';
import { docker, make, projectName } from '../../tools/lib/docker.js';
import { baseUrl } from '../lib/stack.js';

const stack = new StackControl({ compose: stackComposeCommand(), baseUrl, cwd: repoRoot, log: (l) => console.log(`# ${l}`) });
const run = { baseUrl, clients: 4, calls: 20, runId: `t${Date.now()}` };
let replicas = 3;

before(async () => {
  replicas = await replicaCount(stack);
});
after(async () => {
  await stack.recreateApi({ API_REPLICAS: String(replicas) });
  await stack.switchStrategy('round_robin');
});

/** The sessions scenario through `make loadtest`, short: 8 cookie-jar clients, 5 visits per session. */
const SESSIONS_LOADTEST = { SCENARIO: 'sessions', DURATION: '3s', RUN_ID: 'test-stack-sessions' };

const counts = (visits: readonly Visit[]): string => visits.map((v) => v.visits ?? 'x').join(' ');

/** One client on `hash`, whose sticky replica is killed after call 10. Returns its visits after the kill. */
async function killStickyReplicaMidRun(clientId: string): Promise<{ before: Visit[]; after: Visit[] }> {
  await stack.switchStrategy('hash');
  let killed = '';
  const visits = await runSessionClient({
    baseUrl,
    calls: 20,
    clientId,
    pauseMs: 50,
    afterVisit: async (i, visit) => {
      if (i !== 9) return;
      killed = visit.servedBy.split('/')[0]!;
      await docker(['kill', `${projectName}-${killed}`]);
    },
  });
  assert.ok(killed, 'the client was served before the kill');
  const after = visits.slice(10).filter((v) => v.visits !== null);
  assert.ok(after.length >= 5, `calls after the kill mostly succeed: ${counts(visits.slice(10))}`);
  assert.ok(after.every((v) => !v.servedBy.startsWith(`${killed}/`)), 'nobody answers from the killed replica');
  // Bring the killed replica back (a killed container is not restarted: restart: unless-stopped).
  await stack.compose(['up', '-d', '--wait', '--wait-timeout', '120', '--no-recreate', 'api'], { API_REPLICAS: String(replicas) });
  return { before: visits.slice(0, 10), after };
}

describe('sessions in the shared store (redis), as make up runs them', () => {
  for (const strategy of ['round_robin', 'ip_hash', 'hash']) {
    test(`redis + ${strategy}: every client holds 1..20`, async () => {
      await stack.switchStrategy(strategy);
      const r = await runCell({ store: 'redis', strategy, workers: 0 }, run);
      assert.equal(r.held, r.clients, JSON.stringify(r));
      assert.equal(r.failedCalls, 0);
    });
  }
  test('redis + round_robin: make loadtest SCENARIO=sessions passes (every visit counts its position)', async () => {
    await stack.switchStrategy('round_robin');
    const loadtest = await make('loadtest', SESSIONS_LOADTEST, { EXPECTED_REPLICAS: '', EXPECTED_WORKERS: '' });
    assert.equal(loadtest.code, 0, `make loadtest SCENARIO=sessions failed on the shared store:\n${loadtest.output}`);
    assert.match(loadtest.output, /✓ session visits run 1\.\.5 without a reset/, loadtest.output);
  });
  test('redis: killing the sticky replica mid-run keeps the session', async () => {
    const { after } = await killStickyReplicaMidRun(`${run.runId}-kill-redis`);
    assert.deepEqual(after.map((v) => v.visits), after.map((_, i) => after[0]!.visits! + i), 'the count goes on, consecutively');
    assert.ok(after[0]!.visits! >= 11, `the first count after the kill continues from 10: ${after[0]!.visits}`);
  });
});

describe('sessions in each worker\'s memory', () => {
  test('memory + 1 worker: round_robin resets, ip_hash and hash hold; killing the sticky replica loses it', async () => {
    await useStoreAndWorkers(stack, 'memory', 1, replicas);
    await stack.switchStrategy('round_robin');
    const rr = await runCell({ store: 'memory', strategy: 'round_robin', workers: 1 }, run);
    assert.equal(rr.held, 0, `round_robin over ${replicas} replicas: ${JSON.stringify(rr)}`);
    // The same as a load test: the session check's threshold fails the run (the topology given: the replicas are new).
    const loadtest = await make('loadtest', SESSIONS_LOADTEST, { EXPECTED_REPLICAS: String(replicas), EXPECTED_WORKERS: '1' });
    assert.match(loadtest.output, /Error 99/, loadtest.output);
    assert.match(loadtest.output, /thresholds on metrics .*'checks\{check:session visits run 1\.\.5 without a reset\}' have been crossed/, loadtest.output);
    for (const strategy of ['ip_hash', 'hash']) {
      await stack.switchStrategy(strategy);
      const r = await runCell({ store: 'memory', strategy, workers: 1 }, run);
      assert.equal(r.held, r.clients, `${strategy}: ${JSON.stringify(r)}`);
    }
    const { after } = await killStickyReplicaMidRun(`${run.runId}-kill-memory`);
    assert.equal(after[0]!.visits, 1, `the session is gone with its replica: the count starts over (${after.map((v) => v.visits).join(' ')})`);
  });

  test('memory + 2 workers: ip_hash (one replica) resets, and the worker field changes within a client', async () => {
    await useStoreAndWorkers(stack, 'memory', 2, replicas);
    await stack.switchStrategy('ip_hash');
    const r = await runCell({ store: 'memory', strategy: 'ip_hash', workers: 2 }, { ...run, clients: 8 });
    assert.ok(r.reset > 0, `sticky to the replica, not to the worker: ${JSON.stringify(r)}`);
    assert.equal(r.replicasPerClient, 1, 'ip_hash keeps every client on one replica');
    assert.equal(r.workersPerClient, 2, 'each client is served by both workers of that replica');
  });
});
