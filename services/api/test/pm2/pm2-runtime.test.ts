// The BUILT app (dist/) under REAL pm2-runtime in cluster mode with 2 workers, as the container runs it
// (same ecosystem.config.cjs), on a free port with a private PM2_HOME. Ends with SIGINT, and the
// whole process group is killed in `after` whatever happens.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { duplicateTypeLines, findSamples } from '../helpers/exposition.js';
import { httpRequest, postJson } from '../helpers/http.js';
import { freePort, freePortRange, isPortFree } from '../helpers/ports.js';

const API_DIR = fileURLToPath(new URL('../../../', import.meta.url)); // .test-build/test/pm2 -> services/api
const PM2_RUNTIME = join(API_DIR, 'node_modules/pm2/bin/pm2-runtime');

interface Whoami {
  worker: string;
  pid: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the promise's value, or `fallback` after `ms` (timer cleared, so nothing lingers). */
async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function whoami(port: number): Promise<Whoami> {
  return (await httpRequest(port, '/whoami', { timeoutMs: 3000 })).json<Whoami>();
}

/** Polls until every worker id in `ids` has answered; returns worker id -> pid. */
async function waitForWorkers(port: number, ids: string[], timeoutMs: number, exclude: Map<string, number> = new Map()): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const who = await whoami(port);
      if (exclude.get(who.worker) !== who.pid) seen.set(who.worker, who.pid);
      if (ids.every((id) => seen.has(id))) return seen;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`workers ${ids.join(',')} not all seen within ${timeoutMs} ms; saw ${JSON.stringify([...seen])}`);
}

describe('pm2-runtime cluster mode, 2 workers (built app)', { timeout: 75_000 }, () => {
  let runtime: ChildProcess;
  let port: number;
  let output = '';
  let pids: Map<string, number>;
  let exitCode: Promise<number | null>;
  const pm2Home = mkdtempSync(join(tmpdir(), 'scaleout-pm2-test-'));

  before(async () => {
    port = await freePort();
    const metricsBase = await freePortRange(2);
    assert.ok(await isPortFree(port), `port ${port} is taken: a leftover process would poison this test`);
    runtime = spawn(process.execPath, [PM2_RUNTIME, 'start', 'ecosystem.config.cjs'], {
      cwd: API_DIR,
      detached: true, // own process group, so `after` can kill pm2 and every worker at once
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PM2_HOME: pm2Home,
        PORT: String(port),
        WORKERS: '2',
        METRICS_WORKER_PORT_BASE: String(metricsBase),
        REPLICA: 'pm2-test',
        CHAOS_ENABLED: 'true',
        DRAIN_TIMEOUT_MS: '5000',
        LOG_LEVEL: 'info',
      },
    });
    runtime.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    runtime.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exitCode = new Promise((resolve) => runtime.once('exit', (code) => resolve(code)));
    try {
      pids = await waitForWorkers(port, ['0', '1'], 20_000);
    } catch (error) {
      throw new Error(`${String(error)}\n--- pm2-runtime output ---\n${output}`);
    }
  });

  after(() => {
    try {
      if (runtime.pid) process.kill(-runtime.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(pm2Home, { recursive: true, force: true });
  });

  it('spreads 200 connection-per-request calls over both workers', async () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const res = await httpRequest(port, '/whoami');
      const servedBy = String(res.headers['x-served-by']);
      counts.set(servedBy, (counts.get(servedBy) ?? 0) + 1);
    }
    const summary = JSON.stringify(Object.fromEntries(counts));
    assert.equal(counts.size, 2, `expected 2 distinct X-Served-By values, saw ${summary}`);
    for (const [servedBy, count] of counts) {
      assert.match(servedBy, /^pm2-test\/[01]\/\d+$/);
      assert.ok(count >= 40, `each worker should get a fair share of 200; saw ${summary}`);
    }
  });

  it('one /metrics scrape holds both workers, and the count matches what we sent', async () => {
    const scrape = async () => (await httpRequest(port, '/metrics')).text;
    const whoamiTotal = (text: string) =>
      findSamples(text, 'http_requests_total', { route: '/whoami', status: '200' }).reduce((sum, s) => sum + s.value, 0);
    const first = await scrape();
    assert.deepEqual(duplicateTypeLines(first), []);
    for (const worker of ['0', '1']) {
      assert.ok(findSamples(first, 'process_start_time_seconds', { worker, replica: 'pm2-test' }).length === 1, `worker ${worker} missing`);
      assert.ok(findSamples(first, 'http_requests_total', { worker }).length > 0, `worker ${worker} has no http_requests_total`);
    }
    assert.equal(findSamples(first, 'api_metrics_workers_scraped')[0]?.value, 2);

    for (let i = 0; i < 50; i++) await httpRequest(port, '/whoami');
    const second = await scrape();
    assert.equal(whoamiTotal(second) - whoamiTotal(first), 50, 'increase of http_requests_total equals requests sent');
    for (const sample of findSamples(first, 'http_requests_total')) {
      const later = findSamples(second, 'http_requests_total', sample.labels)[0];
      assert.ok(later && later.value >= sample.value, `counter went down: ${JSON.stringify(sample)} -> ${JSON.stringify(later)}`);
    }
  });

  it('bad inputs get 400/413/415 JSON and restart no worker', async () => {
    const cases: Array<[Promise<Awaited<ReturnType<typeof httpRequest>>>, number]> = [
      [postJson(port, '/echo', '{"message":'), 400],
      [postJson(port, '/echo', JSON.stringify({ message: 'x'.repeat(150_000) })), 413],
      [postJson(port, '/echo', '{"message":42}'), 400],
      [postJson(port, '/echo', '{"message":"a","__proto__":{"admin":true}}'), 400],
      [postJson(port, '/echo', '['.repeat(50_000) + ']'.repeat(50_000)), 400],
      [postJson(port, '/echo', 'hi', 'text/plain'), 415],
      [httpRequest(port, '/work?n=999999999999'), 400],
      [httpRequest(port, '/io?ms=-5'), 400],
    ];
    for (const [pending, status] of cases) {
      const res = await pending;
      assert.equal(res.status, status, res.text.slice(0, 200));
      assert.equal(res.json().statusCode, status);
    }
    const after = await waitForWorkers(port, ['0', '1'], 5000);
    assert.deepEqual([...after].sort(), [...pids].sort(), 'same pids: no worker restarted');
  });

  it('/chaos/crash kills one worker; the other keeps serving; pm2 replaces it with a new pid', async () => {
    const crash = await httpRequest(port, '/chaos/crash', { method: 'POST' });
    assert.equal(crash.status, 202);
    const { servedBy } = crash.json<{ servedBy: string }>();
    const [, crashedWorker = '', crashedPid = ''] = servedBy.split('/');
    const survivor = crashedWorker === '0' ? '1' : '0';

    const started = Date.now();
    let servedMeanwhile = 0;
    let replacement: number | undefined;
    while (Date.now() - started < 5000 && replacement === undefined) {
      try {
        const who = await whoami(port);
        if (who.worker === survivor) servedMeanwhile++;
        if (who.worker === crashedWorker && who.pid !== Number(crashedPid)) replacement = who.pid;
      } catch {
        // a connection may land on the dying worker; the next one will not
      }
      await sleep(50); // poll, don't hammer: the replacement boots on the same 2 cores
    }
    const elapsed = Date.now() - started;
    assert.ok(replacement !== undefined, `worker ${crashedWorker} (pid ${crashedPid}) not replaced within 5 s\n${output.slice(-2000)}`);
    assert.ok(elapsed < 3500, `replacement took ${elapsed} ms`);
    assert.ok(servedMeanwhile > 0, 'the surviving worker served while the other restarted');
    pids.set(crashedWorker, replacement);
  });

  it('SIGINT lets 10 slow in-flight requests finish with 200, then pm2-runtime exits 0', async () => {
    const inFlight = Array.from({ length: 10 }, () => httpRequest(port, '/io?ms=1500', { timeoutMs: 10_000 }));
    await sleep(300); // all 10 are accepted and waiting inside the workers
    process.kill(runtime.pid!, 'SIGINT'); // pm2-runtime only, as `docker stop` does to PID 1
    const results = await Promise.allSettled(inFlight);
    const statuses = results.map((r) => (r.status === 'fulfilled' ? r.value.status : String(r.reason)));
    assert.deepEqual(statuses, Array(10).fill(200), `in-flight results: ${statuses.join(', ')}`);
    const code = await within(exitCode, 15_000, 'still running after 15 s');
    assert.equal(code, 0, `pm2-runtime exit code; output tail:\n${output.slice(-1500)}`);
    assert.match(output, /"msg":"drained, exiting"/);
  });
});
