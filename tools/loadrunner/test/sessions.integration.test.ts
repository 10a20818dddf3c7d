// The sessions scenario (k6/lib/scenarios.js) and the runner's per-VU cookie jars (src/vuCookieJars.ts) against a
// throwaway session server on 127.0.0.1 that behaves like services/api's session routes: a session cookie on the
// first POST /session/visits, the count kept per session, DELETE clears it with a past Expires. One shared store
// passes; one store per "worker" (a memory store behind a load balancer) resets counts and
// fails the session check's threshold; a runner without cookies would fail it too.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, test } from 'node:test';
import { tallyGrid } from '../../../k6/lib/fairness.js';
import { SESSION_CHECK, SESSION_VISITS } from '../../../k6/lib/scenarios.js';
import { buildScenario } from '../src/catalogue.js';
import { runLoad } from '../src/runLoad.js';
import { summaryData } from '../src/summaryData.js';
import { applyThresholds, thresholdsOf } from '../src/thresholds.js';
import { VuCookieJars } from '../src/vuCookieJars.js';

const COOKIE = 'scaleout.sid';

/** `stores` session maps, each request going to one of them (1 = the shared store). Records every session's counts. */
async function startSessionServer(stores: number) {
  const memories = Array.from({ length: stores }, () => new Map<string, number>());
  const counts = new Map<string, number[]>();
  let next = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // A random store per request: turns in order would let VUs in lockstep (4 VUs, 2 stores) keep to one store each.
    const memory = memories[Math.floor(Math.random() * stores)] as Map<string, number>;
    const sid = /(?:^|;\s*)scaleout\.sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (req.method === 'POST' && req.url === '/session/visits') {
      const id = sid !== undefined && memory.has(sid) ? sid : `s${++next}`;
      const visits = (memory.get(id) ?? 0) + 1;
      memory.set(id, visits);
      counts.set(id, [...(counts.get(id) ?? []), visits]);
      if (id !== sid) res.setHeader('Set-Cookie', `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Served-By', `api-1/${memories.indexOf(memory)}/1`);
      return res.end(JSON.stringify({ visits, sessionId: id, replica: 'api-1', worker: '0' }));
    }
    if (req.method === 'DELETE' && req.url === '/session') {
      if (sid !== undefined) for (const m of memories) m.delete(sid);
      res.statusCode = 204;
      res.setHeader('Set-Cookie', `${COOKIE}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT`);
      return res.end();
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { baseUrl: `http://127.0.0.1:${port}`, counts, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function runSessions(baseUrl: string) {
  // A think time keeps this cheap: the suite's files run side by side, and a busy loop would starve their timings.
  const definition = buildScenario('sessions', { vus: 4, durationSec: 1, sleepMs: 20 });
  const result = await runLoad({ baseUrl, scenario: definition.scenario, requests: definition.requests, discardResponseBodies: definition.catalogue.discardResponseBodies });
  const thresholds = thresholdsOf(definition.catalogue.thresholds);
  const data = summaryData(result, tallyGrid(), undefined, thresholds.map((t) => t.metric));
  return { result, failed: applyThresholds(data, thresholds).filter((t) => !t.ok).map((t) => t.metric) };
}

describe('the sessions scenario through the runner', () => {
  test('one shared store: every session counts 1..N, each VU on its own sessions, every threshold holds', async () => {
    const server = await startSessionServer(1);
    try {
      const { result, failed } = await runSessions(server.baseUrl);
      assert.deepEqual(failed, []);
      const check = result.checks.find((c) => c.name === SESSION_CHECK);
      assert.ok(check !== undefined && check.passes >= 4 * SESSION_VISITS && check.fails === 0, JSON.stringify(result.checks));
      const full = [...server.counts.values()].filter((c) => c.length === SESSION_VISITS);
      assert.ok(full.length >= 4, `at least one full session per VU, got ${full.length}`);
      for (const c of server.counts.values()) assert.deepEqual(c, c.map((_, i) => i + 1), 'a session never resets (the DELETE ends it, the jar drops the cookie)');
    } finally {
      await server.close();
    }
  });

  test('a store per worker (memory behind a balancer): counts reset, the session check threshold fails', async () => {
    const server = await startSessionServer(2);
    try {
      const { result, failed } = await runSessions(server.baseUrl);
      assert.ok(failed.includes(`checks{check:${SESSION_CHECK}}`), `failed: ${failed.join(', ')} ${JSON.stringify(result.checks)}`);
      assert.ok(result.checks.find((c) => c.name === SESSION_CHECK)!.fails > 0);
    } finally {
      await server.close();
    }
  });
});

describe('VuCookieJars', () => {
  test('stores Set-Cookie per VU, sends it back only to that VU, and drops a cookie a past Expires deletes', () => {
    const jars = new VuCookieJars('http://127.0.0.1:8080');
    assert.equal(jars.cookieHeader(1, '/session/visits'), undefined);
    jars.store(1, '/session/visits', [`${COOKIE}=abc; Path=/; HttpOnly`, 'theme=dark; Path=/prefs']);
    assert.equal(jars.cookieHeader(1, '/session'), `${COOKIE}=abc`, 'path-matched: theme is only for /prefs');
    assert.equal(jars.cookieHeader(1, '/prefs/x'), `theme=dark; ${COOKIE}=abc`, 'longer paths first (RFC 6265 5.4)');
    assert.equal(jars.cookieHeader(2, '/session'), undefined, 'another VU has its own jar');
    jars.store(1, '/session', [`${COOKIE}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT`]);
    assert.equal(jars.cookieHeader(1, '/session'), undefined);
    jars.store(1, '/', ['not a cookie line;;;']);
    assert.equal(jars.cookieHeader(1, '/'), undefined, 'a malformed Set-Cookie is ignored, the run goes on');
  });
});
