// Fake `k6/execution`: the VU and iteration numbers come from k6's globals __VU / __ITER (set by the harness) and
// the harness's iterationInTest; test.abort() throws, as it ends the run in k6.
import { fakeState } from './state.js';

declare global {
  // eslint-disable-next-line no-var
  var __VU: number;
  // eslint-disable-next-line no-var
  var __ITER: number;
}

export class TestAborted extends Error {}

export default {
  vu: {
    get idInTest(): number { return globalThis.__VU; },
    get iterationInScenario(): number { return globalThis.__ITER; },
  },
  scenario: {
    get iterationInTest(): number { return fakeState().iterationInTest; },
  },
  test: {
    abort(reason: string): never { throw new TestAborted(`test aborted: ${reason}`); },
  },
};
