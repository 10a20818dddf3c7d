// Sessions on the swarm (docs/state.md, docs/swarm.md): the api's SESSION_STORE=redis reaches the one valkey task
// over the internal overlay `session-store`, whichever node the api task runs on, so a client's session counter
// holds 1..N while nginx sends its calls to tasks on different nodes. Cheap: a few clients, no operation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSessionClient } from '../../tools/compare/src/sessions/sessionClient.js';
import { baseUrl } from '../lib/stack.js';
import { runningTasks, swarmDocker, stack } from './swarmStack.js';

const CLIENTS = 4;
const CALLS = 20;

test(`sessions in valkey: ${CLIENTS} clients each count 1..${CALLS} across api tasks on different nodes`, async () => {
  const tasks = await runningTasks();
  const nodeOf = new Map(tasks.map((t) => [`api-${t.name.split('.').at(-1)}`, t.node]));
  const runId = `swarm-sessions-${process.pid}`;
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => runSessionClient({ baseUrl, calls: CALLS, clientId: `${runId}-${i}` })),
  );
  const expected = Array.from({ length: CALLS }, (_, i) => i + 1);
  const nodesSeen = new Set<string>();
  clients.forEach((visits, i) => {
    assert.deepEqual(visits.map((v) => v.visits), expected, `client ${i}: ${visits.map((v) => `${v.visits ?? v.status}@${v.servedBy}`).join(' ')}`);
    for (const v of visits) nodesSeen.add(nodeOf.get(v.servedBy.split('/')[0] ?? '') ?? `unknown ${v.servedBy}`);
  });
  console.log(`# ${CLIENTS} clients x ${CALLS} calls held 1..${CALLS}, served from ${[...nodesSeen].sort().join(', ')}`);
  // The point: one session, answered from tasks on different nodes (a per-node store would reset here).
  assert.ok(nodesSeen.size >= 2, `every call was answered on one node: ${[...nodesSeen].join(', ')}`);
  assert.ok(![...nodesSeen].some((n) => n.startsWith('unknown')), `a call answered by a replica that is not a running task: ${[...nodesSeen].join(', ')}`);
});

test('the session store is one valkey task on the internal overlay only, its password a Swarm secret', async () => {
  const service = `${stack}_valkey`;
  const spec = JSON.parse(await swarmDocker(['service', 'inspect', '-f', '{{json .Spec}}', service])) as {
    TaskTemplate: { ContainerSpec: { Secrets?: { SecretName: string; File: { Name: string } }[]; Env?: string[] }; Networks?: { Target: string }[] };
    EndpointSpec?: { Ports?: unknown[] };
  };
  const secrets = spec.TaskTemplate.ContainerSpec.Secrets ?? [];
  assert.deepEqual(secrets.map((s) => s.File.Name), ['/run/secrets/session_store_password'], 'valkey reads its password from a Swarm secret');
  assert.match(secrets[0]!.SecretName, new RegExp(`^${stack}_session_store_password_[0-9a-f]{12}$`), 'named by content hash');
  assert.equal((spec.TaskTemplate.ContainerSpec.Env ?? []).some((e) => /pass/i.test(e)), false, 'no password in the environment');
  assert.equal(spec.EndpointSpec?.Ports?.length ?? 0, 0, 'valkey publishes no port');
  const networks = await Promise.all((spec.TaskTemplate.Networks ?? []).map(async (n) =>
    (await swarmDocker(['network', 'inspect', '-f', '{{.Name}} {{.Driver}} {{.Internal}}', n.Target])).trim()));
  assert.deepEqual(networks, [`${stack}_session-store overlay true`], 'valkey is on the internal overlay only');
});
