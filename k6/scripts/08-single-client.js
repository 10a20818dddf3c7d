// 08 - a single client: 16 connections that all carry the same X-Client-Id from the same address. Under ip_hash
// and hash every request lands on one replica (that is stickiness); under round_robin and least_conn it spreads.
// Put it next to 07-many-clients: stickiness spreads load only when there are many clients to spread.
// Look at: one replica at 100% under the sticky strategies.
//
//   make compare SCENARIO=single-client STRATEGIES="round_robin ip_hash hash"
//   k6 run k6/scripts/08-single-client.js
import { scenarioScript } from '../lib/run.js';

// The scenario (shape, requests, checks, thresholds) is defined once in k6/lib/scenarios.js, shared with the
// Node load runner; k6/lib/run.js turns it into these exports.
const script = scenarioScript('single-client');
export const options = script.options;
export const setup = script.setup;
export default script.iteration;
export const handleSummary = script.handleSummary;
