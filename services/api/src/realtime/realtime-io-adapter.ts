// The socket.io server every worker runs on the public port's default path /socket.io/ (Nest's IoAdapter, with the
// settings that matter behind nginx and pm2), and the adapter that makes every worker of every replica one room space.
//
// Why @socket.io/redis-streams-adapter rather than @socket.io/redis-adapter (pub/sub):
//  - a broadcast goes into a Redis stream that each worker reads from its last offset, so a worker whose store
//    connection drops for a moment catches up on what it missed; with pub/sub those messages are simply lost;
//  - it supports socket.io's connection-state recovery (the stream is the replay log), pub/sub does not;
//  - it runs on the node-redis client the sessions already use (one client library, one store: `valkey`).
//  https://socket.io/docs/v4/redis-streams-adapter/
//
// SOCKET_ADAPTER=memory keeps socket.io's default in-memory adapter: a room is then one worker's room only (the
// negative control of tests/stack/60-websockets, and the k8s fallback, which has no store: docs/state.md). The store's
// client and adapter (realtime-store.ts) are then never imported; create-api.ts imports this file only with
// WEBSOCKETS_ENABLED=true.

import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions, Socket } from 'socket.io';
import type { ApiConfig } from '../config/api-config.js';
import type { Logger } from '../logging/logger.js';
import { eventLabel, type RealtimeMetrics } from './realtime-metrics.js';
import type { RealtimeStore, StoreClient } from './realtime-store.js';

/** RFC 6455 close code 1012 "Service Restart": the server is restarting, reconnect (IANA WebSocket close codes). */
export const WS_CLOSE_SERVICE_RESTART = 1012;

/** The connect_error a client gets while the store is unavailable (err.message; err.data.statusCode 503). */
export const STORE_UNAVAILABLE_MESSAGE = 'Realtime store unavailable, try again shortly.';

interface StoreErrorData {
  statusCode: number;
  error: string;
}

export interface RealtimeIoAdapterOptions {
  config: ApiConfig;
  logger: Logger;
  metrics: RealtimeMetrics;
}

export class RealtimeIoAdapter extends IoAdapter {
  private server: Server | undefined;
  private storeClient: StoreClient | undefined;
  private draining = false;

  /** The adapter, with the store's module loaded first when SOCKET_ADAPTER=redis (Nest creates the server synchronously). */
  static async create(app: INestApplicationContext, options: RealtimeIoAdapterOptions): Promise<RealtimeIoAdapter> {
    const store = options.config.realtime.adapter === 'redis' ? await import('./realtime-store.js') : undefined;
    return new RealtimeIoAdapter(app, options, store);
  }

  private constructor(
    app: INestApplicationContext,
    private readonly options: RealtimeIoAdapterOptions,
    private readonly store: RealtimeStore | undefined,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const { config, logger, metrics } = this.options;
    const { realtime } = config;
    const settings: Partial<ServerOptions> = {
      ...options,
      // The client bundle is not served: clients bring socket.io-client from npm (and the bundle is not in dist/).
      serveClient: false,
      // Bad input: a message (or a polling POST) above this closes that one socket ("message too big"), nothing else.
      maxHttpBufferSize: realtime.maxMessageBytes,
      pingInterval: realtime.pingIntervalMs,
      pingTimeout: realtime.pingTimeoutMs,
      // Long-polling stays allowed so that its failure under pm2 can be shown (docs/state.md): pm2's primary deals each
      // polling request to the next worker, which does not know the session ("Session ID unknown", 400). Clients
      // must connect with transports: ['websocket'].
      transports: ['polling', 'websocket'],
      // A draining worker accepts no new engine.io connection (403): nginx may still hand it an upgrade on a
      // kept-alive connection, and the client's reconnect then lands on another worker.
      allowRequest: (_req, callback) => callback(this.draining ? 'worker draining' : null, !this.draining),
      // Connection-state recovery: a client that loses its connection (a drain's 1012, a worker crash) and reconnects
      // within this window, to any worker of any replica, gets back its id and rooms plus every room message it
      // missed meanwhile: the redis-streams adapter keeps the session in the store and replays the stream from the
      // client's last offset. Middlewares are skipped for a recovered socket (the store just answered). Only a client
      // that has received a broadcast has an offset to recover from. https://socket.io/docs/v4/connection-state-recovery
      connectionStateRecovery: { maxDisconnectionDuration: realtime.recoveryWindowMs, skipMiddlewares: true },
    };
    const server = super.createIOServer(port, settings as ServerOptions) as Server;
    this.server = server;

    if (this.store !== undefined) {
      const client = this.connectStore(this.store);
      server.adapter(this.store.storeAdapter(client, config.session.storeTimeoutMs));
      // Connects degrade like the session routes when the store is down: a clear error at once, never a hang.
      server.use((_socket, next) => {
        void this.storeAvailable(client).then((up) => {
          if (up) return next();
          const error = new Error(STORE_UNAVAILABLE_MESSAGE) as Error & { data: StoreErrorData };
          error.data = { statusCode: 503, error: 'Service Unavailable' };
          next(error);
        });
      });
    }

    server.on('connection', (socket: Socket) => {
      metrics.connections.inc();
      socket.onAny((event: unknown) => metrics.messagesIn.inc({ event: eventLabel(event) }));
      socket.onAnyOutgoing((event: unknown) => metrics.messagesOut.inc({ event: eventLabel(event) }));
      socket.once('disconnect', () => metrics.connections.dec());
    });
    logger.info({ adapter: realtime.adapter, maxMessageBytes: realtime.maxMessageBytes }, 'socket.io ready on /socket.io/');
    return server;
  }

  /**
   * The drain's first step: accept no new socket and close every open one so that its client reconnects at once
   * (to another worker). Not socket.disconnect(): that sends a DISCONNECT packet, the client's reason is then
   * "io server disconnect", and socket.io-client does NOT reconnect after it. Closing the transport gives the
   * client "transport close", after which it reconnects by itself. A websocket is closed with 1012 (Service Restart).
   * https://socket.io/docs/v4/client-socket-instance/#disconnect
   */
  closeAllForDrain(): number {
    this.draining = true;
    if (!this.server) return 0;
    let closed = 0;
    // The only namespace is "/" (the gateway's).
    for (const { conn } of this.server.of('/').sockets.values()) {
      // engine.io's websocket transport keeps the `ws` socket as `socket` (untyped); polling has none.
      const ws = (conn.transport as { socket?: { close(code: number, reason: string): void } }).socket;
      if (conn.transport.name === 'websocket' && ws) ws.close(WS_CLOSE_SERVICE_RESTART, 'worker restarting');
      else conn.close();
      closed++;
    }
    return closed;
  }

  /**
   * After closeAllForDrain: waits until every closed socket is gone, which is when socket.io writes its session to the
   * store for connection-state recovery (a fire-and-forget SET), then for one PING to come back from the store, so
   * those SETs, sent before it on the same connection, are done. Without this the worker could exit first, and its
   * clients would reconnect as new ones, missing what was sent meanwhile (measured: 16 of 37 during make reload).
   * Bounded: by the store timeout for the PING, by a close handshake's worth of time for the sockets.
   */
  async settleForDrain(closeWaitMs = 2_000): Promise<void> {
    const deadline = Date.now() + closeWaitMs;
    while (this.openSockets > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const client = this.storeClient;
    if (client?.isReady) await this.storeAvailable(client);
  }

  /** Sockets still open (the drain checks none is left at its deadline). */
  get openSockets(): number {
    return this.server?.engine.clientsCount ?? 0;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    if (this.storeClient?.isOpen) this.storeClient.destroy();
  }

  private connectStore(store: RealtimeStore): StoreClient {
    const { config, logger } = this.options;
    const { session } = config;
    const client = store.createStoreClient(config);
    let up = false;
    const setUp = (value: boolean, err?: unknown): void => {
      if (value === up) return;
      up = value;
      if (value) logger.info({ url: session.storeUrl }, 'realtime store connected');
      else logger.warn({ url: session.storeUrl, err }, 'realtime store unavailable: new websocket connects get a 503 connect_error until it is back');
    };
    client.on('ready', () => setUp(true));
    client.on('error', (err: unknown) => setUp(false, err));
    client.on('end', () => setUp(false));
    // Not awaited, like the session store: the worker is ready without the store.
    client.connect().catch((err: unknown) => setUp(false, err));
    this.storeClient = client;
    return client;
  }

  /** A PING answered within SESSION_STORE_TIMEOUT_MS (a paused store keeps the connection open and never answers). */
  private async storeAvailable(client: StoreClient): Promise<boolean> {
    if (!client.isReady) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.config.session.storeTimeoutMs);
    });
    try {
      return await Promise.race([client.ping().then(() => true, () => false), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
