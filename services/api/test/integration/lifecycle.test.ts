// Drain, readiness and server timeouts in-process (the pm2 test repeats the drain under real signals).

import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { httpRequest } from '../helpers/http.js';
import { startTestApi, type TestApi } from '../helpers/in-process-api.js';

/** `promise`, or a failure naming `what` after `ms`: a drain that never closes a socket fails the test, not hangs it. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

describe('graceful drain', () => {
  let t: TestApi | undefined;
  afterEach(async () => {
    await t?.close().catch(() => undefined);
    t = undefined;
  });

  it('finishes in-flight requests with Connection: close, refuses new connections, flips /readyz', async () => {
    t = await startTestApi();
    const port = t.port;
    const agent = new Agent({ keepAlive: true });
    // Warm a keep-alive socket that will be idle when the drain starts: it must be closed.
    await httpRequest(port, '/healthz', { agent });
    const inFlight = Array.from({ length: 5 }, () => httpRequest(port, '/io?ms=500', { agent }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(t.api.drain.inFlightCount, 5);

    t.api.readiness.startDraining();
    const draining = t.api.drain.drain(t.api.server, 3000);
    const responses = await Promise.all(inFlight);
    for (const res of responses) {
      assert.equal(res.status, 200);
      assert.equal(res.headers.connection, 'close', 'in-flight responses tell the client not to reuse the socket');
    }
    assert.equal(await draining, 'drained');
    await assert.rejects(httpRequest(port, '/healthz'), /ECONNREFUSED/);
    agent.destroy();
  });

  it('a request that arrives on an idle keep-alive socket after the drain started is served, not reset', async () => {
    // The keep-alive race of a reload: nginx reuses an idle connection to this worker just as the drain begins.
    // Closing idle sockets at once would reset it (and nginx never retries a POST that was sent: a 502).
    t = await startTestApi();
    const port = t.port;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    await httpRequest(port, '/healthz', { agent }); // one idle, kept-alive socket
    t.api.readiness.startDraining();
    const draining = t.api.drain.drain(t.api.server, 3000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const res = await httpRequest(port, '/echo', {
      agent,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'sent on a kept-alive socket during the drain' }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.connection, 'close', 'and the client is told to retire the socket');
    assert.equal(await draining, 'drained');
    agent.destroy();
  });

  it('/readyz is 503 while starting and while draining', async () => {
    t = await startTestApi();
    t.api.readiness.startDraining();
    const res = await httpRequest(t.port, '/readyz');
    assert.equal(res.status, 503);
    assert.deepEqual([res.json().error, res.json().message], ['Service Unavailable', 'draining']);
    assert.equal((await httpRequest(t.port, '/healthz')).status, 200, 'still alive while draining');
  });

  it('gives up at the drain timeout and cuts the remaining connections', async () => {
    t = await startTestApi();
    const slow = httpRequest(t.port, '/io?ms=5000').catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    assert.equal(await t.api.drain.drain(t.api.server, 300), 'timeout');
    assert.ok(Date.now() - started < 1500);
    assert.ok((await slow) instanceof Error, 'the cut request fails instead of hanging');
  });

  it('closes a connection that never sends a request (mid-request sockets do not block the exit forever)', async () => {
    t = await startTestApi();
    const socket = connect(t.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // headers never finished
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const started = Date.now();
    const result = await within(t.api.drain.drain(t.api.server, 500), 2000, 'drain(500 ms) returned');
    await within(closed, 1000, 'the half-sent socket was closed after the drain returned');
    // A socket mid-request is not idle (closeIdleConnections leaves it), so it holds the drain to its deadline and
    // is cut there: 'timeout', never 'drained', and not before the 500 ms budget is spent.
    assert.equal(result, 'timeout');
    assert.ok(Date.now() - started >= 450, `the drain cut the socket after ${Date.now() - started} ms, before its budget`);
  });
});

describe('server timeouts', () => {
  it('keep idle sockets longer than nginx (60 s): keepAlive 65 s, headers 66 s', async () => {
    const t = await startTestApi();
    try {
      assert.equal(t.api.server.keepAliveTimeout, 65_000);
      assert.equal(t.api.server.headersTimeout, 66_000);
      assert.ok(t.api.server.requestTimeout >= t.api.server.headersTimeout);
      const res = await httpRequest(t.port, '/healthz', { agent: new Agent({ keepAlive: true }) });
      assert.equal(res.headers['keep-alive'], 'timeout=65');
    } finally {
      await t.close();
    }
  });
});
