// make reload and make deploy with socket.io clients connected (docs/state.md): each worker's drain closes its
// websockets with 1012 (Service Restart) by closing the transport, never with socket.disconnect() (its "io server
// disconnect" is the one reason socket.io-client does not reconnect after). So every client reconnects by itself, to a
// worker that is still up, within RECONNECT_BOUND_MS; no worker is left holding a socket until its drain timeout
// (its log says so); and afterwards a broadcast still reaches every client exactly once.
// Meanwhile a sender broadcasts to the room every 100 ms: with connection-state recovery (the app's socket.io server
// and the redis-streams adapter), every reconnect is a recovery and every client gets every acknowledged message
// exactly once, the ones sent while it was reconnecting included.
// Cost: one reload and one deploy with 24 clients, about 2-3 minutes (the operations themselves).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appLogLines, compose, containersOf, makeOk, stackComposeCommand } from '../../tools/lib/docker.js';
import { baseUrl } from '../lib/stack.js';
import { broadcast, connectClient, connectClients, received, spread, waitFor, type RealtimeClient } from '../../tools/lib/realtime.js';

const CLIENTS = 24;
/** From a drain's close to the client's next 'hello' on another worker: the client waits 200 ms-2 s between tries. */
const RECONNECT_BOUND_MS = 10_000;

let clients: RealtimeClient[] = [];
let sender: RealtimeClient | undefined;
let stopBroadcasting: (() => Promise<void>) | undefined;
// Also after a failed assertion: a running sender or an open client would keep the test process alive.
after(async () => {
  await stopBroadcasting?.();
  clients.forEach((c) => c.close());
  sender?.close();
});

/** Broadcasts `<tag>-<n>` to the room every `everyMs` until stop(); `acked` lists the ids the server acknowledged. */
function keepBroadcasting(from: RealtimeClient, room: string, tag: string, everyMs = 100) {
  const acked: string[] = [];
  let running = true;
  const done = (async () => {
    for (let n = 0; running; n++) {
      const id = `${tag}-${n}`;
      // Not acked within 5 s (the sender itself was moving): it may or may not have gone out, so it is not counted.
      await broadcast(from, room, id).then(() => acked.push(id), () => undefined);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return { acked, stop: async () => { running = false; await done; } };
}

async function withClientsThrough(what: string, operation: () => Promise<unknown>): Promise<void> {
  const room = `ops-${Date.now()}`;
  clients = await connectClients(baseUrl, room, CLIENTS);
  sender = await connectClient(baseUrl, undefined);
  // One message first, so that every client has an offset to recover from.
  const tag = what.replace(/\W/g, '-');
  await broadcast(sender, room, `${tag}-first`);
  assert.ok(await waitFor(() => clients.every((c) => received(c, `${tag}-first`) === 1), 5_000), `${what}: the first broadcast reaches every client`);
  const before = spread(clients);
  const since = new Date().toISOString();
  const stream = keepBroadcasting(sender, room, `${tag}-during`);
  stopBroadcasting = stream.stop;
  const started = Date.now();
  await operation();
  const opSeconds = (Date.now() - started) / 1000;
  const back = await waitFor(() => clients.every((c) => c.socket.connected && c.reconnectMs.length === c.disconnects.length), RECONNECT_BOUND_MS);
  assert.ok(back, `${what}: every client is back within ${RECONNECT_BOUND_MS} ms after the operation`);
  await stream.stop();

  // Connection-state recovery: every reconnect recovered, and no client missed or doubled a message sent meanwhile.
  const recoveries = clients.flatMap((c) => c.recovered);
  const recoveredCount = recoveries.filter(Boolean).length;
  assert.equal(recoveredCount, recoveries.length, `${what}: ${recoveries.length - recoveredCount} of ${recoveries.length} reconnects were not recovered`);
  assert.ok(stream.acked.length >= 10, `${what}: the sender got ${stream.acked.length} broadcasts acknowledged`);
  await waitFor(() => clients.every((c) => stream.acked.every((id) => received(c, id) >= 1)), 5_000);
  const gaps = clients
    .map((c, i) => ({ i, missing: stream.acked.filter((id) => received(c, id) === 0).length, doubled: stream.acked.filter((id) => received(c, id) > 1).length }))
    .filter((g) => g.missing > 0 || g.doubled > 0);
  assert.deepEqual(gaps, [], `${what}: clients that missed or doubled some of the ${stream.acked.length} messages sent during the operation`);

  const reasons = new Set(clients.flatMap((c) => c.disconnects));
  assert.ok(!reasons.has('io server disconnect'), `${what}: no "io server disconnect" (the client would not reconnect): ${[...reasons].join(', ')}`);
  assert.ok(clients.every((c) => c.disconnects.length >= 1), `${what}: every worker was replaced, so every client was moved at least once`);
  const codes = clients.flatMap((c) => c.closeCodes);
  const by1012 = codes.filter((code) => code === 1012).length;
  // Every move is a drain's close, in a reload and in a deploy alike: make deploy stops a container with SIGTERM,
  // and pm2-runtime drains each worker (1012) before the container exits, so no socket is cut from under it. A
  // close with any other code (1006: the TCP connection went without a close frame) or none is a socket the drain
  // missed (realtime.ts records one code per disconnect, undefined when the close had none): every one must be 1012.
  assert.deepEqual(codes.filter((code) => code !== 1012), [], `${what}: every drain close carries 1012 (${by1012}/${codes.length} did)`);
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
      `reasons ${[...reasons].join(', ')}; ${recoveredCount}/${recoveries.length} reconnects recovered; ` +
      `${stream.acked.length} messages sent during it, each received once by all ${clients.length}; broadcast after: ${clients.length}/${clients.length} once`,
  );
  clients.forEach((c) => c.close());
  clients = [];
  sender.close();
  sender = undefined;
}

test('make reload with websockets connected: every client reconnects (1012, transport close), none held past the drain', async () => {
  await withClientsThrough('make reload', () => makeOk('reload'));
});

test('make deploy with websockets connected: every client reconnects to the new release', async () => {
  const version = `${process.env.API_VERSION ?? 'dev'}-websockets`;
  await compose(stackComposeCommand(), ['build', '--quiet', 'api'], { API_VERSION: version });
  await withClientsThrough('make deploy', () => makeOk('deploy', { VERSION: version }));
});

