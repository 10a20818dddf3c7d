// 09 - distribution under saturation: VUS connections (default 32) hammer GET / with no sleep, so every core is
// busy. How evenly do replicas and workers share the requests when they compete for CPU with each other and with
// the load generator? round_robin counts requests and stays even; least_conn follows whichever replica answers
// first, so CPU scheduling noise shows up in its shares. `make compare-connections` runs this scenario with
// 1/2/4/64 connections to show Node's cluster module balancing connections, not requests.
// Look at: jain_fairness and max_min_ratio under the table.
//
//   make compare SCENARIO=distribution STRATEGIES="round_robin least_conn"
//   k6 run -e VUS=64 k6/scripts/09-distribution.js
import { scenarioScript } from '../lib/run.js';

// The scenario (shape, requests, checks, thresholds) is defined once in k6/lib/scenarios.js, shared with the
// Node load runner; k6/lib/run.js turns it into these exports.
const script = scenarioScript('distribution');
export const options = script.options;
export const setup = script.setup;
export default script.iteration;
export const handleSummary = script.handleSummary;
