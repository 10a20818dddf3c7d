// `make loadtest` itself, with no EXPECTED_* given: it reads the topology from the running stack (the workers
// Prometheus scrapes, tools/lib/liveWorkers.ts) and hands it to the load generator, so the quickstart fails when
// the spread over the workers collapses, not only when requests fail.
//   - healthy stack (round_robin): exit 0, and the run covered exactly the workers Prometheus sees;
//   - collapsed spread: nginx on ip_hash pins this one client address to ONE replica. Nothing fails (every request
//     is answered 200), so only the spread thresholds (a `count>0` per expected replica/worker) can catch it: exit 99.
// A short post000 (200 VUs, 5 s instead of 1000 VUs, 30 s) keeps both runs to ~25 s together; 200 VUs starting at
// once still open enough upstream connections for every pm2 worker to get some (Node's cluster primary hands out
// connections, not requests).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { make } from '../../tools/lib/docker.js';
import { switchStrategy, waitForLiveWorkers } from '../lib/stack.js';

const SHORT = { SCENARIO: 'post000', VUS: '200', DURATION: '5s', RUN_ID: 'test-stack-loadtest' };
let workers: string[];

before(async () => {
  workers = await waitForLiveWorkers(6);
});

after(async () => {
  await switchStrategy('round_robin');
});

function expectedLine(output: string): string {
  return /expected topology \(from Prometheus\): (\S+) x (\d+) workers/.exec(output)?.slice(1).join(' x ') ?? '(none)';
}

test('make loadtest on a healthy stack: passes, covering the workers Prometheus sees (no EXPECTED_* given)', async () => {
  await switchStrategy('round_robin');
  const run = await make('loadtest', SHORT, { EXPECTED_REPLICAS: '', EXPECTED_WORKERS: '' });
  const replicas = [...new Set(workers.map((k) => k.split('/')[0]))];
  const perReplica = workers.length / replicas.length;
  assert.equal(expectedLine(run.output), `${replicas.join(',')} x ${perReplica}`, run.output);
  assert.equal(run.code, 0, `make loadtest failed on a healthy stack:\n${run.output}`);
  for (const key of workers) assert.match(run.output, new RegExp(`^${key} +\\| +[1-9]\\d* \\|`, 'm'), `${key} has no row with requests`);
});

test('make loadtest with the spread collapsed onto one replica (ip_hash, one client): exit 99 on the spread thresholds', async () => {
  await switchStrategy('ip_hash');
  const run = await make('loadtest', SHORT, { EXPECTED_REPLICAS: '', EXPECTED_WORKERS: '' });
  // make reports the runner's exit code 99 (a threshold failed) as `Error 99` and exits 2 itself.
  assert.notEqual(run.code, 0, `make loadtest passed with the spread collapsed:\n${run.output}`);
  assert.match(run.output, /Error 99/, run.output);
  assert.match(run.output, /thresholds on metrics '[^']*served_by\{served_by_replica:/, run.output);
  // Nothing failed: without the topology this run would have passed.
  assert.match(run.output, /http_req_failed[^\n]*0\.00%/, run.output);
});
