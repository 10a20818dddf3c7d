// Graceful drain of one HTTP server: finish what is in flight, accept nothing new, close keep-alive sockets.
//
// Nest's enableShutdownHooks() only runs lifecycle hooks and closes the server; it neither waits for
// in-flight requests with a deadline nor tells keep-alive clients to go away. This does:
//  1. Stop accepting (under pm2 cluster mode the primary stops routing to us).
//  2. Responses still in flight get `Connection: close`, so the client (nginx) does not reuse the
//     socket after this response and sends the next request elsewhere.
//  3. Idle keep-alive sockets are NOT closed at once. nginx may be writing a request into one of them at this
//     very moment (it holds idle connections to us and reuses them most-recent-first); a request that meets a
//     closing socket is lost, and a POST is never retried by nginx once sent: the client gets a 502. For
//     `idleLingerMs` every request that still arrives on a kept-alive socket is served, with `Connection: close`,
//     so the client retires that socket itself. Only then are the sockets still idle closed: the ones nginx has
//     not used for the whole linger, deepest in its most-recent-first cache. Measured under make test-ops: closing
//     at once lost about one POST in a thousand during reloads.
//     https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream (non_idempotent)
//  4. Wait until every tracked response has finished, bounded by the drain timeout; sockets still
//     open at the deadline are destroyed (server.closeAllConnections()).

import type { Server, ServerResponse } from 'node:http';
import net from 'node:net';

export type DrainResult = 'drained' | 'timeout';

export interface DrainOptions {
  /** How long idle keep-alive sockets stay open after the drain starts (capped by the drain timeout). */
  idleLingerMs?: number;
}

export const DEFAULT_IDLE_LINGER_MS = 1500;

export class DrainConnections {
  private readonly inFlight = new Set<ServerResponse>();
  private draining = false;
  private onIdle: (() => void) | undefined;
  private readonly idleLingerMs: number;

  constructor(options: DrainOptions = {}) {
    this.idleLingerMs = options.idleLingerMs ?? DEFAULT_IDLE_LINGER_MS;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Call once per request (middleware). */
  track(res: ServerResponse): void {
    if (this.draining) res.setHeader('Connection', 'close');
    this.inFlight.add(res);
    res.once('close', () => {
      this.inFlight.delete(res);
      if (this.inFlight.size === 0) this.onIdle?.();
    });
  }

  async drain(server: Server, timeoutMs: number): Promise<DrainResult> {
    this.draining = true;
    const deadline = Date.now() + timeoutMs;
    for (const res of this.inFlight) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    }
    // Stop accepting, but through net.Server's close(): since Node 19 http.Server.close() also closes every idle
    // connection at once (https://nodejs.org/api/http.html#serverclosecallback), which is the race step 3 avoids.
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
    // Step 3: linger, unless every socket is already gone (then the drain is over at once).
    const lingerEnd = Math.min(deadline, Date.now() + this.idleLingerMs);
    if (!(await this.waitUntil(closed, lingerEnd))) server.closeIdleConnections();

    const finished = await this.waitUntil(
      new Promise<void>((resolve) => {
        if (this.inFlight.size === 0) resolve();
        else this.onIdle = resolve;
      }),
      deadline,
    );
    // Sockets that became idle while we waited (their last response predates the drain) go now.
    server.closeIdleConnections();
    // A socket may still be mid-request (headers half sent). Give it the rest of the budget, then cut.
    const allClosed = finished && (await this.waitUntil(closed, deadline));
    if (!allClosed) server.closeAllConnections();
    return finished && allClosed ? 'drained' : 'timeout';
  }

  private async waitUntil(promise: Promise<void>, deadline: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
    });
    try {
      return await Promise.race([promise.then(() => true), expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
