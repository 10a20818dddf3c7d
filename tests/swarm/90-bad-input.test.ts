// Bad input and faults of the swarm's own tooling: a second swarm-up changes nothing, a node that can't join says
// why, and swarm-down in the middle of an update leaves nothing behind. The last test removes the swarm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { repoRoot } from '../../tools/lib/repo.js';
import { hostDocker, make, makeOk, runScript, swarmDocker, swarmName, stack, until, type MakeResult } from './swarmStack.js';

async function swarmIdentity(): Promise<string> {
  const cluster = (await swarmDocker(['info', '-f', '{{.Swarm.Cluster.ID}}'])).trim();
  const nodes = (await swarmDocker(['node', 'ls', '--format', '{{.ID}} {{.Hostname}} {{.Status}}'])).trim().split('\n').sort().join(', ');
  const containers = (await hostDocker(['ps', '-q', '--no-trunc', '--filter', `label=org.scaleout.swarm=${swarmName}`])).trim().split('\n').sort().join(',');
  // `docker stack deploy` writes every service again (its Version.Index moves even when nothing changed), so the
  // proof of "no service update" is that no task was replaced: the same running tasks, and the same api image.
  const tasks = (await swarmDocker(['stack', 'ps', '-q', '--filter', 'desired-state=running', stack])).trim().split('\n').sort().join(',');
  const image = (await swarmDocker(['service', 'inspect', '-f', '{{.Spec.TaskTemplate.ContainerSpec.Image}}', `${stack}_api`])).trim();
  return JSON.stringify({ cluster, nodes, containers, tasks, image });
}

test('with DOCKER_HOST set (a real manager), swarm up and the make swarm-* targets create no local node and talk to that host', async () => {
  // A manager that isn't there: each command must try it, say so, and never fall back to creating local nodes.
  // (swarm.sh up directly: make swarm-up would first build the offline stand-ins on that engine, which takes minutes.)
  const manager = `unix:///tmp/no-such-manager-${process.pid}.sock`;
  const other = `${swarmName}-dockerhost-check`;
  const runs: Array<[string, Promise<MakeResult>]> = [
    ['swarm.sh up', runScript('tools/swarm/swarm.sh', ['up'], { DOCKER_HOST: manager, SWARM_NAME: other })],
    ...(['swarm-ps', 'swarm-scale', 'swarm-drain', 'swarm-logs'] as const).map((t): [string, Promise<MakeResult>] => [`make ${t}`, make(t, { DOCKER_HOST: manager, SWARM_NAME: other, N: '3', NODE: 'node2' })]),
  ];
  for (const [what, pending] of runs) {
    const r = await pending;
    assert.notEqual(r.code, 0, `${what} against a missing manager must fail:\n${r.output}`);
    assert.ok(r.output.includes(manager), `${what} names the manager it tried:\n${r.output}`);
    assert.doesNotMatch(r.output, /==> \[swarm\] (node|network|registry|swarm init)/, `${what} created local swarm parts:\n${r.output}`);
  }
  assert.equal((await hostDocker(['ps', '-aq', '--filter', `label=org.scaleout.swarm=${other}`])).trim(), '', 'local containers created');
});

test('a second make swarm-up is idempotent: same swarm, same nodes and containers, no service update', async () => {
  // First back to the declared state: 35-nginx-update forced a new nginx task (`service update --force` bumps the
  // spec's ForceUpdate, which a stack deploy resets, replacing that task once more). Then the second must change nothing.
  await makeOk('swarm-up');
  const before = await swarmIdentity();
  await makeOk('swarm-up');
  assert.equal(await swarmIdentity(), before);
});

test('a node that cannot join prints the reason, and joins once fixed', async () => {
  const node = `${swarmName}-node3`;
  // node3 leaves and starts a swarm of its own: it is "active", but not in ours.
  await hostDocker(['exec', node, 'docker', 'swarm', 'leave', '--force']);
  const ip = (await hostDocker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${swarmName}-net").IPAddress}}`, node])).trim();
  await hostDocker(['exec', node, 'docker', 'swarm', 'init', '--advertise-addr', ip]);
  const r = await make('swarm-up');
  assert.notEqual(r.code, 0, r.output);
  assert.match(r.output, new RegExp(`${node} is part of another swarm.*swarm leave --force`), r.output);
  await hostDocker(['exec', node, 'docker', 'swarm', 'leave', '--force']);
  await makeOk('swarm-up');
  const nodes = (await swarmDocker(['node', 'ls', '--format', '{{.Hostname}} {{.Status}}'])).trim().split('\n').sort();
  assert.deepEqual(nodes, ['node1 Ready', 'node2 Ready', 'node3 Ready'], 'each node once, Ready (the stale node3 entry is removed)');
});

test('make swarm-down during a rolling update removes everything: containers, volumes, network, sockets, tags', async () => {
  const deploy = spawn('make', ['swarm-deploy', `VERSION=${process.env.API_VERSION ?? 'dev'}-swarm-broken`], {
    cwd: repoRoot, env: { ...process.env, DOCKER_HOST: '' }, stdio: 'ignore',
  });
  const deployDone = new Promise<number>((resolve) => deploy.on('close', (code) => resolve(code ?? 1)));
  await until('the update to start', async () => {
    const s = (await swarmDocker(['service', 'inspect', '-f', '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}', `${stack}_api`])).trim();
    return s === 'updating' ? s : undefined;
  }, 120_000, 1000);
  const down = await makeOk('swarm-down');
  assert.match(down.output, /removed/);
  assert.notEqual(await deployDone, 0, 'the interrupted deploy must fail');
  // A second down is a no-op, not an error.
  await makeOk('swarm-down');
  const left = {
    containers: (await hostDocker(['ps', '-aq', '--filter', `label=org.scaleout.swarm=${swarmName}`])).trim(),
    volumes: (await hostDocker(['volume', 'ls', '-q', '--filter', `name=^${swarmName}-`])).trim(),
    networks: (await hostDocker(['network', 'ls', '-q', '--filter', `name=^${swarmName}-net$`])).trim(),
    pushTags: (await hostDocker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'])).split('\n').filter((i) => i.startsWith(`127.0.0.1:${process.env.SWARM_REGISTRY_PORT ?? '5000'}/`)).join(' '),
  };
  assert.deepEqual(left, { containers: '', volumes: '', networks: '', pushTags: '' }, 'left behind after swarm-down');
  assert.equal(existsSync(`${process.env.TMPDIR ?? '/tmp'}/scaleout-swarm-${swarmName}`), false, 'socket directory left behind');
});
