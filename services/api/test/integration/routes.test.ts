// Real HTTP against the real app (in-process, no pm2): routes, headers, validation, errors, chaos.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpRequest, postJson, type HttpResponse } from '../helpers/http.js';
import { startTestApi, type TestApi } from '../helpers/in-process-api.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Asserts the contract's error shape and returns the body. */
function assertErrorShape(res: HttpResponse, status: number): Record<string, unknown> {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 300)}`);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.json();
  assert.deepEqual(Object.keys(body).sort(), ['error', 'message', 'requestId', 'statusCode'], res.text);
  assert.equal(body.statusCode, status);
  assert.equal(body.requestId, res.headers['x-request-id']);
  assert.doesNotMatch(res.text, /at \w+.*\(.*:\d+:\d+\)/, 'no stack trace in the body');
  return body;
}

describe('routes (CHAOS_ENABLED=true)', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi({ CHAOS_ENABLED: 'true' });
  });
  after(() => t.close());

  it('GET /whoami returns the identity and the headers every response carries', async () => {
    const res = await httpRequest(t.port, '/whoami');
    assert.equal(res.status, 200);
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['client', 'hostname', 'pid', 'replica', 'uptimeSeconds', 'version', 'worker']);
    // TRUST_PROXY_HOPS unset (0): the peer's own address and scheme, whatever X-Forwarded-* a client sends.
    assert.deepEqual(body.client, { ip: '127.0.0.1', protocol: 'http' });
    const spoofed = (await httpRequest(t.port, '/whoami', { headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' } })).json();
    assert.deepEqual(spoofed.client, { ip: '127.0.0.1', protocol: 'http' });
    assert.deepEqual([body.replica, body.worker, body.pid, body.version], ['test-1', '0', process.pid, '9.9.9']);
    assert.equal(res.headers['x-served-by'], `test-1/0/${process.pid}`);
    assert.match(String(res.headers['x-request-id']), UUID);
    assert.equal(res.headers['x-powered-by'], undefined);
  });

  it('GET / adds a message', async () => {
    const body = (await httpRequest(t.port, '/')).json();
    assert.equal(body.message, `Hello from test-1/0/${process.pid}`);
    assert.equal(body.replica, 'test-1');
  });

  it('echoes a sane X-Request-Id and replaces an insane one', async () => {
    const sane = await httpRequest(t.port, '/whoami', { headers: { 'x-request-id': 'abc.DEF_12-3' } });
    assert.equal(sane.headers['x-request-id'], 'abc.DEF_12-3');
    const insane = await httpRequest(t.port, '/whoami', { headers: { 'x-request-id': 'a b<script>' } });
    assert.match(String(insane.headers['x-request-id']), UUID);
    const tooLong = await httpRequest(t.port, '/whoami', { headers: { 'x-request-id': 'x'.repeat(129) } });
    assert.match(String(tooLong.headers['x-request-id']), UUID);
  });

  it('GET /work sums 0..n (default 1,000,000) and bounds n', async () => {
    const byDefault = (await httpRequest(t.port, '/work')).json();
    assert.deepEqual([byDefault.n, byDefault.sum, byDefault.replica], [1_000_000, 500_000_500_000, 'test-1']);
    assert.deepEqual((await httpRequest(t.port, '/work?n=10')).json().sum, 55);
    for (const bad of ['-1', 'abc', '1e6', '1.5', '50000001', '1&n=2']) {
      const body = assertErrorShape(await httpRequest(t.port, `/work?n=${bad}`), 400);
      assert.match(String(body.message), /^n must be/);
    }
  });

  it('GET /io waits without blocking the event loop, and bounds ms', async () => {
    const started = Date.now();
    const slow = httpRequest(t.port, '/io?ms=400');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const health = await httpRequest(t.port, '/healthz');
    const healthAfterMs = Date.now() - started;
    assert.equal(health.status, 200);
    assert.ok(healthAfterMs < 300, `/healthz answered after ${healthAfterMs} ms while /io?ms=400 was waiting: loop blocked?`);
    const res = await slow;
    assert.equal(res.status, 200);
    assert.equal(res.json().ms, 400);
    assert.ok(Date.now() - started >= 400);
    assertErrorShape(await httpRequest(t.port, '/io?ms=30001'), 400);
  });

  it('POST /io waits like GET /io (a slow request nginx never retries), and bounds ms', async () => {
    const started = Date.now();
    const res = await httpRequest(t.port, '/io?ms=300', { method: 'POST' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().ms, 300);
    assert.ok(Date.now() - started >= 300);
    assertErrorShape(await httpRequest(t.port, '/io?ms=30001', { method: 'POST' }), 400);
  });

  it('POST /echo returns the validated body', async () => {
    const res = await postJson(t.port, '/echo', JSON.stringify({ message: 'hi', count: 3, tags: ['a', 'b'] }));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), { message: 'hi', count: 3, tags: ['a', 'b'] });
  });

  it('POST /echo rejects bad bodies with the JSON error shape', async () => {
    const cases: Array<[string, string | Buffer, number, RegExp, string?]> = [
      ['wrong type', '{"message":5}', 400, /message: must be a string/],
      ['unknown field', '{"message":"a","extra":1}', 400, /extra: unknown field/],
      ['count out of range', '{"message":"a","count":5000}', 400, /count/],
      ['too many tags', JSON.stringify({ message: 'a', tags: Array(11).fill('t') }), 400, /tags/],
      ['malformed JSON', '{"message":"hi",', 400, /Malformed JSON/],
      ['top-level string', '"hello"', 400, /Malformed JSON/],
      ['__proto__ key', '{"message":"a","__proto__":{"polluted":1}}', 400, /__proto__/],
      ['nested constructor key', '{"message":"a","tags":[{"constructor":{"prototype":1}}]}', 400, /constructor/],
      ['100k-deep nesting', '['.repeat(100_000) + ']'.repeat(100_000), 413, /larger than/],
      ['33-deep nesting', '{"a":' + '['.repeat(33) + ']'.repeat(33) + '}', 400, /nesting deeper than 32/],
      ['oversized body', JSON.stringify({ message: 'x'.repeat(200_000) }), 413, /larger than 102400 bytes/],
      ['empty body', '', 400, /message: must be a string/], // body-parser turns an empty JSON body into {}
      ['text/plain', 'hello', 415, /application\/json/, 'text/plain'],
      ['form', 'message=hi', 415, /application\/json/, 'application/x-www-form-urlencoded'],
    ];
    for (const [name, body, status, message, contentType] of cases) {
      const res = await postJson(t.port, '/echo', body, contentType);
      const error = assertErrorShape(res, status);
      assert.match(String(error.message), message, `${name}: ${res.text.slice(0, 200)}`);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
    // Deep nesting that fits the size limit is rejected by depth, not size.
    const deep = '['.repeat(40_000) + ']'.repeat(40_000);
    assert.match(String(assertErrorShape(await postJson(t.port, '/echo', deep), 400).message), /nesting deeper than 32/);
  });

  it('unknown routes get a JSON 404', async () => {
    const body = assertErrorShape(await httpRequest(t.port, '/no/such/route'), 404);
    assert.equal(body.error, 'Not Found');
    assertErrorShape(await httpRequest(t.port, '/echo'), 404); // GET on a POST-only route
  });

  it('/healthz is 200; /readyz follows readiness', async () => {
    assert.deepEqual((await httpRequest(t.port, '/healthz')).json(), { status: 'ok' });
    assert.deepEqual((await httpRequest(t.port, '/readyz')).json(), { status: 'ready' });
  });

  it('/chaos/error becomes a JSON 500, is logged with its request id, and the worker keeps serving', async () => {
    const res = await httpRequest(t.port, '/chaos/error', { method: 'POST', headers: { 'x-request-id': 'chaos-err-1' } });
    const body = assertErrorShape(res, 500);
    assert.equal(body.message, 'Internal Server Error');
    assert.doesNotMatch(res.text, /deliberate/, 'the error message stays in the log');
    const logged = t.logs().find((line) => line.requestId === 'chaos-err-1' && line.level === 'error');
    assert.ok(logged, 'error logged with the request id');
    assert.match(JSON.stringify(logged), /chaos: deliberate error/);
    assert.equal((await httpRequest(t.port, '/whoami')).status, 200);
  });

  it('/chaos/crash answers first, then calls the crash hook once the response is flushed', async () => {
    const before = t.crashes();
    const res = await httpRequest(t.port, '/chaos/crash', { method: 'POST' });
    assert.equal(res.status, 202);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(t.crashes(), before + 1);
  });

  it('/chaos/leak retains memory, bounded per call', async () => {
    const res = await httpRequest(t.port, '/chaos/leak?mb=2', { method: 'POST' });
    assert.equal(res.status, 200);
    assert.ok(Number(res.json().retainedMb) >= 2);
    assertErrorShape(await httpRequest(t.port, '/chaos/leak?mb=100000', { method: 'POST' }), 400);
  });

  it('writes request logs with replica, worker and request id (at LOG_LEVEL=debug)', async () => {
    await httpRequest(t.port, '/whoami', { headers: { 'x-request-id': 'log-check-1' } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const line = t.logs().find((l) => l.requestId === 'log-check-1' && l.msg === 'request');
    assert.ok(line, 'request log line present');
    assert.deepEqual([line.replica, line.worker, line.status, line.method], ['test-1', '0', 200, 'GET']);
  });
});

describe('routes (CHAOS_ENABLED=false, RESPONSE_DELAY_MS=150)', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi({ RESPONSE_DELAY_MS: '150' });
  });
  after(() => t.close());

  it('chaos routes do not exist: the same JSON 404 as any unknown route', async () => {
    for (const path of ['/chaos/crash', '/chaos/leak', '/chaos/error']) {
      const body = assertErrorShape(await httpRequest(t.port, path, { method: 'POST' }), 404);
      assert.equal(body.message, `Cannot POST ${path}`);
    }
    assert.equal(t.crashes(), 0);
  });

  it('RESPONSE_DELAY_MS delays /work and /io but not /whoami', async () => {
    const time = async (path: string) => {
      const started = performance.now();
      assert.equal((await httpRequest(t.port, path)).status, 200);
      return performance.now() - started;
    };
    assert.ok((await time('/work?n=1')) >= 145);
    assert.ok((await time('/io?ms=0')) >= 145);
    assert.ok((await time('/whoami')) < 145);
  });
});

describe('trust proxy (TRUST_PROXY_HOPS=1, the stack behind nginx)', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi({ TRUST_PROXY_HOPS: '1' });
  });
  after(() => t.close());

  it('believes one hop of X-Forwarded-For and X-Forwarded-Proto, and no more', async () => {
    const res = await httpRequest(t.port, '/whoami', { headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' } });
    assert.deepEqual(res.json().client, { ip: '203.0.113.9', protocol: 'https' });
    // A client-written entry before the proxy's own is not believed: only the last hop is.
    const chained = await httpRequest(t.port, '/whoami', { headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' } });
    assert.deepEqual(chained.json().client, { ip: '203.0.113.9', protocol: 'http' });
  });
});
