// The session store down is an error, not a hang (docs/state.md): with valkey paused, then stopped, the session
// routes answer a JSON 503 within the bound (SESSION_STORE_TIMEOUT_MS = 1 s, plus nginx), every other route and
// every replica's readiness stay 200, and when the store is back sessions work again without any restart.
// Cost: about 20 s.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { docker } from '../../tools/lib/docker.js';
import { baseUrl, pauseContainer, resumeContainer, sessionStoreContainer } from '../lib/stack.js';

const store = sessionStoreContainer;
/** The store timeout (1 s) plus room for a loaded 2-core machine; far below nginx's 35 s read timeout. */
const BOUND_MS = 2500;

after(async () => {
  await resumeContainer(store);
});

async function timed(path: string, init: RequestInit = {}): Promise<{ status: number; ms: number; body: string }> {
  const started = Date.now();
  const res = await fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
  const body = await res.text();
  return { status: res.status, ms: Date.now() - started, body };
}

/**
 * With the store down, GET /session is decided by the cookie, not by chance:
 * - a forged cookie fails express-session's signature check, so the store is never asked and the client gets a
 *   fresh, empty session: 200 with visits 0 and sessionId null (session.middleware.ts);
 * - the signed cookie of a real session makes express-session read the store: 503, within the bound.
 */
async function assertDegraded(state: string, signedCookie: string): Promise<number> {
  let worst = 0;
  for (let i = 0; i < 6; i++) {
    const visit = await timed('/session/visits', { method: 'POST' });
    assert.equal(visit.status, 503, `${state}: ${visit.body}`);
    assert.deepEqual(Object.keys(JSON.parse(visit.body) as object).sort(), ['error', 'message', 'requestId', 'statusCode']);
    assert.ok(visit.ms < BOUND_MS, `${state}: POST /session/visits took ${visit.ms} ms (bound ${BOUND_MS})`);
    worst = Math.max(worst, visit.ms);
    const forged = await timed('/session', { headers: { cookie: 'scaleout.sid=s%3Aunknown.sig' } });
    assert.equal(forged.status, 200, `${state}: GET /session with a forged cookie: ${forged.status} ${forged.body}`);
    assert.deepEqual(pick(JSON.parse(forged.body) as Record<string, unknown>), { visits: 0, sessionId: null }, `${state}: a forged cookie gets an empty session`);
    const read = await timed('/session', { headers: { cookie: signedCookie } });
    assert.equal(read.status, 503, `${state}: GET /session with a real session's cookie must read the store: ${read.status} ${read.body}`);
    assert.ok(read.ms < BOUND_MS, `${state}: GET /session took ${read.ms} ms`);
  }
  // Everything else is unaffected, and readiness does not fail (nginx keeps every replica).
  for (let i = 0; i < 12; i++) {
    for (const path of ['/whoami', '/readyz', '/io?ms=1']) {
      const r = await timed(path);
      assert.equal(r.status, 200, `${state}: ${path} answered ${r.status} ${r.body}`);
    }
  }
  return worst;
}

const pick = (v: Record<string, unknown>): Record<string, unknown> => ({ visits: v.visits, sessionId: v.sessionId });

async function recoveryMs(): Promise<number> {
  const started = Date.now();
  for (;;) {
    const visit = await timed('/session/visits', { method: 'POST' });
    if (visit.status === 200) return Date.now() - started;
    if (Date.now() - started > 20_000) throw new Error(`sessions did not recover within 20 s: ${visit.status} ${visit.body}`);
    await sleep(100);
  }
}

test('store paused, then stopped, then started: bounded 503s, nothing else affected, recovery without restart', async () => {
  const first = await fetch(`${baseUrl}/session/visits`, { method: 'POST', signal: AbortSignal.timeout(15_000) });
  await first.arrayBuffer();
  assert.equal(first.status, 200, 'sessions work before');
  const signedCookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.match(signedCookie, /^scaleout\.sid=s%3A/, 'the first visit set a signed session cookie');
  await pauseContainer(store);
  const paused = await assertDegraded('paused', signedCookie);
  await docker(['unpause', store]);
  const afterUnpause = await recoveryMs();
  await docker(['stop', '-t', '1', store]);
  const stopped = await assertDegraded('stopped', signedCookie);
  await docker(['start', store]);
  const afterStart = await recoveryMs();
  console.log(`# store paused: worst 503 in ${paused} ms; stopped: ${stopped} ms; back after unpause in ${afterUnpause} ms, after start in ${afterStart} ms`);
});
