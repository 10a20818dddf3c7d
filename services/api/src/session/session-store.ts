// Builds the express-session store SESSION_STORE names, wrapped in BoundedStore:
//   memory  express-session's MemoryStore: this worker's own memory. Another worker (or replica) does not see it,
//           which is exactly what `make compare-sessions` shows breaking. Not for production (it says so itself).
//   redis   connect-redis on the node-redis client, against the shared store (compose service `valkey`):
//           redis-session-store.ts, imported only then, so a memory store loads no store client.

import session from 'express-session';
import type { SessionConfig } from '../config/api-config.js';
import type { Logger } from '../logging/logger.js';
import { BoundedStore } from './bounded-store.js';
import type { SessionMetrics } from './session-metrics.js';

export interface SessionStoreHandle {
  store: session.Store;
  close(): Promise<void>;
}

export async function createSessionStore(config: SessionConfig, logger: Logger, metrics: SessionMetrics): Promise<SessionStoreHandle> {
  const onError = (operation: string): void => metrics.storeErrors.inc({ operation });
  if (config.store === 'memory') {
    metrics.storeUp.set(1);
    return { store: new BoundedStore(new session.MemoryStore(), config.storeTimeoutMs, onError), close: async () => undefined };
  }
  const { createRedisSessionStore } = await import('./redis-session-store.js');
  const { store, close } = createRedisSessionStore(config, logger, metrics);
  return { store: new BoundedStore(store, config.storeTimeoutMs, onError), close };
}
