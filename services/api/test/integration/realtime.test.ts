// The socket.io gateway in-process (no pm2, no nginx): hello with the identity, join and broadcast, bad input, the
// ws_* metrics, and the drain's close (1012, "transport close", never "io server disconnect"). Across workers and
// replicas: tests/stack/65-websockets. SOCKET_ADAPTER=redis with the store down: tests/stack/56-websocket-store-down
// (in-process, the adapter's duplicated clients keep retrying a store that is not there and hold the test runner open).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { httpRequest } from '../helpers/http.js';
import { startTestApi, type TestApi } from '../helpers/in-process-api.js';
import type { Origin } from '../../src/realtime/wire.js';

function connect(port: number, options: Parameters<typeof io>[1] = {}): Socket {
  return io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false, ...options });
}

const once = <T>(socket: Socket, event: string): Promise<T> => new Promise((resolve) => socket.once(event, (...args: unknown[]) => resolve(args as T)));

async function metric(port: number, name: string): Promise<string[]> {
  const res = await httpRequest(port, '/metrics');
  return res.text.split('\n').filter((line: string) => line.startsWith(name));
}

describe('socket.io gateway (SOCKET_ADAPTER=memory)', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi({ SOCKET_MAX_MESSAGE_BYTES: '1024' });
  });
  after(async () => t.close());

  it('says hello with this worker\'s replica and worker, and broadcasts to the room with the sender\'s origin', async () => {
    const a = connect(t.port);
    const b = connect(t.port);
    const [[helloA]] = await Promise.all([once<[Origin]>(a, 'hello'), once<[Origin]>(b, 'hello')]);
    assert.deepEqual(helloA, { replica: 'test-1', worker: '0' });
    assert.deepEqual(await a.emitWithAck('join', { room: 'r1' }), { room: 'r1', replica: 'test-1', worker: '0' });
    await b.emitWithAck('join', { room: 'r1' });
    const got = once<[unknown]>(a, 'message');
    assert.deepEqual(await b.emitWithAck('broadcast', { room: 'r1', id: 'm1' }), { room: 'r1', id: 'm1' });
    assert.deepEqual((await got)[0], { room: 'r1', id: 'm1', from: { replica: 'test-1', worker: '0' } });

    assert.deepEqual(await metric(t.port, 'ws_connections'), ['ws_connections{replica="test-1",worker="0"} 2']);
    assert.ok((await metric(t.port, 'ws_messages_in_total{event="broadcast"')).some((l) => l.endsWith(' 1')));
    a.close();
    b.close();
  });

  it('answers a bad room with an exception event and keeps the socket', async () => {
    const s = connect(t.port);
    await once(s, 'hello');
    const exception = once<[{ message: string }]>(s, 'exception');
    s.emit('join', { room: 'no spaces allowed' });
    assert.match((await exception)[0].message, /"room" must be 1-64 characters/);
    assert.ok(s.connected);
    s.close();
  });

  it('closes a socket whose message is over maxHttpBufferSize with 1009', async () => {
    const s = connect(t.port);
    await once(s, 'hello');
    const closed = once<[string, { context?: { code?: number } }]>(s, 'disconnect');
    s.emit('broadcast', { room: 'r1', id: 'x'.repeat(2048) });
    const [reason, details] = await closed;
    assert.equal(reason, 'transport close');
    assert.equal(details.context?.code, 1009);
  });

  it('connection-state recovery: a client whose connection dropped gets its rooms back and the room messages it missed', async () => {
    const a = connect(t.port, { reconnection: true, reconnectionDelay: 50 });
    const b = connect(t.port);
    await Promise.all([once(a, 'hello'), once(b, 'hello')]);
    await a.emitWithAck('join', { room: 'rec' });
    await b.emitWithAck('join', { room: 'rec' });
    const ids: string[] = [];
    a.on('message', (m: { id: string }) => ids.push(m.id));
    await b.emitWithAck('broadcast', { room: 'rec', id: 'before' }); // gives `a` an offset to recover from
    await new Promise((r) => setTimeout(r, 100));
    const dropped = once<[string]>(a, 'disconnect');
    // The websocket itself closes, as in a drain or a network cut ("transport close"); engine.close() would be the
    // client's own "forced close", after which it does not reconnect.
    (a.io.engine.transport as unknown as { ws: { close(): void } }).ws.close();
    assert.equal((await dropped)[0], 'transport close');
    await b.emitWithAck('broadcast', { room: 'rec', id: 'missed' });
    await once(a, 'connect');
    assert.equal(a.recovered, true, 'the session was recovered');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(ids, ['before', 'missed'], 'the message sent while it was away arrived once, and without re-joining');
    a.close();
    b.close();
  });

  it('the drain closes every socket with 1012 and "transport close" (the client reconnects), then refuses new ones', async () => {
    const s = connect(t.port);
    await once(s, 'hello');
    const closed = once<[string, { context?: { code?: number } }]>(s, 'disconnect');
    assert.equal(t.api.realtime!.closeAllForDrain(), 1);
    const [reason, details] = await closed;
    assert.equal(reason, 'transport close', 'not "io server disconnect", after which socket.io-client never reconnects');
    assert.equal(details.context?.code, 1012);
    const late = connect(t.port);
    await once(late, 'connect_error');
    late.close();
    assert.equal(t.api.realtime!.openSockets, 0);
  });
});
