// 05 - soak: a typical rate for a long time (30 minutes by default). Nothing here is fast to see: it is for
// slow leaks, a heap that grows until pm2's max_memory_restart recycles a worker, file descriptors, or a
// latency that creeps up. Look at: "Resident memory per worker vs its budget" and "Worker restarts".
//
//   make loadtest SCENARIO=soak
//   k6 run -e DURATION=2h -e RATE=50 k6/scripts/05-soak.js
import { scenarioScript } from '../lib/run.js';

// The scenario (shape, requests, checks, thresholds) is defined once in k6/lib/scenarios.js, shared with the
// Node load runner; k6/lib/run.js turns it into these exports.
const script = scenarioScript('soak');
export const options = script.options;
export const setup = script.setup;
export default script.iteration;
export const handleSummary = script.handleSummary;
