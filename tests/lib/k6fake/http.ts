// Fake `k6/http`: records each request and answers from the test's respond() (see k6Harness.ts).
import { fakeState, type RecordedRequest } from './state.js';

interface Params {
  readonly headers?: Record<string, string>;
  readonly tags?: Record<string, string>;
  readonly responseCallback?: { readonly expectedStatuses: readonly number[] };
  readonly timeout?: string;
}

function request(method: string, url: string, body: string | null | undefined, params: Params = {}) {
  const recorded: RecordedRequest = {
    method, url, body: body ?? null, headers: params.headers ?? {}, tags: params.tags ?? {}, expectedStatuses: params.responseCallback?.expectedStatuses,
  };
  const state = fakeState();
  if (recorded.tags['name'] !== 'setup-healthz') state.requests.push(recorded);
  const res = state.respond(recorded);
  return {
    status: res.status,
    headers: res.headers,
    body: res.body,
    error: res.status === 0 ? 'connection refused' : '',
    json: (selector?: string) => {
      if (res.body === null) throw new Error('the body is null (discardResponseBodies)');
      const parsed = JSON.parse(res.body) as Record<string, unknown>;
      return selector === undefined ? parsed : parsed[selector];
    },
  };
}

export default {
  request,
  get: (url: string, params?: Params) => request('GET', url, null, params),
  post: (url: string, body: string | null, params?: Params) => request('POST', url, body, params),
  expectedStatuses: (...statuses: number[]) => ({ expectedStatuses: statuses }),
};
