// Sessions in-process (no pm2): the counter, the cookie's attributes, bad cookies, and a store that is down or
// paused (a TCP server that accepts and never answers, the way a SIGSTOPped Redis behaves). The real store across
// replicas and workers is tests/stack/50-sessions.test.ts.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpRequest, type HttpResponse } from '../helpers/http.js';
import { startTestApi, type TestApi } from '../helpers/in-process-api.js';
import { freePort } from '../helpers/ports.js';

const SECRET = 'test-session-secret';
const COOKIE = 'scaleout.sid';

function secretFile(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'session-')), 'secret');
  writeFileSync(file, `${SECRET}\n`);
  return file;
}

/** `scaleout.sid=...` from a Set-Cookie header, or undefined. */
function cookieOf(res: HttpResponse): string | undefined {
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return set.find((c) => c.startsWith(`${COOKIE}=`))?.split(';')[0];
}

/** The signed cookie value express-session (cookie-signature) would send for `sid`. */
function signedCookie(sid: string): string {
  const mac = createHmac('sha256', SECRET).update(sid).digest('base64').replace(/=+$/, '');
  return `${COOKIE}=${encodeURIComponent(`s:${sid}.${mac}`)}`;
}

function visit(port: number, cookie?: string): Promise<HttpResponse> {
  return httpRequest(port, '/session/visits', { method: 'POST', headers: cookie ? { cookie } : {} });
}

describe('sessions, memory store', () => {
  let t: TestApi;
  before(async () => {
    // One trusted proxy hop, as in the stack (nginx): X-Forwarded-Proto then decides whether the cookie is Secure.
    t = await startTestApi({ SESSION_STORE: 'memory', SESSION_SECRET_FILE: secretFile(), SESSION_TTL_SECONDS: '600', TRUST_PROXY_HOPS: '1' });
  });
  after(() => t.close());

  it('counts visits 1..5 in one session and GET /session reads the count', async () => {
    const first = await visit(t.port);
    assert.equal(first.status, 200, first.text);
    const cookie = cookieOf(first);
    assert.ok(cookie, 'a session cookie on the first visit');
    const body = first.json<{ visits: number; sessionId: string; replica: string; worker: string }>();
    assert.deepEqual({ ...body, sessionId: typeof body.sessionId }, { visits: 1, sessionId: 'string', replica: 'test-1', worker: '0' });
    for (let n = 2; n <= 5; n++) assert.equal((await visit(t.port, cookie)).json().visits, n);
    const read = await httpRequest(t.port, '/session', { headers: { cookie } });
    assert.deepEqual(read.json(), { visits: 5, sessionId: body.sessionId, replica: 'test-1', worker: '0' });
  });

  it('sets an httpOnly, SameSite=Lax cookie with a Max-Age; Secure only when X-Forwarded-Proto says https', async () => {
    const plain = ([] as string[]).concat((await visit(t.port)).headers['set-cookie'] ?? [])[0] ?? '';
    assert.match(plain, /; HttpOnly/i);
    assert.match(plain, /; SameSite=Lax/i);
    assert.match(plain, /; Expires=/i);
    assert.doesNotMatch(plain, /; Secure/i);
    const https = await httpRequest(t.port, '/session/visits', { method: 'POST', headers: { 'x-forwarded-proto': 'https' } });
    assert.match(([] as string[]).concat(https.headers['set-cookie'] ?? [])[0] ?? '', /; Secure/i);
  });

  it('does not store a session for a client that only reads (saveUninitialized: false)', async () => {
    const res = await httpRequest(t.port, '/session');
    assert.deepEqual(res.json(), { visits: 0, sessionId: null, replica: 'test-1', worker: '0' });
    assert.equal(cookieOf(res), undefined);
  });

  it('a tampered, forged or unknown session cookie gets a fresh session, never an error', async () => {
    const first = await visit(t.port);
    const cookie = cookieOf(first)!;
    const tampered = cookie.slice(0, -3) + (cookie.endsWith('abc') ? 'xyz' : 'abc');
    const forged = `${COOKIE}=${encodeURIComponent('s:made-up-id.bm90LWEtc2lnbmF0dXJl')}`;
    const unknown = signedCookie('a-validly-signed-id-the-store-never-had');
    for (const bad of [tampered, forged, unknown, `${COOKIE}=%E0%A4%A`, `${COOKIE}=${'x'.repeat(4000)}`]) {
      const res = await visit(t.port, bad);
      assert.equal(res.status, 200, `${bad.slice(0, 60)}: ${res.text}`);
      assert.equal(res.json().visits, 1, `${bad.slice(0, 60)} starts over`);
      assert.notEqual(res.json().sessionId, first.json().sessionId);
    }
    assert.equal(t.crashes(), 0);
  });

  it('DELETE /session ends it: 204, the cookie cleared, the next visit starts at 1', async () => {
    const cookie = cookieOf(await visit(t.port))!;
    await visit(t.port, cookie);
    const del = await httpRequest(t.port, '/session', { method: 'DELETE', headers: { cookie } });
    assert.equal(del.status, 204);
    assert.match(String(del.headers['set-cookie']), new RegExp(`${COOKIE.replace('.', '\\.')}=;.*Expires=Thu, 01 Jan 1970`));
    assert.equal((await visit(t.port, cookie)).json().visits, 1);
  });
});

describe('sessions, redis store that is down or paused', () => {
  let t: TestApi;
  let paused: Server;
  const held: Socket[] = [];
  const TIMEOUT_MS = 300;

  async function startWith(url: string): Promise<TestApi> {
    return startTestApi({ SESSION_STORE: 'redis', SESSION_STORE_URL: url, SESSION_SECRET_FILE: secretFile(), SESSION_STORE_TIMEOUT_MS: String(TIMEOUT_MS) });
  }

  before(async () => {
    // Accepts connections and never answers: a paused Redis.
    paused = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => paused.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await t?.close();
    for (const s of held) s.destroy();
    paused.close();
  });

  async function assertBounded503(port: number, cookie?: string): Promise<void> {
    const started = Date.now();
    const res = await visit(port, cookie);
    const took = Date.now() - started;
    assert.equal(res.status, 503, res.text);
    assert.deepEqual(Object.keys(res.json()).sort(), ['error', 'message', 'requestId', 'statusCode']);
    assert.ok(took < TIMEOUT_MS * 2 + 500, `answered in ${took} ms, bound ${TIMEOUT_MS} ms`);
  }

  it('store paused: the session routes answer a JSON 503 within the bound; other routes and /readyz stay 200', async () => {
    const port = (paused.address() as { port: number }).port;
    t = await startWith(`redis://127.0.0.1:${port}`);
    await assertBounded503(t.port);
    // A cookie makes express-session ask the store first (get), which must be bounded too.
    await assertBounded503(t.port, signedCookie('some-session'));
    assert.equal((await httpRequest(t.port, '/whoami')).status, 200);
    assert.equal((await httpRequest(t.port, '/readyz')).status, 200);
    const metrics = (await httpRequest(t.port, '/metrics')).text;
    assert.match(metrics, /session_store_up\{[^}]*\} 0/);
    assert.match(metrics, /session_store_errors_total\{[^}]*operation="(set|get)"[^}]*\} [1-9]/);
    await t.close();
  });

  it('store stopped (nothing listens): 503 within the bound, other routes unaffected', async () => {
    const port = await freePort();
    t = await startWith(`redis://127.0.0.1:${port}`);
    await assertBounded503(t.port);
    await assertBounded503(t.port, signedCookie('some-session'));
    assert.equal((await httpRequest(t.port, '/whoami')).status, 200);
    assert.equal((await httpRequest(t.port, '/readyz')).status, 200);
    assert.equal(t.crashes(), 0);
  });
});
