// Draining a node under a steady load through nginx: its tasks move to the other nodes with 0 failed requests
// (Swarm starts the replacements, nginx re-resolves tasks.api, the drained tasks stop with their grace period).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingLost, underSteadyLoad } from '../lib/steadyLoad.js';
import { makeOk, recordFigure, runningTasks, swarmDocker } from './swarmStack.js';

// The manager (node1) runs nginx, Prometheus and valkey; the drain hits a worker that runs api tasks (a rolling
// update places its new tasks beside the old ones, so which worker that is varies from run to run).
async function busiestWorker(): Promise<string> {
  const perNode = new Map<string, number>();
  for (const t of await runningTasks()) if (t.node !== 'node1') perNode.set(t.node, (perNode.get(t.node) ?? 0) + 1);
  const [node] = [...perNode.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? [];
  assert.ok(node, 'no api task on a worker node');
  return node;
}

async function nodeStatus(node: string): Promise<string> {
  return (await swarmDocker(['node', 'inspect', '-f', '{{.Status.State}} {{.Spec.Availability}}', node])).trim();
}

test('make swarm-drain NODE=<a worker with api tasks>: its tasks move to the other nodes, 0 failed', async () => {
  const VICTIM = await busiestWorker();
  const before = await runningTasks();
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

