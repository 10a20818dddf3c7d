// The k6 glue: turns one scenario of the catalogue (scenarios.js) into what a k6 script exports. A script is then
// a lesson header and five lines (see k6/scripts/). This is the only file that knows how k6 sends requests; the
// Node load runner does the same from the same catalogue (tools/loadrunner/src/catalogue.ts).
//   options        the shape as a k6 scenario, the catalogue's thresholds plus one per replica/worker pair
//                  (fairness.js distributionThresholds), testid/strategy tags; overrides from __ENV (RATE, ...)
//   setup()        stops the test (exit 108) unless BASE_URL/healthz answers
//   iteration()    the default function: the planned requests via k6/http, X-Served-By tally, checks, then sleep
//   handleSummary  summary.js's text on stdout, and the JSON and Markdown reports
import http from 'k6/http';
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { BASE_URL, RUN_ID, STRATEGY, abortUnlessTargetUp } from './config.js';
import { distributionSummary, grid, recordServedBy } from './distribution.js';
import { distributionThresholds } from './fairness.js';
import { applyOverrides, describeScenario, findScenario, overridesFromEnv } from './scenarios.js';
import { DEFAULT_TREND_STATS } from './summary.js';

/** k6's `options.scenarios` entry for a catalogue shape (the catalogue's `sleep` is the script's, not k6's). */
function k6Scenario(shape) {
  if (shape.executor === 'constant-vus') return { executor: shape.executor, vus: shape.vus, duration: shape.duration };
  const { executor, preAllocatedVUs, maxVUs } = shape;
  if (executor === 'constant-arrival-rate') return { executor, rate: shape.rate, timeUnit: '1s', duration: shape.duration, preAllocatedVUs, maxVUs };
  return { executor, startRate: shape.startRate, timeUnit: '1s', stages: shape.stages, preAllocatedVUs, maxVUs };
}

/** The catalogue's response view over a k6 response: checks are written once, against this. */
function responseView(res) {
  return {
    status: res.status,
    header(name) {
      if (name in res.headers) return res.headers[name];
      const lower = name.toLowerCase();
      const key = Object.keys(res.headers).find((k) => k.toLowerCase() === lower);
      return key === undefined ? undefined : res.headers[key];
    },
    json: () => res.json(),
  };
}

/**
 * Everything a k6 script exports, for the catalogue scenario `name`.
 * @param {string} name a scenario name of scenarios.js
 */
export function scenarioScript(name) {
  const base = findScenario(name);
  if (base === undefined) throw new Error(`unknown scenario ${JSON.stringify(name)} (see k6/lib/scenarios.js)`);
  const scenario = applyOverrides(base, overridesFromEnv(base, __ENV));
  const { shape } = scenario;
  const options = {
    scenarios: { [scenario.name]: k6Scenario(shape) },
    thresholds: { ...scenario.thresholds, ...distributionThresholds(grid(), scenario.assertSpread) },
    discardResponseBodies: scenario.discardResponseBodies,
    summaryTrendStats: DEFAULT_TREND_STATS,
    tags: { testid: RUN_ID, ...(STRATEGY ? { strategy: STRATEGY } : {}) },
  };
  const arrivalRate = shape.executor !== 'constant-vus';
  const think = shape.executor === 'constant-vus' ? shape.sleep : 0;

  function iteration() {
    // An arrival-rate mix follows the scenario-wide iteration number, a closed one the VU's own (k6 __ITER).
    const ctx = { vu: exec.vu.idInTest, iteration: arrivalRate ? exec.scenario.iterationInTest : exec.vu.iterationInScenario };
    for (const request of scenario.plan(ctx)) {
      const params = { tags: { name: request.name } };
      if (request.headers) params.headers = request.headers;
      // Expected errors (a 400, nginx's 404) must not count as failures in http_req_failed.
      if (request.expectedStatuses) params.responseCallback = http.expectedStatuses(...request.expectedStatuses);
      const res = http.request(request.method, `${BASE_URL}${request.path}`, request.body === undefined ? null : request.body, params);
      if (request.countServedBy !== false) recordServedBy(responseView(res).header('X-Served-By'));
      if (request.checks) {
        const view = responseView(res);
        const conditions = {};
        for (const [label, condition] of Object.entries(request.checks)) conditions[label] = () => condition(view);
        check(res, conditions);
      }
    }
    if (think > 0) sleep(think);
  }

  return {
    options,
    setup: () => abortUnlessTargetUp(),
    iteration,
    handleSummary: (data) => distributionSummary(data, scenario.script, describeScenario(scenario)),
  };
}
