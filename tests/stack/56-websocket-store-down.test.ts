// The store down, for websockets (docs/state.md): with valkey paused, then stopped, a new socket.io connect gets a
// clear connect_error ("Realtime store unavailable", data.statusCode 503) within the bound instead of hanging; sockets
// already open stay open; when the store is back, connects work again without any restart.
// Cost: about 20 s.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { docker } from '../../tools/lib/docker.js';
import { baseUrl, pauseContainer, resumeContainer, sessionStoreContainer } from '../lib/stack.js';
import { connectClient, connectClients, type RealtimeClient } from '../../tools/lib/realtime.js';

const store = sessionStoreContainer;
/** SESSION_STORE_TIMEOUT_MS (1 s, the connect check's PING bound) plus the handshake on a loaded 2-core machine. */
const BOUND_MS = 3_000;
const STORE_UNAVAILABLE = 'Realtime store unavailable, try again shortly.';
let open: RealtimeClient[] = [];

after(async () => {
  open.forEach((c) => c.close());
  await resumeContainer(store);
});

async function assertConnectRefused(state: string): Promise<number> {
  let worst = 0;
  for (let i = 0; i < 4; i++) {
    const started = Date.now();
    await assert.rejects(connectClient(baseUrl, undefined, { reconnection: false, timeoutMs: 15_000 }), (err: Error & { data?: { statusCode?: number } }) => {
      assert.equal(err.message, STORE_UNAVAILABLE, `${state}: ${err.message}`);
      assert.equal(err.data?.statusCode, 503);
      return true;
    });
    const ms = Date.now() - started;
    assert.ok(ms < BOUND_MS, `${state}: the refused connect took ${ms} ms (bound ${BOUND_MS})`);
    worst = Math.max(worst, ms);
  }
  assert.ok(open.every((c) => c.socket.connected), `${state}: sockets opened before the outage stay open`);
  return worst;
}

async function recoveryMs(): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      const c = await connectClient(baseUrl, 'recovered', { reconnection: false, timeoutMs: 5_000 });
      c.close();
      return Date.now() - started;
    } catch (error) {
      if (Date.now() - started > 20_000) throw error;
      await sleep(200);
    }
  }
}

test('websocket connects with the store paused, stopped and back: a clear 503 connect_error, never a hang', async () => {
  // The test before this one (55-session-store-down) restarted the store: wait until every worker's adapter is back
  // (each reconnects within 1 s of the store's start, but not all at the same moment).
  for (let attempt = 1; ; attempt++) {
    try {
      open = await connectClients(baseUrl, `before-outage-${Date.now()}`, 6);
      break;
    } catch (error) {
      open.forEach((c) => c.close());
      if (attempt >= 20) throw error;
      await sleep(500);
    }
  }
  await pauseContainer(store);
  const paused = await assertConnectRefused('paused');
  await docker(['unpause', store]);
  const afterUnpause = await recoveryMs();

  await docker(['stop', '-t', '1', store]);
  const stopped = await assertConnectRefused('stopped');
  await docker(['start', store]);
  const afterStart = await recoveryMs();
  console.log(`# websocket connect refused: paused ${paused} ms (worst), stopped ${stopped} ms; connects again ${afterUnpause} ms after unpause, ${afterStart} ms after start`);
});
