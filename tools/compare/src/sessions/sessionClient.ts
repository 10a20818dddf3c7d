// One browser-like client of the session routes: a cookie jar holding the session cookie, N calls to
// POST /session/visits, and what each answer said (the count, and which replica and worker served it).
// Each client has its own keep-alive connection to nginx (its own http.Agent), as separate browsers do; nginx's
// keep-alive connections to the replicas are then shared by all clients, which is the point (docs/state.md).
import { Agent, request } from 'node:http';

export interface Visit {
  /** The count the session held after this call, or null when the call failed (status in `status`). */
  readonly visits: number | null;
  readonly status: number;
  /** `api-2/1`: replica/worker that answered. */
  readonly servedBy: string;
}

export interface SessionClientOptions {
  readonly baseUrl: string;
  readonly calls: number;
  /** Sent as X-Client-Id (the key of the `hash` strategy), like an app that identifies its users. */
  readonly clientId: string;
  /** Called after each visit: lets a test act mid-run (kill a replica after call 10). */
  readonly afterVisit?: (index: number, visit: Visit) => Promise<void> | void;
  /** Pause between two calls. */
  readonly pauseMs?: number;
  /** Ends the run early when it returns true (checked before each call): a load that lasts as long as an operation. */
  readonly stop?: () => boolean;
}

const COOKIE_NAME = 'scaleout.sid';

/** A one-cookie jar: keeps `scaleout.sid=...` from Set-Cookie and sends it back. Cleared when the server expires it. */
export class SessionCookieJar {
  private cookie: string | undefined;

  get header(): string | undefined {
    return this.cookie;
  }

  update(setCookie: readonly string[]): void {
    for (const line of setCookie) {
      const pair = line.split(';')[0] ?? '';
      if (!pair.startsWith(`${COOKIE_NAME}=`)) continue;
      const value = pair.slice(COOKIE_NAME.length + 1);
      this.cookie = value && !/expires=thu, 01 jan 1970/i.test(line) ? pair : undefined;
    }
  }
}

interface Answer {
  status: number;
  setCookie: string[];
  servedBy: string;
  body: string;
}

function post(url: URL, headers: Record<string, string>, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent, signal: AbortSignal.timeout(10_000) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          setCookie: res.headers['set-cookie'] ?? [],
          servedBy: String(res.headers['x-served-by'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function runSessionClient(options: SessionClientOptions): Promise<Visit[]> {
  const jar = new SessionCookieJar();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL('/session/visits', options.baseUrl);
  const visits: Visit[] = [];
  try {
    for (let i = 0; i < options.calls && !options.stop?.(); i++) {
      const headers: Record<string, string> = { 'x-client-id': options.clientId };
      if (jar.header) headers.cookie = jar.header;
      let visit: Visit;
      try {
        const res = await post(url, headers, agent);
        jar.update(res.setCookie);
        let body: { visits?: unknown; replica?: unknown; worker?: unknown } = {};
        try {
          body = JSON.parse(res.body) as typeof body;
        } catch {
          // not JSON: an nginx error page; counted as a failed call
        }
        const ok = res.status === 200 && typeof body.visits === 'number';
        visit = {
          status: res.status,
          visits: ok ? (body.visits as number) : null,
          servedBy: typeof body.replica === 'string' ? `${body.replica}/${String(body.worker)}` : res.servedBy.split('/').slice(0, 2).join('/'),
        };
      } catch {
        visit = { status: 0, visits: null, servedBy: '' };
      }
      visits.push(visit);
      await options.afterVisit?.(i, visit);
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  } finally {
    agent.destroy();
  }
  return visits;
}
