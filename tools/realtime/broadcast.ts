// make ws-broadcast: the websocket lesson on the running stack, in one screen (docs/state.md, docs/labs/07-state.md).
// CLIENTS socket.io clients connect through nginx (transports: ['websocket']), every worker that got a client sends one
// broadcast to the room, and the table shows who received what. With SOCKET_ADAPTER=redis (make up's default) every
// client gets every broadcast once; with SOCKET_ADAPTER=memory only the sender's own worker's clients do.
import { broadcast, connectClients, originKey, received, spread, waitFor, type RealtimeClient } from '../lib/realtime.js';
import { baseUrl } from '../lib/stackUrls.js';

const count = Number(process.env.CLIENTS || 24);
// Long enough for a loaded 2-core machine to deliver; a memory adapter never delivers across workers, however long.
const deliveryMs = Number(process.env.DELIVERY_MS || 3_000);

if (!Number.isInteger(count) || count < 2 || count > 500) {
  console.error(`CLIENTS=${process.env.CLIENTS}: give a whole number of clients from 2 to 500`);
  process.exit(2);
}

const room = `demo-${Date.now()}`;
let clients: RealtimeClient[] = [];
try {
  clients = await connectClients(baseUrl, room, count);
} catch (err) {
  console.error(`could not connect ${count} clients to ${baseUrl}/socket.io/: ${(err as Error).message}\nIs the stack up (make up)?`);
  process.exit(1);
}

const where = spread(clients);
console.log(`${clients.length} clients on ${Object.keys(where).length} workers: ${Object.entries(where).map(([k, n]) => `${k}=${n}`).join(' ')}`);

// One sender per worker that has a client.
const senders = new Map<string, RealtimeClient>();
for (const c of clients) if (!senders.has(originKey(c.origin))) senders.set(originKey(c.origin), c);
const ids = new Map<string, string>(); // id -> sender's worker
for (const [key, sender] of [...senders].sort(([a], [b]) => a.localeCompare(b))) {
  // Room and message ids are 1-64 of A-Z a-z 0-9 _ . : - (the gateway refuses others), so no "/".
  const id = `from-${key.replace("/", ":")}-${Date.now()}`;
  ids.set(id, key);
  await broadcast(sender, room, id);
}
await waitFor(() => clients.every((c) => [...ids.keys()].every((id) => received(c, id) >= 1)), deliveryMs);
await new Promise((r) => setTimeout(r, 300)); // a doubled delivery arrives late: give it the chance to show

let delivered = 0;
let duplicated = 0;
let crossExpected = 0;
let crossDelivered = 0;
const rows: string[] = [];
for (const [key] of Object.entries(where)) {
  const here = clients.filter((c) => originKey(c.origin) === key);
  const got = [...ids].map(([id, from]) => {
    const n = here.filter((c) => received(c, id) >= 1).length;
    return `${from === key ? '(own) ' : ''}${n}/${here.length}`;
  });
  rows.push(`  ${key.padEnd(12)} ${got.map((g) => g.padStart(12)).join(' ')}`);
}
for (const c of clients) {
  for (const [id, from] of ids) {
    const n = received(c, id);
    if (n >= 1) delivered += 1;
    if (n > 1) duplicated += n - 1;
    if (from !== originKey(c.origin)) {
      crossExpected += 1;
      if (n >= 1) crossDelivered += 1;
    }
  }
}
console.log(`\nclients of each worker (rows) that got the broadcast sent from each worker (columns):`);
console.log(`  ${'receivers'.padEnd(12)} ${[...ids.values()].map((k) => k.padStart(12)).join(' ')}`);
for (const r of rows) console.log(r);
const expected = clients.length * ids.size;
console.log(`\ndelivered ${delivered} of ${expected} (duplicated ${duplicated}); across workers ${crossDelivered} of ${crossExpected}`);
console.log(crossDelivered === crossExpected && duplicated === 0
  ? 'every client got every broadcast once: the adapter joins every worker of every replica into one room space'
  : crossDelivered === 0
    ? 'no broadcast crossed a worker: each worker has its own rooms (SOCKET_ADAPTER=memory?)'
    : 'some broadcasts were lost or doubled: see docs/state.md');
for (const c of clients) c.close();
console.log(crossDelivered === 0
  ? '\nNext: make up (puts SOCKET_ADAPTER back to redis), then run this again.'
  : '\nNext: Grafana\'s "Websockets" row shows the open sockets and messages per worker; make up SOCKET_ADAPTER=memory, then run this again.');
