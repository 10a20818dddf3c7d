// Scaling 3 -> 6 -> 3 under a steady load: the tasks spread over the nodes, and nginx (tasks.api, re-resolved
// every 2 s) and Prometheus (DNS SD of the service name) follow with no reload and no config change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promQuery } from '../lib/stack.js';
import { assertNothingLost, underSteadyLoad } from '../lib/steadyLoad.js';
import { makeOk, recordFigure, replicasThroughNginx, runningTasks, swarmDocker, stack, until } from './swarmStack.js';

async function apiTargetsUp(): Promise<number> {
  const up = await promQuery('sum(up{job="api"})');
  return Number(up[0]?.value[1] ?? 0);
}

async function follows(n: number): Promise<{ nginxMs: number; prometheusMs: number }> {
  // Swarm picks which tasks go on a scale-down; the replicas are the running tasks' slots (s1_api.3 -> api-3).
  const tasks = await until(`${n} api tasks running`, async () => {
    const t = await runningTasks();
    return t.length === n && t.every((x) => x.state.startsWith('Running')) ? t : undefined;
  }, 60_000);
  const expected = tasks.value.map((t) => `api-${t.name.split('.').at(-1)}`).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const nginx = await until(`nginx answering from ${n} replicas`, async () => {
    const seen = await replicasThroughNginx(8 * n);
    return JSON.stringify(seen) === JSON.stringify(expected) ? seen : undefined;
  }, 30_000, 500);
  const prometheus = await until(`Prometheus scraping ${n} api targets`, async () => ((await apiTargetsUp()) === n ? n : undefined), 30_000, 1000);
  return { nginxMs: nginx.ms, prometheusMs: prometheus.ms };
}

test('make swarm-scale 3 -> 6 -> 3: spread over the nodes, nginx and Prometheus follow without a reload, 0 failed', async () => {
  await makeOk('swarm-scale', { N: '3' });
  await follows(3);
  const nginxBefore = await swarmDocker(['service', 'inspect', '-f', '{{.Version.Index}}', `${stack}_nginx`]);
  const { value, report } = await underSteadyLoad('swarm scale 3 -> 6 -> 3', async () => {
    await makeOk('swarm-scale', { N: '6' });
    const nodes = new Set((await runningTasks()).map((t) => t.node));
    const up = await follows(6);
    await makeOk('swarm-scale', { N: '3' });
    const down = await follows(3);
    return { nodes, up, down };
  });
  recordFigure(report, `nginx saw 6 in ${value.up.nginxMs} ms, Prometheus in ${value.up.prometheusMs} ms`);
  assertNothingLost(report);
  assert.ok(value.nodes.size >= 3, `6 tasks on ${value.nodes.size} nodes: ${[...value.nodes].join(', ')}`);
  // No reload: nginx is the same task and the same spec (a config change would be a service update).
  assert.equal(await swarmDocker(['service', 'inspect', '-f', '{{.Version.Index}}', `${stack}_nginx`]), nginxBefore, 'nginx was updated');
  assert.equal((await runningTasks('nginx')).length, 1);
});
