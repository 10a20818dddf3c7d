// 06 - skewed: where least_conn beats round-robin. Two kinds of unevenness at once:
//   - the requests: heavy-tailed /work (median n ~ 1,500, p99 ~ 760,000) plus 20 ms /io waits;
//   - the replicas: one of them, api-slow-1, has one worker on 0.1 CPU (SLOW_REPLICA_CPUS), a fraction of a
//     normal replica's capacity, like a replica on a smaller or noisier machine.
// The load is an open model (a fixed arrival rate), so both strategies face exactly the same requests at the same
// times. round_robin sends the small replica a quarter of them, more than it can serve: its queue grows for the
// whole run and the tail with it. least_conn sees that replica's connections pile up and sends it less.
// `make compare SCENARIO=skewed` starts api-slow (compose profile `skewed`), runs this for each strategy and
// removes it again. By hand: docker compose --profile skewed up -d api-slow, then run this script.
// Look at: p(99) per strategy, and api-slow-1's share.
//
//   make compare SCENARIO=skewed STRATEGIES="round_robin least_conn"
//   k6 run -e RATE=500 -e DURATION=20s k6/scripts/06-skewed.js
import { scenarioScript } from '../lib/run.js';

// The scenario (shape, requests, checks, thresholds) is defined once in k6/lib/scenarios.js, shared with the
// Node load runner; k6/lib/run.js turns it into these exports.
const script = scenarioScript('skewed');
export const options = script.options;
export const setup = script.setup;
export default script.iteration;
export const handleSummary = script.handleSummary;
