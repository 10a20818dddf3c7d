// Losing a node under a steady load through nginx: a node lost without warning (its container killed) fails only
// what was in flight there, Swarm replaces its tasks on the other nodes, nginx stops choosing the dead addresses,
// and the node rejoins when it comes back. Runs after 25-scale, whose scale-up put tasks back on the drained node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressesOfReplicas, openOnAddresses, routesFromAccessLog } from '../lib/inFlightOnLostNode.js';
import { underSteadyLoad } from '../lib/steadyLoad.js';
import { hostDocker, recordFigure, runningTasks, swarmDocker, swarmName, until } from './swarmStack.js';

// The manager (node1) runs nginx, Prometheus and valkey; the fault hits a worker that runs api tasks.
const MANAGER = 'node1';

async function nodeStatus(node: string): Promise<string> {
  return (await swarmDocker(['node', 'inspect', '-f', '{{.Status.State}} {{.Spec.Availability}}', node])).trim();
}

test('losing a worker node (its container killed): only in-flight requests fail, Swarm replaces its tasks, nginx stops choosing them, the node rejoins', async () => {
  // 25-scale's 3 -> 6 -> 3 leaves tasks on the workers (Swarm scales down on the nodes with the most tasks). If
  // not (run alone, after 20-drain), a forced update reschedules: an activated node gets no task by itself.
  const onWorkers = (await runningTasks()).filter((t) => t.node !== MANAGER).map((t) => t.node).sort();
  if (onWorkers.length === 0) await swarmDocker(['service', 'update', '--detach', '--force', `${swarmName}_api`]);
  const VICTIM = onWorkers[0] ?? 'node3';
  const spread = await until(`an api task on ${VICTIM}`, async () => {
    const t = await runningTasks();
    return t.some((x) => x.node === VICTIM) && t.every((x) => x.state.startsWith('Running')) && !/updating|rollback_started/.test(await swarmDocker(['service', 'inspect', '-f', '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}', `${swarmName}_api`])) ? t : undefined;
  }, 180_000, 2000);
  const desired = spread.value.length;
  const lost = spread.value.filter((t) => t.node === VICTIM).map((t) => t.name);

  // The victim's replicas by name (task s1_api.3 runs as hostname api-3, X-Served-By api-3/...).
  const lostReplicas = lost.map((name) => `api-${name.split('.').at(-1)}`);
  const logSince = new Date(Date.now() - 5_000).toISOString();
  let replacedMs = 0;
  let killWindow = { lostAfterMs: 0, lostBeforeMs: 0 };
  const { report } = await underSteadyLoad(`lose ${VICTIM} (docker kill)`, async () => {
    const killStart = Date.now();
    await hostDocker(['kill', `${swarmName}-${VICTIM}`]);
    const killedAt = Date.now();
    killWindow = { lostAfterMs: killStart, lostBeforeMs: killedAt };
    // Swarm notices a silent node after its heartbeat times out, then schedules the tasks elsewhere.
    const replaced = await until(`${desired} api tasks running off ${VICTIM}`, async () => {
      const t = await runningTasks();
      return t.filter((x) => x.node !== VICTIM && x.state.startsWith('Running')).length >= desired ? t : undefined;
    }, 120_000, 1000);
    replacedMs = Date.now() - killedAt;
    // Requests go on for a while after the replacement: none of them may fail (nginx no longer picks the dead).
    await new Promise((r) => setTimeout(r, 8_000));
    return replaced.value;
  }, { maxRunSec: 200, settleSec: 0 });
  const afterRecovery = report.records.filter((r) => r.sentAtMs > report.operationStartMs + replacedMs);
  const failedAfter = afterRecovery.filter((r) => r.status === null || r.status >= 500).length;
  // nginx's access log says where each request went first; the victim's addresses are where its replicas answered.
  const accessLog = (await swarmDocker(['service', 'logs', '--raw', '--no-task-ids', '--since', logSince, `${swarmName}_nginx`], 120_000)).split('\n');
  const routes = routesFromAccessLog(accessLog);
  // Only what answered before the kill: the replacement tasks carry the same names at new addresses.
  const answeredBeforeKill = new Set(report.records.filter((r) => r.sentAtMs + r.durationMs < killWindow.lostAfterMs && r.sentRequestId !== undefined).map((r) => r.sentRequestId!));
  const lostAddresses = addressesOfReplicas(routes, lostReplicas, answeredBeforeKill);
  const openOnLost = openOnAddresses(report.records, routes, lostAddresses, killWindow);
  console.log(`# node loss: ${report.failed} requests failed (${JSON.stringify(report.failedByMethod)}); ${openOnLost.length} were open on ${VICTIM}'s ` +
    `${lostReplicas.join(', ')} (${[...lostAddresses].join(', ')}) at the kill; tasks replaced in ${(replacedMs / 1000).toFixed(1)} s`);
  recordFigure(report, `lost tasks ${lost.join(', ')}; open on them at the kill ${openOnLost.length}; replaced in ${(replacedMs / 1000).toFixed(1)} s; failed in flight ${report.failed}, after the replacement ${failedAfter}`);
  // The bound: Swarm's dispatcher declares a node down after its heartbeat period (5 s) times a grace factor,
  // then restarts the tasks; measured at 10-25 s on this machine, the bound is generous for shared cores.
  assert.ok(replacedMs < 90_000, `tasks replaced after ${replacedMs} ms`);
  assert.equal(failedAfter, 0, `requests failed after the tasks were replaced: nginx still chose a dead address`);
  // Requests that fail are the ones that were in flight to the node, counted from nginx's log: never more.
  assert.equal(lostAddresses.size, lostReplicas.length, `the access log names an address for each of ${lostReplicas.join(', ')}: ${[...lostAddresses].join(', ')}`);
  assert.ok(report.failed <= openOnLost.length, `${report.failed} of ${report.sent} failed, more than the ${openOnLost.length} open on ${VICTIM} at the kill`);

  const rejoinStarted = Date.now();
  await hostDocker(['start', `${swarmName}-${VICTIM}`]);
  const rejoin = await until(`${VICTIM} Ready again`, async () => ((await nodeStatus(VICTIM)) === 'ready active' ? true : undefined), 120_000, 1000);
  console.log(`# ${VICTIM} rejoined ${((Date.now() - rejoinStarted) / 1000).toFixed(1)} s after its container started (${rejoin.ms} ms of polling)`);
  // Swarm does not move tasks back by itself: the replaced tasks stay where they are, the count is unchanged.
  assert.equal((await runningTasks()).length, desired);
});
