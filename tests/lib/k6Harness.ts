// Runs a k6 script the way k6 parses it, without k6: an ES module with k6's modules (fakes, see k6Loader.ts) and
// k6's globals (__ENV, __VU, __ITER). A test loads a script with an environment, reads its `options`, and calls
// its setup() and default function for chosen contexts, recording the HTTP calls it makes.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { FakeResponse, K6FakeState, RecordedRequest } from './k6fake/state.js';

register(new URL('./k6Loader.js', import.meta.url));

export type { RecordedRequest };

let fakeSessionVisits = 0;

/** What the stack answers: 200 JSON with an X-Served-By and the request's X-Request-Id, like services/api. */
export function healthyResponse(request: RecordedRequest): FakeResponse {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Served-By': 'api-1/0/42',
    'X-Request-Id': request.headers['X-Request-Id'] ?? 'generated-id',
  };
  const path = new URL(request.url).pathname + new URL(request.url).search;
  if (path === '/work?n=not-a-number' || path === '/metrics') {
    const status = path === '/metrics' ? 404 : 400;
    return { status, headers: path === '/metrics' ? { 'Content-Type': 'application/json' } : headers, body: JSON.stringify({ statusCode: status, error: 'x', message: 'x', requestId: 'r' }) };
  }
  // The session routes, with one session for the whole fake stack (the static test runs one VU at a time).
  if (path === '/session/visits') return { status: 200, headers, body: JSON.stringify({ visits: ++fakeSessionVisits, sessionId: 's1', replica: 'api-1', worker: '0' }) };
  if (path === '/session' && request.method === 'DELETE') {
    fakeSessionVisits = 0;
    return { status: 204, headers, body: null };
  }
  const n = /^\/work\?n=(\d+)$/.exec(path);
  const body = n ? { sum: (Number(n[1]) * (Number(n[1]) + 1)) / 2 } : { replica: 'api-1', worker: 0 };
  return { status: 200, headers, body: JSON.stringify(body) };
}

export interface LoadedScript {
  readonly options: {
    readonly scenarios: Record<string, Record<string, unknown>>;
    readonly thresholds: Record<string, string[]>;
    readonly discardResponseBodies: boolean;
    readonly tags: Record<string, string>;
  };
  readonly setup?: () => unknown;
  readonly default: () => void;
  readonly handleSummary?: (data: unknown) => Record<string, string>;
}

let loads = 0;

function freshState(respond: K6FakeState['respond']): K6FakeState {
  return { requests: [], checks: [], sleeps: [], metrics: [], iterationInTest: 0, respond };
}

/** Imports `file` (absolute path) as k6 would with `-e` variables `env`. */
export async function loadK6Script(file: string, env: Record<string, string> = {}, respond = healthyResponse): Promise<LoadedScript> {
  globalThis.__k6fake = freshState(respond);
  Object.assign(globalThis, { __ENV: { ...env }, __VU: 0, __ITER: 0 });
  return (await import(`${pathToFileURL(file).href}?k6load=${++loads}`)) as LoadedScript;
}

export interface IterationRecord {
  readonly requests: RecordedRequest[];
  readonly checks: Array<{ name: string; ok: boolean }>;
  readonly sleeps: number[];
}

/** Calls the default function as VU `vu` at iteration `iteration` (both __ITER and iterationInTest). */
export function runIteration(script: LoadedScript, vu: number, iteration: number, respond = healthyResponse): IterationRecord {
  globalThis.__k6fake = freshState(respond);
  globalThis.__k6fake.iterationInTest = iteration;
  Object.assign(globalThis, { __VU: vu, __ITER: iteration });
  script.default();
  const { requests, checks, sleeps } = globalThis.__k6fake;
  return { requests, checks, sleeps };
}

/** Calls setup() with every request answered by `respond`. */
export function runSetup(script: LoadedScript, respond: (r: RecordedRequest) => FakeResponse): unknown {
  globalThis.__k6fake = freshState(respond);
  Object.assign(globalThis, { __VU: 0, __ITER: 0 });
  return script.setup?.();
}
