// The keep-alive race at the edge: nginx reuses an idle upstream connection at the moment the app closes it, gets
// a reset, and answers 502. A POST is never retried by nginx once sent (proxy_next_upstream without
// non_idempotent), so POSTs are where the race shows. The defence is the order of the idle timeouts: nginx
// (the client of the app) must give up first. make test-ops runs the stack with both timeouts shortened and the
// order kept (tests/ops/compose.ops-test.yaml: nginx 4 s < app 5 s; production: 60 s < 65 s), so a minute
// holds many idle periods that end right around either timeout.
//
// The operation: rounds of concurrent POSTs, each after the upstream connections sat idle for a gap close to
// nginx's timeout or the app's, with a little jitter. The steady load runs beside it at a low rate (POSTs only),
// so it does not keep the connections busy: its own requests are spaced 5 s apart, right at the app's timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { baseUrl } from '../lib/stack.js';
import { assertNothingLost, underSteadyLoad } from '../lib/steadyLoad.js';
import { recordFigure } from './opsStack.js';

const NGINX_IDLE_S = 4;
const APP_IDLE_S = 5;
// Around nginx's timeout and around the app's (where the race would be, were the order wrong).
const GAPS_S = [-0.2, -0.1, -0.05, 0, 0.05, 0.1, 0.2].flatMap((d) => [NGINX_IDLE_S + d, APP_IDLE_S + d]);
const BURST = 8;
const BODY = JSON.stringify({ message: 'keep-alive race', count: 1 });

test(`keep-alive race: ${GAPS_S.length * BURST} POSTs after idle gaps around nginx's ${NGINX_IDLE_S} s and the app's ${APP_IDLE_S} s timeouts, 0 502s`, async () => {
  const statuses: Record<string, number> = {};
  const sweep = async (): Promise<void> => {
    let n = 0;
    for (const gap of GAPS_S) {
      await sleep(gap * 1000 + Math.round(Math.random() * 40 - 20));
      await Promise.all(Array.from({ length: BURST }, async () => {
        const id = `race-${process.pid}-${n++}`;
        let outcome: string;
        try {
          const res = await fetch(`${baseUrl}/echo`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: BODY });
          await res.arrayBuffer();
          outcome = res.headers.get('x-request-id') === id ? String(res.status) : `${res.status} with another id`;
        } catch (err) {
          outcome = `error ${(err as { cause?: { code?: string } }).cause?.code ?? String(err)}`;
        }
        statuses[outcome] = (statuses[outcome] ?? 0) + 1;
      }));
    }
  };
  const mix = [{ name: 'POST /echo', method: 'POST', path: '/echo', headers: { 'content-type': 'application/json' }, body: BODY }] as const;
  const { report } = await underSteadyLoad('keep-alive race (spaced POSTs)', sweep, { ratePerSec: 1 / APP_IDLE_S, mix: [...mix], baselineSec: 11 });
  recordFigure(report, `plus ${GAPS_S.length * BURST} spaced POSTs: ${JSON.stringify(statuses)}`);
  console.log(`# spaced POSTs by outcome: ${JSON.stringify(statuses)}`);
  assert.deepEqual(statuses, { 200: GAPS_S.length * BURST }, 'every spaced POST answered 200 with its own id (no 502)');
  assertNothingLost(report);
});
