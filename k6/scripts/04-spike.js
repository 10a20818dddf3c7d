// 04 - spike: a low base rate, a sudden 40x burst held for a minute, then back to the base. Does the stack
// absorb the burst (latency rises, nothing fails) and recover (latency back to the base's once it is over)?
// Look at: "In-flight requests" and "Event-loop lag" on the dashboard while it runs.
//
//   make loadtest SCENARIO=spike
//   k6 run -e BASE_RATE=20 -e RATE=800 k6/scripts/04-spike.js
import { scenarioScript } from '../lib/run.js';

// The scenario (shape, requests, checks, thresholds) is defined once in k6/lib/scenarios.js, shared with the
// Node load runner; k6/lib/run.js turns it into these exports.
const script = scenarioScript('spike');
export const options = script.options;
export const setup = script.setup;
export default script.iteration;
export const handleSummary = script.handleSummary;
