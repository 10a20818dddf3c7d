// make reload and make deploy with socket.io clients connected (docs/state.md): each worker's drain closes its
// websockets with 1012 (Service Restart) by closing the transport, never with socket.disconnect() (its "io server
// disconnect" is the one reason socket.io-client does not reconnect after). So every client reconnects by itself, to a
// worker that is still up, within RECONNECT_BOUND_MS; no worker is left holding a socket until its drain timeout
// (its log says so); and afterwards a broadcast still reaches every client exactly once.
// Cost: one reload and one deploy with 24 idle clients, about 2-3 minutes (the operations themselves).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appLogLines, compose, containersOf, makeOk, stackComposeCommand } from '../../tools/lib/docker.js';
import { baseUrl } from '../lib/stack.js';
import { broadcast, connectClients, received, spread, waitFor, type RealtimeClient } from '../../tools/lib/realtime.js';

const CLIENTS = 24;
/** From a drain's close to the client's next 'hello' on another worker: the client waits 200 ms-2 s between tries. */
const RECONNECT_BOUND_MS = 10_000;

let clients: RealtimeClient[] = [];
after(() => clients.forEach((c) => c.close()));

async function withClientsThrough(what: string, operation: () => Promise<unknown>): Promise<void> {
  const room = `ops-${Date.now()}`;
  clients = await connectClients(baseUrl, room, CLIENTS);
  const before = spread(clients);
  const since = new Date().toISOString();
  const started = Date.now();
  await operation();
  const opSeconds = (Date.now() - started) / 1000;
  const back = await waitFor(() => clients.every((c) => c.socket.connected && c.reconnectMs.length === c.disconnects.length), RECONNECT_BOUND_MS);
  assert.ok(back, `${what}: every client is back within ${RECONNECT_BOUND_MS} ms after the operation`);

  const reasons = new Set(clients.flatMap((c) => c.disconnects));
  assert.ok(!reasons.has('io server disconnect'), `${what}: no "io server disconnect" (the client would not reconnect): ${[...reasons].join(', ')}`);
  assert.ok(clients.every((c) => c.disconnects.length >= 1), `${what}: every worker was replaced, so every client was moved at least once`);
  const codes = clients.flatMap((c) => c.closeCodes);
  const by1012 = codes.filter((code) => code === 1012).length;
  // A drain closes with 1012. A client whose replica's whole container went away first (deploy) may see nginx's
  // connection close instead; most closes must still be the app's own.
  assert.ok(by1012 >= Math.ceil(codes.length / 2), `${what}: closes by the drain carry 1012: ${JSON.stringify(codes)}`);
  const times = clients.flatMap((c) => c.reconnectMs).sort((a, b) => a - b);
  const worst = times.at(-1) ?? 0;
  assert.ok(worst < RECONNECT_BOUND_MS, `${what}: slowest reconnect ${worst} ms`);

  // Still one room space afterwards: clients re-joined the room on their new worker.
  const id = `${what.replace(/\W/g, '-')}-${Date.now()}`;
  await broadcast(clients[0]!, room, id);
  assert.ok(await waitFor(() => clients.every((c) => received(c, id) === 1), 5_000), `${what}: a broadcast after the operation reaches every client`);

  // No worker sat on a socket until its drain deadline (graceful-shutdown.ts logs "drain timeout" then).
  const timeouts: string[] = [];
  for (const container of await containersOf('api')) {
    for (const line of await appLogLines(container, since)) if (line.msg?.startsWith('drain timeout')) timeouts.push(`${container}: ${line.msg}`);
  }
  assert.deepEqual(timeouts, [], `${what}: no worker drain hit its timeout`);

  const median = times[Math.floor(times.length / 2)] ?? 0;
  console.log(
    `# ${what} (${opSeconds.toFixed(0)} s): ${CLIENTS} clients ${JSON.stringify(before)} -> ${JSON.stringify(spread(clients))}; ` +
      `${times.length} reconnects, median ${median} ms, slowest ${worst} ms; close codes ${by1012}/${codes.length} x 1012; ` +
      `reasons ${[...reasons].join(', ')}; broadcast after: ${clients.length}/${clients.length} once`,
  );
  clients.forEach((c) => c.close());
  clients = [];
}

test('make reload with websockets connected: every client reconnects (1012, transport close), none held past the drain', async () => {
  await withClientsThrough('make reload', () => makeOk('reload'));
});

test('make deploy with websockets connected: every client reconnects to the new release', async () => {
  const version = `${process.env.API_VERSION ?? 'dev'}-websockets`;
  await compose(stackComposeCommand(), ['build', '--quiet', 'api'], { API_VERSION: version });
  await withClientsThrough('make deploy', () => makeOk('deploy', { VERSION: version }));
});

