// socket.io clients for the stack tests (tests/stack/65-websockets, tests/ops, tests/faults) and make ws-broadcast: connect through nginx with
// transports: ['websocket'] (docs/state.md says why), learn which replica/worker the socket landed on ('hello'), join a
// room, and record every room message and every disconnect/reconnect.
import { io, type Socket, type ManagerOptions, type SocketOptions } from 'socket.io-client';
// The wire types are the app's own (one definition); a type-only import, so nothing of the app runs here.
import type { Origin, RoomMessage } from '../../services/api/src/realtime/wire.js';

export type { Origin, RoomMessage };

export interface RealtimeClient {
  socket: Socket;
  /** Where the socket is connected now (updated on every reconnect). */
  origin: Origin;
  messages: RoomMessage[];
  /** Every disconnect reason, in order ("transport close", "io server disconnect", ...). */
  disconnects: string[];
  /** The websocket close code of each disconnect, when the server sent one (1012: the worker is restarting). */
  closeCodes: Array<number | undefined>;
  /** How long each reconnect took, from the disconnect to the next 'hello'. */
  reconnectMs: number[];
  /**
   * Per reconnect, whether socket.io recovered the connection's state (its rooms, and the room messages sent while it
   * was away: the app's connection-state recovery). Only a client that had received a broadcast has an offset to
   * recover from.
   */
  recovered: boolean[];
  close(): void;
}

export const originKey = (o: Origin): string => `${o.replica}/${o.worker}`;

export type ClientOptions = Partial<ManagerOptions & SocketOptions> & { timeoutMs?: number };

/**
 * Connects, waits for 'hello', and joins `room` (re-joined after every reconnect, as a real client must: rooms live on
 * the server side of one socket). Rejects with the connect_error if the connect fails.
 */
export function connectClient(url: string, room: string | undefined, options: ClientOptions = {}): Promise<RealtimeClient> {
  const { timeoutMs = 15_000, ...socketOptions } = options;
  const socket = io(url, { transports: ['websocket'], reconnectionDelay: 200, reconnectionDelayMax: 2_000, timeout: 5_000, ...socketOptions });
  const client: RealtimeClient = {
    socket,
    origin: { replica: '', worker: '' },
    messages: [],
    disconnects: [],
    closeCodes: [],
    reconnectMs: [],
    recovered: [],
    close: () => socket.close(),
  };
  let disconnectedAt: number | undefined;
  socket.on('message', (m: RoomMessage) => client.messages.push(m));
  socket.on('disconnect', (reason: string, details?: unknown) => {
    client.disconnects.push(reason);
    // engine.io-client passes the transport's close event as details.context (a ws CloseEvent, with `code`).
    const context = (details as { context?: { code?: unknown } } | undefined)?.context;
    client.closeCodes.push(typeof context?.code === 'number' ? context.code : undefined);
    disconnectedAt = Date.now();
  });
  let lastError = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no hello from ${url} within ${timeoutMs} ms (connected: ${socket.connected}, last connect_error: ${lastError || 'none'})`));
    }, timeoutMs);
    socket.on('connect_error', (err: Error & { description?: unknown }) => {
      lastError = `${err.message} ${JSON.stringify(err.description ?? '')}`;
      if (socket.active) return; // a transport error: the client retries by itself
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    socket.on('hello', (origin: Origin) => {
      client.origin = origin;
      if (disconnectedAt !== undefined) {
        client.reconnectMs.push(Date.now() - disconnectedAt);
        client.recovered.push(socket.recovered);
      }
      disconnectedAt = undefined;
      const joined = room === undefined ? Promise.resolve() : socket.timeout(5_000).emitWithAck('join', { room });
      void joined.then(
        () => {
          clearTimeout(timer);
          resolve(client);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  });
}

/** Connects `count` clients in batches (a burst of handshakes on 2 shared cores times out otherwise). */
export async function connectClients(url: string, room: string, count: number, options: ClientOptions = {}, batch = 10): Promise<RealtimeClient[]> {
  const clients: RealtimeClient[] = [];
  for (let i = 0; i < count; i += batch) {
    const settled = await Promise.allSettled(Array.from({ length: Math.min(batch, count - i) }, () => connectClient(url, room, options)));
    for (const r of settled) if (r.status === 'fulfilled') clients.push(r.value);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // Close what did connect: an open socket.io client keeps the test process alive.
      for (const c of clients) c.close();
      throw failed.reason;
    }
  }
  return clients;
}

/** Broadcasts `id` to `room` from `sender` and waits for the server's ack. */
export async function broadcast(sender: RealtimeClient, room: string, id: string): Promise<void> {
  await sender.socket.timeout(5_000).emitWithAck('broadcast', { room, id });
}

export const received = (client: RealtimeClient, id: string): number => client.messages.filter((m) => m.id === id).length;

/** Polls until `done()` or the timeout; returns whether it came true. */
export async function waitFor(done: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}

/** How many clients sit on each replica/worker, e.g. { "api-1/0": 7, ... }. */
export function spread(clients: readonly RealtimeClient[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of clients) out[originKey(c.origin)] = (out[originKey(c.origin)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort());
}
