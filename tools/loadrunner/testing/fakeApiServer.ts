// A throwaway stand-in for the stack (nginx + api replicas) used by the runner's own tests and its capacity bench:
// one node:http server on 127.0.0.1:<random port> that answers as if a set of replica/worker processes took turns,
// setting X-Served-By exactly like services/api does. It counts what it received, so tests can compare the
// server's count with the runner's. Like the real stack it answers GET /metrics with nginx's 404 (no X-Served-By)
// and an invalid /work?n= with a 400, so the smoke scenario can run against it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeApiOptions {
  /** Fake replica/worker identities, served in round-robin order, e.g. ['api-1/0', 'api-1/1', 'api-2/0']. */
  readonly workers: readonly string[];
  /** Delay before answering (ms). 0 answers synchronously. */
  readonly latencyMs?: number;
  /** Every Nth counted request (1-based) gets a 500 (or failStatus), e.g. 10 -> exactly 10% errors. */
  readonly failEvery?: number;
  /** The status of those failures (default 500; 503 is what a replica that is going away answers). */
  readonly failStatus?: number;
  /** After this many counted requests, the first worker "restarts" (answers with a new pid). */
  readonly restartFirstWorkerAfter?: number;
  /** Keep every request received (excluding /healthz) in `recorded`, for tests comparing what was sent. */
  readonly record?: boolean;
}

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  body: string;
}

export interface FakeApiServer {
  readonly baseUrl: string;
  /** Requests received per replica/worker key (excluding /healthz). */
  readonly received: Map<string, number>;
  /** Requests received (excluding /healthz), how many were answered 500, request body bytes received. */
  readonly totals: { received: number; failed: number; bodyBytes: number };
  /** With `record`: every request received, in arrival order. */
  readonly recorded: ReceivedRequest[];
  close(): Promise<void>;
}

export async function startFakeApiServer(options: FakeApiOptions): Promise<FakeApiServer> {
  const pids = options.workers.map((_, i) => 1000 + i);
  const received = new Map<string, number>();
  const totals = { received: 0, failed: 0, bodyBytes: 0 };
  const recorded: ReceivedRequest[] = [];
  let next = 0;
  // Delayed answers still pending; cleared on close so a slow fake cannot keep the test process alive.
  const pending = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    totals.received++;
    const entry: ReceivedRequest | undefined = options.record ? { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: '' } : undefined;
    if (entry !== undefined) recorded.push(entry);
    req.on('data', (chunk: Buffer) => {
      totals.bodyBytes += chunk.length;
      if (entry !== undefined) entry.body += chunk.toString('utf8');
    });
    if (req.url === '/metrics') {
      // nginx's own answer: no upstream, so no X-Served-By.
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"statusCode":404,"error":"Not Found"}');
      return;
    }
    const index = next++ % options.workers.length;
    const key = options.workers[index] ?? 'api-?/0';
    received.set(key, (received.get(key) ?? 0) + 1);
    if (options.restartFirstWorkerAfter !== undefined && totals.received === options.restartFirstWorkerAfter) pids[0] = 5000;
    const failing = options.failEvery !== undefined && totals.received % options.failEvery === 0;
    if (failing) totals.failed++;
    const invalid = req.url?.includes('n=not-a-number') ?? false;
    const respond = (): void => {
      const failStatus = options.failStatus ?? 500;
      const status = failing ? failStatus : invalid ? 400 : 200;
      const body = JSON.stringify(failing ? { statusCode: failStatus, error: 'Internal Server Error' } : { served: key });
      res.writeHead(status, { 'content-type': 'application/json', 'x-served-by': `${key}/${pids[index]}` }).end(body);
    };
    req.resume();
    if ((options.latencyMs ?? 0) > 0) {
      const timer = setTimeout(() => {
        pending.delete(timer);
        respond();
      }, options.latencyMs);
      pending.add(timer);
    } else {
      respond();
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    received,
    totals,
    recorded,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of pending) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
