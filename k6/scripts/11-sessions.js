// 11 - sessions: VUS clients (default 8), each with its own cookie jar (k6 keeps one per VU), make 5 POST
// /session/visits per session and check that the count runs 1..5 without a reset, then DELETE /session and start a
// new one. With the shared store (SESSION_STORE=redis, the default) every worker of every replica sees the same
// session and the run passes; with SESSION_STORE=memory under round_robin each worker has its own sessions, the
// count resets and the run fails (exit 99) on the session check's threshold. docs/state.md explains both.
// Look at: the check `session visits run 1..5 without a reset` (100%), and the per-worker split.
//
//   make loadtest SCENARIO=sessions DURATION=10s
//   k6 run -e VUS=8 k6/scripts/11-sessions.js
import { scenarioScript } from '../lib/run.js';

// The scenario (shape, requests, checks, thresholds) is defined once in k6/lib/scenarios.js, shared with the
// Node load runner; k6/lib/run.js turns it into these exports.
const script = scenarioScript('sessions');
export const options = script.options;
export const setup = script.setup;
export default script.iteration;
export const handleSummary = script.handleSummary;
