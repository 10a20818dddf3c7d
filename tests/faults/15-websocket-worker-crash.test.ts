// A worker crashes with websockets open (POST /chaos/crash, CHAOS_ENABLED=true): its clients lose the connection
// (no close frame: the process is gone) and reconnect by themselves through nginx to a worker that is up, within the
// bound; clients of every other worker are not touched; the room still reaches everyone exactly once afterwards.
// Cost: about 10 s.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { baseUrl } from '../lib/stack.js';
import { broadcast, connectClients, originKey, received, spread, waitFor, type RealtimeClient } from '../../tools/lib/realtime.js';

const CLIENTS = 24;
/** From the crash to the client's next 'hello': the client waits 200 ms-2 s between tries. */
const RECONNECT_BOUND_MS = 10_000;
let clients: RealtimeClient[] = [];
after(() => clients.forEach((c) => c.close()));

test('a crashed worker\'s websocket clients reconnect elsewhere; the others are untouched', async () => {
  const room = `crash-${Date.now()}`;
  clients = await connectClients(baseUrl, room, CLIENTS);
  const res = await fetch(`${baseUrl}/chaos/crash`, { method: 'POST' });
  assert.equal(res.status, 202, 'CHAOS_ENABLED=true is needed: make test-faults sets it');
  const [replica, worker] = ((await res.json()) as { servedBy: string }).servedBy.split('/');
  const crashed = `${replica}/${worker}`;
  const victims = clients.filter((c) => originKey(c.origin) === crashed);
  const others = clients.filter((c) => originKey(c.origin) !== crashed);
  const where = spread(clients);

  assert.ok(await waitFor(() => victims.every((c) => c.disconnects.length > 0), 5_000), `the clients of ${crashed} lost their connection`);
  assert.ok(await waitFor(() => victims.every((c) => c.socket.connected && c.reconnectMs.length > 0), RECONNECT_BOUND_MS), `the clients of ${crashed} are back within ${RECONNECT_BOUND_MS} ms`);
  assert.deepEqual(others.flatMap((c) => c.disconnects), [], 'clients of the other workers were not disconnected');
  assert.ok(!victims.some((c) => c.disconnects.includes('io server disconnect')), 'no "io server disconnect" (no reconnect after it)');

  const id = `after-crash-${Date.now()}`;
  await broadcast(others[0] ?? clients[0]!, room, id);
  assert.ok(await waitFor(() => clients.every((c) => received(c, id) === 1), 5_000), 'a broadcast after the crash reaches every client once');
  const times = victims.flatMap((c) => c.reconnectMs).sort((a, b) => a - b);
  console.log(
    `# worker crash: ${crashed} held ${victims.length} of ${CLIENTS} clients ${JSON.stringify(where)}; they reconnected to ` +
      `${JSON.stringify(spread(victims))} in ${times[0] ?? '-'}..${times.at(-1) ?? '-'} ms (reasons ${[...new Set(victims.flatMap((c) => c.disconnects))].join(', ')}); the other ${others.length} untouched`,
  );
});
