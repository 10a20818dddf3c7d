// 07 - many clients: one X-Client-Id per VU (VUS, or CLIENTS, distinct clients) for the sticky strategies.
//   hash     (key X-Client-Id): the ids spread over every replica, and each id stays on its own replica.
//   ip_hash  (key: the client ADDRESS, first three octets for IPv4): all these clients come from one address
//            (k6's container, or the host through Docker's port mapping), so everything lands on ONE replica.
//            That is ip_hash's pitfall behind any NAT, proxy or shared network, not a bug of this stack.
// Look at: the per-replica shares under each strategy.
//
//   make compare SCENARIO=many-clients STRATEGIES="round_robin ip_hash hash"
//   k6 run -e CLIENTS=60 k6/scripts/07-many-clients.js
import { scenarioScript } from '../lib/run.js';

// The scenario (shape, requests, checks, thresholds) is defined once in k6/lib/scenarios.js, shared with the
// Node load runner; k6/lib/run.js turns it into these exports.
const script = scenarioScript('many-clients');
export const options = script.options;
export const setup = script.setup;
export default script.iteration;
export const handleSummary = script.handleSummary;
