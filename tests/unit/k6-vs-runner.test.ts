// Given one scenario, both load generators plan the same requests. For every scenario of the catalogue, the Node
// runner sends a short run to a recording fake server; the k6 script, loaded the way k6 loads it (k6Harness.ts),
// is then called for the same (vu, iteration) contexts the runner used. What k6 would have sent must be what the
// server received from the runner: method, path and query, the scenario's headers, body.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { SCENARIOS, type Scenario } from '../../k6/lib/scenarios.js';
import { buildScenario } from '../../tools/loadrunner/src/catalogue.js';
import { runLoad } from '../../tools/loadrunner/src/runLoad.js';
import type { RequestContext, Scenario as RunnerScenario } from '../../tools/loadrunner/src/types.js';
import { startFakeApiServer } from '../../tools/loadrunner/testing/fakeApiServer.js';
import { loadK6Script, runIteration } from '../lib/k6Harness.js';
import { repoRoot } from '../../tools/lib/repo.js';

const BASE_URL = 'http://stack.test:8080';
/** The headers a scenario itself sets (the rest, Host, User-Agent, Connection, differ by generator on purpose). */
const SCENARIO_HEADERS = ['x-client-id', 'x-request-id', 'content-type'];

interface Sent {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function scenarioHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (SCENARIO_HEADERS.includes(lower) && value !== undefined) out[lower] = String(value);
  }
  return out;
}

/** One VU (one in flight) for a second: iterations go out one after the other, in the order of their contexts. */
function shortRun(scenario: Scenario): RunnerScenario {
  return scenario.shape.executor === 'constant-vus'
    ? { model: 'closed', vus: 1, durationSec: 1, sleepMs: 0 }
    : { model: 'open', ratePerSec: 5, durationSec: 1, maxInFlight: 1 };
}

describe('k6 and the runner send the same requests for the same scenario', { concurrency: true }, () => {
  for (const scenario of Object.values(SCENARIOS) as Scenario[]) {
    test(scenario.name, async () => {
      const server = await startFakeApiServer({ workers: ['api-1/0', 'api-2/0'], record: true });
      const contexts: RequestContext[] = [];
      try {
        const definition = buildScenario(scenario.name);
        // A spy on the plan, to learn which contexts the runner's iterations had; the requests are still the runner's.
        const requests = definition.requests.map((spec) => ('plan' in spec ? { ...spec, plan: (ctx: RequestContext) => (contexts.push(ctx), spec.plan(ctx)) } : spec));
        await runLoad({ baseUrl: server.baseUrl, scenario: shortRun(scenario), requests, discardResponseBodies: definition.catalogue.discardResponseBodies });
      } finally {
        await server.close();
      }
      assert.ok(contexts.length >= 1, 'the runner ran no iteration');
      const byRunner: Sent[] = server.recorded.map((r) => ({ method: r.method, path: r.url, headers: scenarioHeaders(r.headers), body: r.body }));

      const script = await loadK6Script(path.join(repoRoot, 'k6', 'scripts', `${scenario.script}.js`), { BASE_URL });
      const byK6: Sent[] = contexts.flatMap((ctx) =>
        runIteration(script, ctx.vu, ctx.iteration).requests.map((r) => ({
          method: r.method, path: r.url.slice(BASE_URL.length), headers: scenarioHeaders(r.headers), body: r.body ?? '',
        })),
      );
      assert.deepEqual(byRunner, byK6);
    });
  }
});
