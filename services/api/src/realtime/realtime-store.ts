// SOCKET_ADAPTER=redis: the node-redis client and @socket.io/redis-streams-adapter that make every worker of every
// replica one room space (why this adapter: realtime-io-adapter.ts). Imported by RealtimeIoAdapter.create only with
// that adapter, so a worker on the memory adapter (or without websockets) loads no store client.

import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import { readSecretFile } from '../common/secret-file.js';
import type { ApiConfig } from '../config/api-config.js';

export function createStoreClient(config: ApiConfig) {
  const { session } = config;
  return createClient({
    url: session.storeUrl,
    ...(session.storePasswordFile ? { password: readSecretFile(session.storePasswordFile) } : {}),
    // Unlike the session client, the offline queue stays ON: the adapter's stream reader loops on XREAD, and with
    // the queue off every XREAD fails at once while the store is down, so the loop would spin a core.
    socket: {
      connectTimeout: session.storeTimeoutMs,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 1000),
    },
  });
}
export type StoreClient = ReturnType<typeof createStoreClient>;

/**
 * The adapter factory with restoreSession bounded by `timeoutMs`. A reconnecting client's recovery reads the store, and
 * with the store paused that read would wait as long as the pause (the client's offline queue keeps commands); past
 * the bound socket.io gives up on the recovery and treats the client as new, so it meets the store check and its 503
 * like any connect. socket.io catches the rejection (Namespace._createSocket).
 */
function boundedRestore(factory: ReturnType<typeof createAdapter>, timeoutMs: number): ReturnType<typeof createAdapter> {
  // A function, not an arrow: socket.io calls the adapter with `new`, and a function that returns an object from a
  // `new` call yields that object (as createAdapter's own factory does).
  return function (nsp: unknown) {
    const adapter = factory(nsp);
    const restore = adapter.restoreSession.bind(adapter);
    adapter.restoreSession = (pid, offset) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`session restore took over ${timeoutMs} ms`)), timeoutMs);
      });
      return Promise.race([restore(pid, offset), timeout]).finally(() => clearTimeout(timer));
    };
    return adapter;
  };
}

/** The adapter socket.io installs with server.adapter(): the streams adapter on `client`, restores bounded. */
export function storeAdapter(client: StoreClient, restoreTimeoutMs: number): ReturnType<typeof createAdapter> {
  return boundedRestore(createAdapter(client, { streamName: 'socket.io' }), restoreTimeoutMs);
}

/** What RealtimeIoAdapter uses of this module (its type, for the lazy import). */
export interface RealtimeStore {
  createStoreClient: typeof createStoreClient;
  storeAdapter: typeof storeAdapter;
}
