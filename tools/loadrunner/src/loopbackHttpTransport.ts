// Sends requests over node:http with a keep-alive Agent to a target that resolveLoopbackTarget() has approved.
// It also owns the two things k6 measures at the socket level: bytes on the wire (data_sent / data_received,
// headers included) and per-request timeouts. Both are done per socket / per sweep, not per request, to keep
// the hot path cheap: the runner shares 2 cores with nginx and the api workers.
import http from 'node:http';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { LoopbackTarget } from './loopbackTarget.js';

export type RequestOutcome =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly servedBy: string | string[] | undefined;
      /** The response's X-Request-Id (nginx echoes the client's own id), for callers that match answers to requests. */
      readonly requestId: string | string[] | undefined;
      /** The response's Set-Cookie lines, for the VU's cookie jar (undefined when there are none). */
      readonly setCookie: string[] | undefined;
      readonly durationMs: number;
      /** Only when send() was asked to keep the response (for checks): all headers, and the body unless discarded. */
      readonly kept?: { readonly headers: http.IncomingHttpHeaders; readonly body: Buffer | null };
    }
  | { readonly kind: 'error'; readonly code: string; readonly durationMs: number }
  /** Cut by abortAll() at the end of the graceful stop: not a result, just a request that never finished. */
  | { readonly kind: 'interrupted' };

export interface TransportOptions {
  readonly keepAlive: boolean;
  readonly maxSockets: number;
  readonly timeoutMs: number;
}

export interface WireTotals {
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly connectionsOpened: number;
}

/** An Agent that remembers its sockets so their byte counters can be summed, including after they close. */
class ByteCountingAgent extends http.Agent {
  private readonly liveSockets = new Set<Socket>();
  private closedBytesRead = 0;
  private closedBytesWritten = 0;
  connectionsOpened = 0;

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const stream = super.createConnection(options, callback);
    if (stream instanceof Socket) {
      const socket = stream;
      this.connectionsOpened++;
      this.liveSockets.add(socket);
      socket.once('close', () => {
        this.liveSockets.delete(socket);
        this.closedBytesRead += socket.bytesRead;
        this.closedBytesWritten += socket.bytesWritten;
      });
    }
    return stream;
  }

  totals(): WireTotals {
    let read = this.closedBytesRead;
    let written = this.closedBytesWritten;
    for (const socket of this.liveSockets) {
      read += socket.bytesRead;
      written += socket.bytesWritten;
    }
    return { bytesSent: written, bytesReceived: read, connectionsOpened: this.connectionsOpened };
  }
}

class RequestTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}
class RunInterruptedError extends Error {
  readonly code = 'INTERRUPTED';
}

function errorCodeOf(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.name : 'UNKNOWN';
}

export class LoopbackHttpTransport {
  private readonly agent: ByteCountingAgent;
  /** In-flight requests and when they started; swept for timeouts and cut by abortAll(). */
  private readonly inFlight = new Map<http.ClientRequest, number>();
  private readonly timeoutSweeper: NodeJS.Timeout;
  private interrupting = false;

  constructor(
    private readonly target: LoopbackTarget,
    private readonly options: TransportOptions,
  ) {
    this.agent = new ByteCountingAgent({
      keepAlive: options.keepAlive,
      maxSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
      // LIFO would keep reusing the same few sockets; FIFO spreads requests over all of them, like k6's VUs.
      scheduling: 'fifo',
    });
    // One sweep every 250 ms instead of a timer per request (req.setTimeout arms a socket timer on every call).
    const sweepEveryMs = Math.min(250, Math.max(10, Math.floor(options.timeoutMs / 4)));
    this.timeoutSweeper = setInterval(() => this.sweepTimeouts(), sweepEveryMs);
    this.timeoutSweeper.unref();
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** `path` must start with '/'; `headers` must already contain Host. `done` is called exactly once. */
  /** `keep`: 'none' discards the response (the hot path), 'headers' keeps its headers, 'body' its headers and body. */
  send(
    method: string, path: string, headers: http.OutgoingHttpHeaders, body: string | Buffer | undefined, done: (outcome: RequestOutcome) => void,
    keep: 'none' | 'headers' | 'body' = 'none',
  ): void {
    const startedAt = performance.now();
    let finished = false;
    const finish = (outcome: RequestOutcome): void => {
      if (finished) return;
      finished = true;
      this.inFlight.delete(req);
      done(outcome);
    };
    const req = http.request({
      agent: this.agent,
      host: this.target.connectHost,
      port: this.target.port,
      method,
      path: this.target.pathPrefix + path,
      headers,
    });
    this.inFlight.set(req, startedAt);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const servedBy = res.headers['x-served-by'];
      const requestId = res.headers['x-request-id'];
      const setCookie = res.headers['set-cookie'];
      const chunks: Buffer[] | null = keep === 'body' ? [] : null;
      res.on('end', () => {
        const durationMs = performance.now() - startedAt;
        const kept = keep === 'none' ? undefined : { headers: res.headers, body: chunks === null ? null : Buffer.concat(chunks) };
        finish({ kind: 'response', status, servedBy, requestId, setCookie, durationMs, ...(kept === undefined ? {} : { kept }) });
      });
      res.on('error', (err) => finish(this.failure(err, startedAt)));
      // Otherwise discard the body without turning it into JS strings; its bytes are still counted on the socket.
      if (chunks !== null) res.on('data', (chunk: Buffer) => chunks.push(chunk));
      else res.resume();
    });
    req.on('error', (err) => finish(this.failure(err, startedAt)));
    req.end(body);
  }

  private failure(err: unknown, startedAt: number): RequestOutcome {
    if (this.interrupting || err instanceof RunInterruptedError) return { kind: 'interrupted' };
    return { kind: 'error', code: errorCodeOf(err), durationMs: performance.now() - startedAt };
  }

  private sweepTimeouts(): void {
    const deadline = performance.now() - this.options.timeoutMs;
    for (const [req, startedAt] of this.inFlight) {
      if (startedAt <= deadline) req.destroy(new RequestTimeoutError(`request timed out after ${this.options.timeoutMs} ms`));
    }
  }

  /** Cuts every in-flight request; their outcomes are 'interrupted'. */
  abortAll(): void {
    this.interrupting = true;
    for (const req of this.inFlight.keys()) req.destroy(new RunInterruptedError('run stopped'));
  }

  wireTotals(): WireTotals {
    return this.agent.totals();
  }

  /** Stops the sweeper and closes every socket, so nothing of the run keeps the process alive. */
  close(): void {
    clearInterval(this.timeoutSweeper);
    this.abortAll();
    this.agent.destroy();
  }
}
