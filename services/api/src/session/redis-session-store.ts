// SESSION_STORE=redis: connect-redis on the node-redis client, against the shared store (compose service `valkey`).
// Imported by session-store.ts only for that store, so a worker with memory sessions (or none) loads no store client.
// https://github.com/tj/connect-redis  https://github.com/redis/node-redis

import { RedisStore } from 'connect-redis';
import type session from 'express-session';
import { createClient } from 'redis';
import { readSecretFile } from '../common/secret-file.js';
import type { SessionConfig } from '../config/api-config.js';
import type { Logger } from '../logging/logger.js';
import type { SessionMetrics } from './session-metrics.js';

export function createRedisSessionStore(config: SessionConfig, logger: Logger, metrics: SessionMetrics): { store: session.Store; close(): Promise<void> } {
  const client = createClient({
    url: config.storeUrl,
    ...(config.storePasswordFile ? { password: readSecretFile(config.storePasswordFile) } : {}),
    // Fail commands at once while disconnected, instead of queueing them until the store is back: a queued command
    // is a hanging request. BoundedStore covers the other case (connected, but no answer: a paused store).
    disableOfflineQueue: true,
    // A PING every 2 s notices a silently dead connection (no FIN, e.g. a paused or vanished container).
    pingInterval: 2000,
    socket: {
      connectTimeout: config.storeTimeoutMs,
      // Keep trying for ever, at most every 1 s: when the store comes back, sessions work again without a restart.
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 1000),
    },
  });
  // Without an 'error' listener node-redis' EventEmitter would throw and end the worker. Log a state change once,
  // not every reconnect attempt.
  let up = false;
  const setUp = (value: boolean, err?: unknown): void => {
    metrics.storeUp.set(value ? 1 : 0);
    if (value === up) return;
    up = value;
    if (value) logger.info({ url: config.storeUrl }, 'session store connected');
    else logger.warn({ url: config.storeUrl, err }, 'session store unavailable: session routes answer 503 until it is back');
  };
  client.on('ready', () => setUp(true));
  client.on('error', (err: unknown) => setUp(false, err));
  client.on('end', () => setUp(false));
  metrics.storeUp.set(0);
  // Not awaited: the worker starts, listens and reports ready without the store (readiness must not depend on a
  // cache, docs/state.md); the client keeps reconnecting in the background.
  client.connect().catch((err: unknown) => setUp(false, err));

  return {
    store: new RedisStore({ client, prefix: 'sess:', ttl: config.ttlSeconds }),
    // destroy, not close: close() waits for the replies to commands in flight, which a paused store never sends.
    close: async () => {
      if (client.isOpen) client.destroy();
    },
  };
}
