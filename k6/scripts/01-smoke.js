// 01 - smoke test: a few virtual users for 10 seconds. Does every route answer as the contract says, through
// nginx, before anything heavier is run? Run it first, after every change to the stack. Each iteration calls
// every route once (/whoami, / with a request id, /work, /io, POST /echo, an invalid /work and the blocked
// /metrics) and checks each answer: status, X-Served-By, X-Request-Id kept, the JSON error shape.
// Look at: the ✓/✗ check lines at the top of the summary; every one must be ✓.
//
//   make loadtest SCENARIO=smoke         (or: docker compose --profile loadtest run --rm k6 run /k6/scripts/01-smoke.js)
//   k6 run k6/scripts/01-smoke.js        (host, against http://localhost:8080)
import { scenarioScript } from '../lib/run.js';

// The scenario (shape, requests, checks, thresholds) is defined once in k6/lib/scenarios.js, shared with the
// Node load runner; k6/lib/run.js turns it into these exports.
const script = scenarioScript('smoke');
export const options = script.options;
export const setup = script.setup;
export default script.iteration;
export const handleSummary = script.handleSummary;
