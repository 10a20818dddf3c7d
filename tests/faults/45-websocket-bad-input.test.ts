// Bad input on websockets, through nginx (docs/state.md): each closes the one socket (or refuses the one handshake)
// that sent it, no worker restarts, and a room of bystander clients keeps every connection and every broadcast.
//   - a message over maxHttpBufferSize (SOCKET_MAX_MESSAGE_BYTES = 16 KiB): the app closes that socket (1009);
//   - a malformed socket.io packet: the app closes that socket;
//   - a flood of handshakes from one address: nginx's limit_conn (conf.d/07-websocket.conf, 200 per address) answers 429.
// Cost: about 15 s.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { containersOf, pm2List } from '../../tools/lib/docker.js';
import { baseUrl } from '../lib/stack.js';
import { broadcast, connectClient, connectClients, received, waitFor, type RealtimeClient } from '../../tools/lib/realtime.js';

const BYSTANDERS = 10;
/** services/api SOCKET_MAX_MESSAGE_BYTES default. */
const MAX_MESSAGE_BYTES = 16_384;
/** nginx/conf.d/07-websocket.conf. */
const WS_LIMIT_PER_ADDRESS = 200;
const wsUrl = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
const room = `bystanders-${Date.now()}`;
let bystanders: RealtimeClient[] = [];
let restartsBefore = 0;

async function workerRestarts(): Promise<number> {
  let total = 0;
  for (const c of await containersOf('api')) for (const p of await pm2List(c)) total += p.pm2_env.restart_time;
  return total;
}

/** The bystanders are all still connected, never disconnected, and all get a fresh broadcast exactly once. */
async function assertBystandersUnaffected(what: string): Promise<void> {
  const id = `after-${what.replace(/\W/g, '-')}-${Date.now()}`;
  await broadcast(bystanders[0]!, room, id);
  assert.ok(await waitFor(() => bystanders.every((c) => received(c, id) === 1), 5_000), `${what}: every bystander got the next broadcast`);
  assert.deepEqual(bystanders.flatMap((c) => c.disconnects), [], `${what}: no bystander was disconnected`);
}

/** A raw engine.io websocket that has completed socket.io's CONNECT to "/" (so the next frame is parsed by socket.io). */
async function rawSocketIo(): Promise<{ ws: WebSocket; closed: Promise<{ code: number; ms: number }>; sentAt: () => void }> {
  const ws = new WebSocket(wsUrl);
  let sent = 0;
  const closed = new Promise<{ code: number; ms: number }>((resolve) => ws.once('close', (code) => resolve({ code, ms: Date.now() - sent })));
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data) => {
      const text = String(data);
      if (text.startsWith('0')) ws.send('40'); // engine.io OPEN -> socket.io CONNECT
      else if (text.startsWith('40')) resolve(); // CONNECT acknowledged
      else if (text === '2') ws.send('3'); // answer pings
    });
  });
  return { ws, closed, sentAt: () => (sent = Date.now()) };
}

before(async () => {
  bystanders = await connectClients(baseUrl, room, BYSTANDERS);
  restartsBefore = await workerRestarts();
});
after(() => bystanders.forEach((c) => c.close()));

test('a message over maxHttpBufferSize closes that socket only', async () => {
  const big = await connectClient(baseUrl, room, { reconnection: false });
  const started = Date.now();
  big.socket.emit('broadcast', { room, id: 'x'.repeat(MAX_MESSAGE_BYTES + 1024) });
  assert.ok(await waitFor(() => big.disconnects.length > 0, 5_000), 'the oversized sender was disconnected');
  console.log(`# oversized message: closed in ${Date.now() - started} ms, code ${big.closeCodes[0]}, reason ${big.disconnects[0]}`);
  assert.equal(big.closeCodes[0], 1009, 'closed with 1009 Message Too Big');
  big.close();
  await assertBystandersUnaffected('oversized message');
});

test('a malformed socket.io packet closes that socket only', async () => {
  const raw = await rawSocketIo();
  raw.sentAt();
  raw.ws.send('42["broadcast", {not json'); // an EVENT packet whose payload does not parse
  const { code, ms } = await Promise.race([raw.closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('malformed packet: socket still open after 5 s')), 5_000))]);
  console.log(`# malformed packet: closed in ${ms} ms, code ${code}`);
  await assertBystandersUnaffected('malformed packet');
});

test(`a flood of handshakes from one address hits nginx's limit_conn (${WS_LIMIT_PER_ADDRESS}) with 429`, async () => {
  const flood = WS_LIMIT_PER_ADDRESS + 60;
  const statuses = new Map<string, number>();
  const opened: WebSocket[] = [];
  await Promise.all(
    Array.from({ length: flood }, () =>
      new Promise<void>((resolve) => {
        const ws = new WebSocket(wsUrl);
        const count = (key: string): void => {
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          resolve();
        };
        ws.once('open', () => {
          opened.push(ws);
          count('101');
        });
        ws.once('unexpected-response', (_req, res) => {
          res.resume();
          count(String(res.statusCode));
        });
        ws.once('error', (err) => count(`error ${err.message}`));
      }),
    ),
  );
  console.log(`# flood of ${flood} handshakes: ${JSON.stringify(Object.fromEntries(statuses))}`);
  opened.forEach((ws) => ws.terminate());
  assert.ok((statuses.get('429') ?? 0) > 0, 'some handshakes were refused with 429');
  assert.ok((statuses.get('101') ?? 0) + BYSTANDERS <= WS_LIMIT_PER_ADDRESS, 'no more than the limit were open at once');
  await assertBystandersUnaffected('connection flood');
});

test('no worker restarted', async () => {
  assert.equal(await workerRestarts(), restartsBefore);
});
