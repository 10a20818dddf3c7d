// 03 - average load: a constant arrival rate (open model) for a minute, with the heavy-tailed mix most real
// services see (mostly cheap requests, a few 500x dearer). Latency is the result: an arrival-rate executor keeps
// sending at RATE whatever the response time, so a slow stack shows up as latency and dropped iterations
// instead of silently receiving less load (https://grafana.com/docs/k6/latest/using-k6/scenarios/concepts/open-vs-closed/).
// Look at: http_req_duration's p(95)/p(99) and dropped_iterations.
//
//   make loadtest SCENARIO=average       (or K6_SCRIPT=03-average-load)
//   k6 run -e RATE=200 -e DURATION=2m k6/scripts/03-average-load.js
import { scenarioScript } from '../lib/run.js';

// The scenario (shape, requests, checks, thresholds) is defined once in k6/lib/scenarios.js, shared with the
// Node load runner; k6/lib/run.js turns it into these exports.
const script = scenarioScript('average');
export const options = script.options;
export const setup = script.setup;
export default script.iteration;
export const handleSummary = script.handleSummary;
