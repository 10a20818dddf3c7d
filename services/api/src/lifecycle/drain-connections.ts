// Graceful drain of one HTTP server: finish what is in flight, accept nothing new, close keep-alive sockets.
//
// Nest's enableShutdownHooks() only runs lifecycle hooks and closes the server; it neither waits for
// in-flight requests with a deadline nor tells keep-alive clients to go away. This does:
//  1. server.close(): stop accepting (under pm2 cluster mode the primary stops routing to us).
//  2. Responses still in flight get `Connection: close`, so the client (nginx) does not reuse the
//     socket after this response and retries the next request elsewhere.
//  3. Idle keep-alive sockets are closed at once (server.closeIdleConnections()).
//  4. Wait until every tracked response has finished, bounded by the drain timeout; sockets still
//     open at the deadline are destroyed (server.closeAllConnections()).

import type { Server, ServerResponse } from 'node:http';

export type DrainResult = 'drained' | 'timeout';

export class DrainConnections {
  private readonly inFlight = new Set<ServerResponse>();
  private draining = false;
  private onIdle: (() => void) | undefined;

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
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();

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
