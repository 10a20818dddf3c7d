// The promise of the stack, checked through the real nginx against the real replicas: under
// round_robin and least_conn, with enough concurrency, every worker of every replica serves, the
// replicas get even shares (max/min <= 1.25), and the workers stay close to even (Jain >= 0.90).
//
// Why the worker-level bound is looser than the replica-level one: nginx balances *requests* over
// replicas, but inside a container Node's cluster primary hands *connections* to the next free
// worker, and nginx reuses its upstream keep-alive connections most-recent-first. Measured on 2
// shared cores, worker max/min ranged 1.12-2.33 run to run (Jain 0.930-0.998) while replicas stayed
// within 1.04; see docs/figures.md.
//
// The requests are uniform (GET /io?ms=50: the same wait on every replica, cores mostly idle). On a CPU-bound route
// the 2 shared cores decide which replica answers first, and least_conn follows that: a CI run measured replica
// max/min 1.48 for least_conn on GET / at 64 connections. That is the scheduler's spread, not the strategy's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { UNIFORM_IO_MS } from '../../k6/lib/workload.js';
import { runLoad } from '../../tools/loadrunner/src/index.js';
import { baseUrl, switchStrategy, waitForLiveWorkers } from '../lib/stack.js';

const CONNECTIONS = 64;
const MAX_MIN_REPLICA_SHARE = 1.25;
const MIN_WORKER_JAIN = 0.9;
let workers: string[];

before(async () => {
  // 3 replicas x 2 workers by default (API_REPLICAS=3, 2 cpus each). This is the first stack test after make up.
  workers = await waitForLiveWorkers(6);
  assert.ok(workers.length >= 6, `Prometheus sees only ${workers.join(', ')}`);
});

after(async () => {
  await switchStrategy('round_robin');
});

for (const strategy of ['round_robin', 'least_conn']) {
  test(`${strategy}: every worker serves, replicas max/min <= ${MAX_MIN_REPLICA_SHARE}, workers Jain >= ${MIN_WORKER_JAIN} at ${CONNECTIONS} connections`, async () => {
    await switchStrategy(strategy);
    const result = await runLoad({
      baseUrl,
      scenario: { model: 'closed', vus: CONNECTIONS, durationSec: 8 },
      requests: [{ path: `/io?ms=${UNIFORM_IO_MS}` }],
      tag: `spread-${strategy}`,
    });
    const d = result.distribution;
    const table = d.perWorker.map((w) => `${w.key}=${w.requests}`).join(' ');
    console.log(`# ${strategy}: ${result.requests} requests, ${result.throughputRps.toFixed(0)} req/s, p99 ${result.latency.p99Ms.toFixed(1)} ms, ` +
      `workers jain ${d.workerFairness.jainFairness?.toFixed(4)} max/min ${d.workerFairness.maxMinRatio?.toFixed(3)}, replicas max/min ${d.replicaFairness.maxMinRatio?.toFixed(3)}: ${table}`);
    assert.equal(result.failed, 0, `failed requests: ${JSON.stringify(result.statusCounts)} ${JSON.stringify(result.errorCodes)}`);
    assert.equal(d.unattributed, 0);
    const served = d.perWorker.filter((w) => w.requests > 0).map((w) => w.key).sort();
    assert.deepEqual(served, workers, `workers that served vs workers Prometheus sees`);
    const replicas = d.perReplica.map((r) => `${r.replica}=${r.requests}`).join(' ');
    assert.ok(d.replicaFairness.maxMinRatio! <= MAX_MIN_REPLICA_SHARE, `replica max/min ${d.replicaFairness.maxMinRatio} > ${MAX_MIN_REPLICA_SHARE}: ${replicas}`);
    assert.ok(d.workerFairness.jainFairness! >= MIN_WORKER_JAIN, `worker Jain ${d.workerFairness.jainFairness} < ${MIN_WORKER_JAIN}: ${table}`);
  });
}
