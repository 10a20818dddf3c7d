// Draining a node under a steady load through nginx: its tasks move to the other nodes with 0 failed requests
// (Swarm starts the replacements, nginx re-resolves tasks.api, the drained tasks stop with their grace period).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingLost, underSteadyLoad } from '../lib/steadyLoad.js';
import { makeOk, recordFigure, runningTasks, swarmDocker } from './swarmStack.js';

// The manager (node1) runs nginx and Prometheus; the faults hit a worker.
const VICTIM = 'node3';

async function nodeStatus(node: string): Promise<string> {
  return (await swarmDocker(['node', 'inspect', '-f', '{{.Status.State}} {{.Spec.Availability}}', node])).trim();
}

test(`make swarm-drain NODE=${VICTIM}: its tasks move to the other nodes, 0 failed`, async () => {
  const before = await runningTasks();
  assert.ok(before.some((t) => t.node === VICTIM), `no api task on ${VICTIM} to move: ${JSON.stringify(before)}`);
  try {
    const { report } = await underSteadyLoad(`swarm drain ${VICTIM}`, () => makeOk('swarm-drain', { NODE: VICTIM }));
    recordFigure(report, `${before.filter((t) => t.node === VICTIM).length} tasks moved`);
    assertNothingLost(report);
    const after = await runningTasks();
    assert.equal(after.length, before.length, 'task count after the drain');
    assert.deepEqual(after.filter((t) => t.node === VICTIM), [], `tasks left on ${VICTIM}`);
  } finally {
    // The next test needs the node back, whatever happened here.
    await makeOk('swarm-activate', { NODE: VICTIM });
  }
  assert.equal(await nodeStatus(VICTIM), 'ready active');
});

