// 10 - uniform requests: VUS connections (default 64) each GET /io?ms=50 with no sleep. Every request costs the
// same 50 ms wait on any replica and the cores stay mostly idle, so the spread measured here is the strategy's
// own, not the CPU scheduler's. This is the fairness yardstick: round_robin and least_conn both reach Jain ~1.
// Compare with 09-distribution, where the same strategies share saturated cores.
// Look at: jain_fairness (about 1 for both strategies).
//
//   make compare SCENARIO=uniform STRATEGIES="round_robin least_conn"
//   k6 run -e VUS=64 k6/scripts/10-uniform.js
import { scenarioScript } from '../lib/run.js';

// The scenario (shape, requests, checks, thresholds) is defined once in k6/lib/scenarios.js, shared with the
// Node load runner; k6/lib/run.js turns it into these exports.
const script = scenarioScript('uniform');
export const options = script.options;
export const setup = script.setup;
export default script.iteration;
export const handleSummary = script.handleSummary;
