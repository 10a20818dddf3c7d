// When and how a worker stops: SIGINT/SIGTERM, or pm2's 'shutdown' message (pm2 sends it on
// `pm2 reload` and with `shutdown_with_message`), all lead to the same drain.
//
// Order: readiness -> 503 first (load balancers probing /readyz stop sending), then drain the public
// server, then exit 0. pm2 waits `kill_timeout` before SIGKILL, and Docker waits `stop_grace_period`
// before SIGKILL of the whole container, so DRAIN_TIMEOUT_MS < kill_timeout < stop_grace_period.
//
// A second signal forces the exit, except within the first second: Ctrl+C in a terminal signals the
// whole process group (pm2-runtime *and* its workers), and pm2 then forwards its own SIGINT, so every
// worker sees two signals for one keypress. Only a later, deliberate second signal means "now".

import type { Server } from 'node:http';
import type { Readiness } from '../health/readiness.js';
import type { Logger } from '../logging/logger.js';
import type { DrainConnections } from './drain-connections.js';

export interface ShutdownDeps {
  logger: Logger;
  readiness: Readiness;
  drain: DrainConnections;
  /** Returns the public server once it exists (a signal can arrive during startup). */
  publicServer: () => Server | undefined;
  /**
   * Runs as the drain starts, before the HTTP drain: closes every websocket so its client reconnects to another
   * worker at once (realtime/realtime-io-adapter.ts). An open websocket would otherwise hold the drain to its timeout.
   * Awaited: it also waits until those sessions are in the store, for their clients to recover them elsewhere.
   */
  beforeDrain?: () => Promise<void> | void;
  /** Extra cleanup once drained (the internal metrics server). */
  afterDrain?: () => Promise<void> | void;
  drainTimeoutMs: number;
  exit?: (code: number) => void;
}

const DUPLICATE_SIGNAL_WINDOW_MS = 1000;

export function installGracefulShutdown(deps: ShutdownDeps): { shutdown: (reason: string, exitCode?: number) => Promise<void> } {
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  let startedAt: number | undefined;

  const shutdown = async (reason: string, exitCode = 0): Promise<void> => {
    if (startedAt !== undefined) {
      if (Date.now() - startedAt > DUPLICATE_SIGNAL_WINDOW_MS) {
        deps.logger.warn({ reason }, 'second shutdown request: exiting without waiting for the drain');
        exit(1);
      }
      return;
    }
    startedAt = Date.now();
    deps.readiness.startDraining();
    deps.logger.info({ reason, inFlight: deps.drain.inFlightCount, drainTimeoutMs: deps.drainTimeoutMs }, 'draining');

    // Backstop: whatever hangs below (a stuck afterDrain), the worker is gone shortly after the budget.
    setTimeout(() => {
      deps.logger.error('drain did not finish in time: forcing exit');
      exit(1);
    }, deps.drainTimeoutMs + 1000).unref();

    try {
      await deps.beforeDrain?.();
    } catch (error) {
      deps.logger.warn({ err: error }, 'closing websockets before the drain failed');
    }
    const server = deps.publicServer();
    const result = server?.listening ? await deps.drain.drain(server, deps.drainTimeoutMs) : 'drained';
    try {
      await deps.afterDrain?.();
    } catch (error) {
      deps.logger.warn({ err: error }, 'cleanup after drain failed');
    }
    if (result === 'timeout') {
      deps.logger.warn({ inFlight: deps.drain.inFlightCount }, 'drain timeout: remaining connections were closed');
      exit(exitCode === 0 ? 1 : exitCode);
      return;
    }
    deps.logger.info('drained, exiting');
    exit(exitCode);
  };

  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('message', (message: unknown) => {
    if (message === 'shutdown') void shutdown('pm2 shutdown message');
  });
  return { shutdown };
}
