// Every environment variable the app reads, parsed once at startup. A bad value stops the worker
// with a clear message instead of surfacing later as a strange runtime behaviour.
// The names and defaults are the shared contract (README "Configuration").

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ApiConfig {
  port: number;
  /** Worker count of this container (set by ecosystem.config.cjs), used to find sibling metrics ports. */
  workers: number;
  /** pm2 instance id of this worker ("0" when not under pm2). */
  worker: string;
  replicaOverride: string | undefined;
  composeProject: string | undefined;
  appVersion: string | undefined;
  metricsEnabled: boolean;
  metricsWorkerPortBase: number;
  chaosEnabled: boolean;
  bodyLimitBytes: number;
  workMaxN: number;
  ioMaxMs: number;
  responseDelayMs: number;
  drainTimeoutMs: number;
  /** Idle keep-alive sockets stay open this long after a drain starts (see lifecycle/drain-connections.ts). */
  drainIdleLingerMs: number;
  keepAliveTimeoutMs: number;
  headersTimeoutMs: number;
  neverReady: boolean;
  logLevel: LogLevel;
  /**
   * Proxies in front of the app whose X-Forwarded-For / X-Forwarded-Proto it believes (Express `trust proxy`, a hop
   * count). 0 (the default, the app alone): a client's own X-Forwarded-* headers are ignored. The stack sets 1: nginx.
   */
  trustProxyHops: number;
  session: SessionConfig;
  realtime: RealtimeConfig;
}

/** Which socket.io adapter joins the workers' rooms: the shared store (every worker is one room space) or none. */
export type SocketAdapterKind = 'memory' | 'redis';

export interface RealtimeConfig {
  /** WEBSOCKETS_ENABLED: false loads no socket.io at all (create-api.ts imports it only when true); /socket.io/ is a 404. */
  enabled: boolean;
  /** redis: @socket.io/redis-streams-adapter over the session store (SESSION_STORE_URL); memory: this worker only. */
  adapter: SocketAdapterKind;
  /** socket.io's maxHttpBufferSize: a bigger message closes that socket (bad input, never a worker). */
  maxMessageBytes: number;
  /** socket.io's heartbeat; nginx's proxy_read_timeout for /socket.io/ must stay above interval + timeout. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** Connection-state recovery: how long a disconnected client's session and missed messages are kept. */
  recoveryWindowMs: number;
}

/** Where express-session keeps sessions: this worker's memory, or the shared store (docs/state.md). */
export type SessionStoreKind = 'memory' | 'redis';

export interface SessionConfig {
  /** SESSIONS_ENABLED: false loads no express-session and no store client (app.module.ts); /session is a 404. */
  enabled: boolean;
  store: SessionStoreKind;
  /** redis://host:port of the shared store (SESSION_STORE=redis). */
  storeUrl: string;
  /** File holding the store's password (a compose secret); unset = no AUTH. */
  storePasswordFile: string | undefined;
  /** File holding the cookie-signing secret (a compose secret); unset = a random secret per worker (tests only). */
  secretFile: string | undefined;
  /** Session lifetime: the cookie's Max-Age and the store's TTL. */
  ttlSeconds: number;
  /** Longest wait for one store operation before the session route answers 503 (a paused store must not hang it). */
  storeTimeoutMs: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadApiConfig(env: Env): ApiConfig {
  const int = (name: string, defaultValue: number, min = 0): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return defaultValue;
    if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
    return Number(raw);
  };
  const bool = (name: string, defaultValue: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return defaultValue;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new Error(`${name} must be true or false, got "${raw}"`);
  };
  const text = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };

  const sessionStore = text('SESSION_STORE') ?? 'memory';
  if (sessionStore !== 'memory' && sessionStore !== 'redis') throw new Error(`SESSION_STORE must be memory or redis, got "${sessionStore}"`);

  const socketAdapter = text('SOCKET_ADAPTER') ?? 'memory';
  if (socketAdapter !== 'memory' && socketAdapter !== 'redis') throw new Error(`SOCKET_ADAPTER must be memory or redis, got "${socketAdapter}"`);

  const logLevel = (text('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  const keepAliveTimeoutMs = int('KEEP_ALIVE_TIMEOUT_MS', 65_000);
  const headersTimeoutMs = int('HEADERS_TIMEOUT_MS', 66_000);
  if (headersTimeoutMs <= keepAliveTimeoutMs) {
    throw new Error(`HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must be greater than KEEP_ALIVE_TIMEOUT_MS (${keepAliveTimeoutMs})`);
  }

  return {
    port: int('PORT', 3000),
    workers: int('WORKERS', 1, 1),
    worker: text('NODE_APP_INSTANCE') ?? '0',
    replicaOverride: text('REPLICA'),
    composeProject: text('COMPOSE_PROJECT_NAME'),
    appVersion: text('APP_VERSION'),
    metricsEnabled: bool('METRICS_ENABLED', true),
    metricsWorkerPortBase: int('METRICS_WORKER_PORT_BASE', 9400, 1),
    chaosEnabled: bool('CHAOS_ENABLED', false),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 102_400, 1),
    workMaxN: int('WORK_MAX_N', 50_000_000),
    ioMaxMs: int('IO_MAX_MS', 30_000),
    responseDelayMs: int('RESPONSE_DELAY_MS', 0),
    drainTimeoutMs: int('DRAIN_TIMEOUT_MS', 10_000),
    drainIdleLingerMs: int('DRAIN_IDLE_LINGER_MS', 1500),
    keepAliveTimeoutMs,
    headersTimeoutMs,
    neverReady: bool('NEVER_READY', false),
    logLevel,
    session: {
      enabled: bool('SESSIONS_ENABLED', true),
      store: sessionStore,
      storeUrl: text('SESSION_STORE_URL') ?? 'redis://127.0.0.1:6379',
      storePasswordFile: text('SESSION_STORE_PASSWORD_FILE'),
      secretFile: text('SESSION_SECRET_FILE'),
      ttlSeconds: int('SESSION_TTL_SECONDS', 1800, 1),
      storeTimeoutMs: int('SESSION_STORE_TIMEOUT_MS', 1000, 1),
    },
    trustProxyHops: int('TRUST_PROXY_HOPS', 0),
    realtime: {
      enabled: bool('WEBSOCKETS_ENABLED', true),
      adapter: socketAdapter,
      maxMessageBytes: int('SOCKET_MAX_MESSAGE_BYTES', 16_384, 1),
      // socket.io's own defaults (25 s + 20 s).
      pingIntervalMs: int('SOCKET_PING_INTERVAL_MS', 25_000, 1),
      pingTimeoutMs: int('SOCKET_PING_TIMEOUT_MS', 20_000, 1),
      // socket.io's default (2 min): longer than any drain-and-reconnect, short enough not to keep dead sessions.
      recoveryWindowMs: int('SOCKET_RECOVERY_WINDOW_MS', 120_000, 1),
    },
  };
}
