// What the fake k6 modules record and answer, shared through globalThis: the hooks give every load its own module
// instances, so module-level state would not be shared with the test.

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly body: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  /** The statuses given to http.expectedStatuses() for this request, if any. */
  readonly expectedStatuses: readonly number[] | undefined;
}

export interface FakeResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | null;
}

export interface K6FakeState {
  requests: RecordedRequest[];
  checks: Array<{ name: string; ok: boolean }>;
  sleeps: number[];
  metrics: Array<{ metric: string; value: number; tags: Record<string, string> | undefined }>;
  /** exec.scenario.iterationInTest for the next call of the default function. */
  iterationInTest: number;
  respond: (request: RecordedRequest) => FakeResponse;
}

declare global {
  // eslint-disable-next-line no-var
  var __k6fake: K6FakeState;
}

export function fakeState(): K6FakeState {
  return globalThis.__k6fake;
}
