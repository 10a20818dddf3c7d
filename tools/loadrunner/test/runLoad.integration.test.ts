// runLoad() against a real (throwaway) HTTP server on 127.0.0.1: counts must add up exactly between the server's
// view and the runner's, and every way a run can end (duration, graceful stop cut, abort, errors) must be bounded.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { startFakeApiServer } from '../testing/fakeApiServer.js';
import { NonLoopbackTargetError } from '../src/loopbackTarget.js';
import { runLoad } from '../src/runLoad.js';
import { tallyGrid } from '../../../k6/lib/fairness.js';
import { buildScenario } from '../src/catalogue.js';
import { summaryData } from '../src/summaryData.js';
import { applyThresholds, parseThreshold } from '../src/thresholds.js';

const SIX_WORKERS = ['api-1/0', 'api-1/1', 'api-2/0', 'api-2/1', 'api-3/0', 'api-3/1'];

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// The tests are independent (one server each), so they run side by side to keep the suite short.
describe('runLoad against a throwaway loopback server', { concurrency: true }, () => {
  test('closed model: server and runner counts agree exactly, per worker too', async () => {
    const server = await startFakeApiServer({ workers: SIX_WORKERS, latencyMs: 2 });
    try {
      const progress: number[] = [];
      const result = await runLoad({
        baseUrl: server.baseUrl,
        scenario: { model: 'closed', vus: 12, durationSec: 2 },
        requests: [{ path: '/', headers: ({ vu }) => ({ 'x-client-id': `vu-${vu}` }) }],
        progressIntervalMs: 1000,
        onProgress: (p) => progress.push(p.requests),
      });
      // Correctness, not speed, is under test: on a busy machine a few dozen requests are enough.
      assert.ok(result.requests > 20, `expected at least a few dozen requests in 2 s, got ${result.requests}`);
      assert.equal(result.requests, server.totals.received, 'runner requests vs server received');
      assert.equal(result.ok, result.requests);
      assert.equal(result.failed, 0);
      assert.equal(result.iterations, result.requests);
      assert.equal(result.interruptedIterations, 0);
      assert.equal(result.connectionsOpened, 12, 'keep-alive: one connection per VU');
      const clientSide = Object.fromEntries(result.distribution.perWorker.map((w) => [w.key, w.requests]));
      assert.deepEqual(clientSide, Object.fromEntries(server.received), 'per-worker counts, runner vs server');
      assert.equal(result.distribution.attributed, result.requests);
      assert.ok((result.distribution.workerFairness.jainFairness ?? 0) > 0.999, 'round-robin fake server is fair');
      assert.deepEqual(result.distribution.perReplica.map((r) => r.replica), ['api-1', 'api-2', 'api-3']);
      assert.equal(result.timeSeries.reduce((sum, b) => sum + b.requests, 0), result.requests, 'time series adds up');
      assert.ok(result.timeSeries.length >= 2 && result.timeSeries.length <= 4, `seconds: ${result.timeSeries.length}`);
      // The server waits 2 ms (Node timers may fire up to 1 ms early); p99 depends on the machine's load, so no bound.
      assert.ok(result.latency.minMs >= 1 && result.latency.maxMs >= result.latency.p99Ms, `latency ${JSON.stringify(result.latency)}`);
      assert.ok(result.dataReceivedBytes > result.requests * 100, `received ${result.dataReceivedBytes} B`);
      assert.ok(result.dataSentBytes > result.requests * 50, `sent ${result.dataSentBytes} B`);
      assert.ok(progress.length >= 1, 'onProgress was called');
      assert.ok(result.elapsedSec >= 2 && result.elapsedSec < 4, `elapsed ${result.elapsedSec}`);
    } finally {
      await server.close();
    }
  });

  test('closed model with sleep: k6 sleep(1) semantics bound the rate to vus/sleep', async () => {
    const server = await startFakeApiServer({ workers: ['api-1/0'] });
    try {
      const result = await runLoad({
        baseUrl: server.baseUrl,
        scenario: { model: 'closed', vus: 5, durationSec: 0.7, sleepMs: 300 },
        requests: [{ path: '/' }],
      });
      // Each VU: request at ~0, 300, 600 ms -> at most 3 each (the 3rd sleep is cut by the end of the duration);
      // fewer on a busy machine, never more: the sleep is what bounds the rate.
      assert.equal(result.requests, server.totals.received);
      assert.ok(result.requests >= 5 && result.requests <= 15, `requests ${result.requests}`);
      assert.ok(result.iterationDuration.medMs >= 300, `iteration_duration includes the sleep: ${result.iterationDuration.medMs}`);
    } finally {
      await server.close();
    }
  });

  test('open model: exactly rate × duration arrivals, none dropped when the server keeps up', async () => {
    const server = await startFakeApiServer({ workers: SIX_WORKERS, latencyMs: 5 });
    try {
      const result = await runLoad({
        baseUrl: server.baseUrl,
        // maxInFlight = every arrival, so even a stalled event loop (a burst of late arrivals) drops nothing.
        scenario: { model: 'open', ratePerSec: 200, durationSec: 1, maxInFlight: 200 },
        requests: [
          { path: '/', weight: 3 },
          { path: ({ iteration }) => `/work?n=${iteration}`, weight: 1 },
        ],
      });
      assert.equal(result.requests + result.droppedIterations, 200);
      assert.equal(result.droppedIterations, 0);
      assert.equal(result.requests, server.totals.received);
      assert.ok(result.vus.max <= 200 && result.vusMax === 200);
    } finally {
      await server.close();
    }
  });

  test('ramping open model (spike shape): exactly the integral of the stages arrives, the burst in its stage', async () => {
    const server = await startFakeApiServer({ workers: SIX_WORKERS, latencyMs: 2 });
    try {
      const sentAt: number[] = [];
      const startedAt = Date.now();
      const result = await runLoad({
        baseUrl: server.baseUrl,
        // 20/s for 0.5 s, up to 400/s in 0.25 s, 400/s for 0.5 s, back down in 0.25 s: 10 + 52.5 + 200 + 52.5 = 315.
        scenario: {
          model: 'open', ratePerSec: 20, durationSec: 1.5, maxInFlight: 400,
          stages: [{ targetRate: 20, durationSec: 0.5 }, { targetRate: 400, durationSec: 0.25 }, { targetRate: 400, durationSec: 0.5 }, { targetRate: 20, durationSec: 0.25 }],
        },
        requests: [{ path: '/' }],
        onRequestDone: (r) => sentAt.push(r.sentAtMs - startedAt),
      });
      assert.equal(result.requests + result.droppedIterations, 315);
      assert.equal(result.requests, server.totals.received);
      // The burst really is in the burst: most requests are sent during the 400/s stage, few during the first 0.5 s.
      const early = sentAt.filter((t) => t < 450).length;
      assert.ok(early <= 15, `${early} requests in the 20/s stage (expected about 10)`);
    } finally {
      await server.close();
    }
  });

  test('open model: arrivals beyond maxInFlight are dropped, not queued', async () => {
    const server = await startFakeApiServer({ workers: ['api-1/0'], latencyMs: 400 });
    try {
      const result = await runLoad({
        baseUrl: server.baseUrl,
        scenario: { model: 'open', ratePerSec: 100, durationSec: 0.5, maxInFlight: 10 },
        requests: [{ path: '/' }],
      });
      assert.equal(result.requests + result.droppedIterations, 50);
      // 10 slots, each busy 400 ms: at most ~20 of the 50 arrivals in 0.5 s can be sent.
      assert.ok(result.droppedIterations >= 25, `dropped ${result.droppedIterations}`);
      assert.equal(result.requests, server.totals.received);
    } finally {
      await server.close();
    }
  });

  test('10% HTTP 500s: counted exactly, and the http_req_failed threshold fails', async () => {
    const server = await startFakeApiServer({ workers: SIX_WORKERS, latencyMs: 1, failEvery: 10 });
    try {
      const result = await runLoad({ baseUrl: server.baseUrl, scenario: { model: 'closed', vus: 8, durationSec: 0.6 }, requests: [{ path: '/' }] });
      assert.equal(result.requests, server.totals.received);
      assert.equal(result.httpErrors, server.totals.failed);
      assert.equal(result.statusCounts['500'], server.totals.failed);
      assert.equal(result.socketErrors, 0);
      // Every 10th request the server received failed: floor(n/10)/n, so just under 10%.
      assert.ok(result.requests >= 10, `need 10 requests for one failure, got ${result.requests}`);
      assert.equal(result.failedRate, server.totals.failed / server.totals.received);
      assert.ok(result.failedRate > 0.05 && result.failedRate <= 0.1, `failed rate ${result.failedRate}`);
      assert.equal(result.latencyExpected.count, result.ok);
      const [failedRate, p95] = applyThresholds(summaryData(result, tallyGrid()), [parseThreshold('http_req_failed<0.01'), parseThreshold('p(95)<5000')]);
      assert.equal(failedRate?.ok, false, 'http_req_failed<0.01 must fail at 10% errors');
      assert.equal(p95?.ok, true);
    } finally {
      await server.close();
    }
  });

  test('connection refused: socket errors counted by code, run still ends on time', async () => {
    const port = await closedPort();
    const result = await runLoad({
      baseUrl: `http://127.0.0.1:${port}`,
      scenario: { model: 'closed', vus: 2, durationSec: 0.5, sleepMs: 50 },
      requests: [{ path: '/' }],
    });
    assert.ok(result.requests > 0);
    assert.equal(result.socketErrors, result.requests);
    assert.equal(result.errorCodes['ECONNREFUSED'], result.requests);
    assert.equal(result.failedRate, 1);
    assert.equal(result.distribution.attributed, 0);
    assert.equal(result.distribution.unattributed, result.requests, 'like the k6 scripts, a request without response is unattributed');
    assert.ok(result.elapsedSec < 2.5, `elapsed ${result.elapsedSec}`);
  });

  test('the smoke scenario runs its 7-request sequence per iteration; expected 400/404 are not failures', async () => {
    const server = await startFakeApiServer({ workers: ['api-1/0', 'api-2/0'] });
    try {
      const smoke = buildScenario('smoke');
      const result = await runLoad({
        baseUrl: server.baseUrl,
        scenario: { model: 'closed', vus: 2, durationSec: 0.5 },
        requests: smoke.requests,
      });
      assert.ok(result.iterations >= 2, `iterations ${result.iterations}`);
      assert.equal(result.requests, result.iterations * 7, 'every iteration completes its sequence, also at the end');
      assert.equal(result.requests, server.totals.received);
      assert.equal(result.failed, 0, `statuses ${JSON.stringify(result.statusCounts)}`);
      assert.equal(result.statusCounts['400'], result.iterations);
      assert.equal(result.statusCounts['404'], result.iterations);
      // /metrics (nginx's 404, no X-Served-By) is left out of the distribution, as the k6 script leaves it out.
      assert.equal(result.distribution.attributed, result.iterations * 6);
      assert.equal(result.distribution.unattributed, 0);
      const echoBody = JSON.stringify({ message: 'hello from the k6 smoke test', count: 1 });
      assert.equal(server.totals.bodyBytes, result.iterations * Buffer.byteLength(echoBody), 'POST /echo bodies arrived');
    } finally {
      await server.close();
    }
  });

  test('per-request timeout counts ETIMEDOUT', async () => {
    const server = await startFakeApiServer({ workers: ['api-1/0'], latencyMs: 3000 });
    try {
      const result = await runLoad({
        baseUrl: server.baseUrl,
        scenario: { model: 'closed', vus: 3, durationSec: 0.6 },
        requests: [{ path: '/' }],
        timeoutMs: 200,
      });
      assert.ok(result.requests >= 3);
      assert.equal(result.errorCodes['ETIMEDOUT'], result.requests);
      assert.ok(result.elapsedSec < 2.5, `elapsed ${result.elapsedSec} (the server would answer after 3 s)`);
    } finally {
      await server.close();
    }
  });

  test('graceful stop: requests still running after it are cut and reported as interrupted', async () => {
    const server = await startFakeApiServer({ workers: ['api-1/0'], latencyMs: 5000 });
    try {
      const started = Date.now();
      const result = await runLoad({
        baseUrl: server.baseUrl,
        scenario: { model: 'closed', vus: 4, durationSec: 0.3 },
        requests: [{ path: '/' }],
        gracefulStopMs: 200,
      });
      assert.equal(result.interruptedIterations, 4);
      assert.equal(result.requests, 0);
      // Well under the server's 5 s: the cut happened.
      assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    } finally {
      await server.close();
    }
  });

  test('abort signal ends the run early', async () => {
    const server = await startFakeApiServer({ workers: ['api-1/0'], latencyMs: 1 });
    try {
      const result = await runLoad({
        baseUrl: server.baseUrl,
        scenario: { model: 'closed', vus: 2, durationSec: 30 },
        requests: [{ path: '/' }],
        signal: AbortSignal.timeout(300),
      });
      assert.ok(result.elapsedSec < 2, `elapsed ${result.elapsedSec}`);
      assert.equal(result.requests, server.totals.received);
    } finally {
      await server.close();
    }
  });

  test('a worker answering from a new pid shows up as restarted', async () => {
    const server = await startFakeApiServer({ workers: ['api-1/0', 'api-1/1'], restartFirstWorkerAfter: 5 });
    try {
      const result = await runLoad({ baseUrl: server.baseUrl, scenario: { model: 'closed', vus: 2, durationSec: 0.5 }, requests: [{ path: '/' }] });
      assert.deepEqual(result.distribution.restartedWorkers, ['api-1/0']);
      assert.deepEqual(result.distribution.perWorker.find((w) => w.key === 'api-1/0')?.pids, [1000, 5000]);
    } finally {
      await server.close();
    }
  });

  test('non-loopback targets are refused before any connection is made', async () => {
    await assert.rejects(
      runLoad({ baseUrl: 'http://192.0.2.1:8080', scenario: { model: 'closed', vus: 1, durationSec: 1 }, requests: [{ path: '/' }] }),
      NonLoopbackTargetError,
    );
  });

  test('a path that does not start with / is a scenario bug and fails the run', async () => {
    const server = await startFakeApiServer({ workers: ['api-1/0'] });
    try {
      await assert.rejects(
        runLoad({ baseUrl: server.baseUrl, scenario: { model: 'closed', vus: 1, durationSec: 1 }, requests: [{ path: () => 'http://example.com/' }] }),
        /paths must start with '\/'/,
      );
      assert.equal(server.totals.received, 0);
    } finally {
      await server.close();
    }
  });
});
