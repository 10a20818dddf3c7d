// Websockets on the swarm (docs/swarm.md, docs/state.md): socket.io clients connect through the swarm's nginx
// (transports: ['websocket']), land on api tasks on different nodes, and one broadcast from a client on one task
// reaches every client exactly once, across nodes: the api's SOCKET_ADAPTER=redis (compose.yaml, carried over by the
// generator) joins every worker of every task into one room space through the one valkey task on the internal
// overlay. One more client comes in over wss:// (nginx's TLS port, the local CA only) and gets it too. A per-task
// adapter (SOCKET_ADAPTER=memory) fails the delivery assertions; a doubled adapter fails "once".
// Cost: about 2 s (24 handshakes, one broadcast, the duplicate window). No negative control in the suite: switching
// the adapter is a rolling update of every api task and back (over a minute here); docs/swarm.md has the one-off run.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/lib/repo.js';
import { broadcast, connectClient, connectClients, originKey, received, spread, waitFor, type RealtimeClient } from '../../tools/lib/realtime.js';
import { baseUrl } from '../lib/stack.js';
import { runningTasks } from './swarmStack.js';
import { httpsUrl } from '../../tools/lib/stackUrls.js';

const CLIENTS = 24;
/** Far above a delivery through the store (milliseconds), far below anything that would look like a hang. */
const DELIVERY_MS = 5_000;
/** After the last expected message, how long a duplicate has to show up. */
const DUPLICATE_WINDOW_MS = 750;

let clients: RealtimeClient[] = [];
after(() => {
  for (const c of clients) c.close();
});

test(`websockets: ${CLIENTS} ws:// clients and 1 wss:// on tasks on different nodes get one broadcast exactly once`, async () => {
  const tasks = await runningTasks();
  // Task `<stack>_api.<slot>` answers as replica `api-<slot>` (hello's `replica`, X-Served-By).
  const nodeOf = new Map(tasks.map((t) => [`api-${t.name.split('.').at(-1)}`, t.node]));
  const room = `swarm-ws-${process.pid}-${Date.now()}`;
  const started = Date.now();
  clients = await connectClients(baseUrl, room, CLIENTS);
  const connectedMs = Date.now() - started;
  // wss:// through the swarm's nginx (HTTPS_PORT, published on the manager), trusting only the local CA.
  const ca = readFileSync(process.env.TLS_CA_FILE ?? path.join(repoRoot, '.secrets/tls/ca.crt'), 'utf8');
  const secure = await connectClient(httpsUrl, room, { ca, rejectUnauthorized: true });
  clients.push(secure);

  const where = spread(clients);
  const nodeOfClient = (c: RealtimeClient): string => nodeOf.get(c.origin.replica) ?? `unknown (${c.origin.replica})`;
  const nodes = new Set(clients.map(nodeOfClient));
  console.log(`# ${CLIENTS} ws:// clients in ${connectedMs} ms, 1 wss:// on ${originKey(secure.origin)}: ${Object.entries(where).map(([k, n]) => `${k}@${nodeOf.get(k.split('/')[0]!) ?? '?'}=${n}`).join(' ')}`);
  assert.equal([...nodes].filter((n) => n.startsWith('unknown')).length, 0, `every hello names a running api task: ${JSON.stringify(where)}, tasks ${[...nodeOf.keys()].join(' ')}`);
  assert.ok(new Set(clients.map((c) => c.origin.replica)).size >= 2, `clients on at least 2 replicas: ${JSON.stringify(where)}`);
  assert.ok(nodes.size >= 2, `clients on tasks on at least 2 nodes: ${[...nodes].join(', ')}`);
  // Every distinct replica/worker is one process with its own rooms: the adapter must join all of them.
  assert.ok(Object.keys(where).length >= Math.min(3, tasks.length), `clients on several workers: ${JSON.stringify(where)}`);

  // The pair the issue names, here across nodes: a sender on one task, a receiver on a task on another node.
  const sender = clients[0]!;
  const receiver = clients.find((c) => nodeOfClient(c) !== nodeOfClient(sender));
  assert.ok(receiver, `a receiver on another node than the sender's ${nodeOfClient(sender)}`);

  const id = `swarm-${originKey(sender.origin).replace('/', ':')}-${Date.now()}`;
  const sentAt = Date.now();
  await broadcast(sender, room, id);
  const all = await waitFor(() => clients.every((c) => received(c, id) >= 1), DELIVERY_MS);
  const deliveredMs = Date.now() - sentAt;
  await new Promise((r) => setTimeout(r, DUPLICATE_WINDOW_MS));

  const label = (c: RealtimeClient): string => `${originKey(c.origin)}@${nodeOfClient(c)}${c === secure ? ' (wss)' : ''}`;
  const missingBy = new Map<string, number>();
  for (const c of clients) if (received(c, id) === 0) missingBy.set(label(c), (missingBy.get(label(c)) ?? 0) + 1);
  const missing = [...missingBy].map(([k, n]) => `${k} x${n}`);
  const doubled = clients.filter((c) => received(c, id) > 1).map((c) => `${label(c)} ${received(c, id)}x`);
  assert.ok(all, `every client got the broadcast from ${originKey(sender.origin)}@${nodeOfClient(sender)} within ${DELIVERY_MS} ms; missing: ${missing.join(', ')}`);
  assert.deepEqual(doubled, [], 'exactly once: a doubled adapter shows as duplicates');
  assert.deepEqual(
    receiver.messages.filter((m) => m.id === id).map((m) => m.from),
    [sender.origin],
    `${originKey(receiver.origin)}@${nodeOfClient(receiver)} got ${originKey(sender.origin)}@${nodeOfClient(sender)}'s broadcast once`,
  );
  console.log(`# 1 broadcast from ${originKey(sender.origin)}@${nodeOfClient(sender)} reached all ${clients.length} clients (1 over wss) on ${Object.keys(where).length} workers and ${nodes.size} nodes in ${deliveredMs} ms, 0 duplicated (checked: ${originKey(receiver.origin)}@${nodeOfClient(receiver)})`);
});
