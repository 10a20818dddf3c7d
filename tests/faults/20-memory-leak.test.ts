// Scenario 2: one worker leaks memory (POST /chaos/leak) under load, inside the container's memory limit.
//   - pm2's max_memory_restart recycles the worker before the kernel OOM-kills anything (OOMKilled=false,
//     the container is not restarted), with 0 failed requests.
//
// What pm2 7 does on max_memory_restart (node_modules/pm2/lib/Worker.js maxMemoryRestart): every
// worker_interval (30 s, PM2_WORKER_INTERVAL) it compares each worker's RSS with max_memory_restart and calls
// God.reloadProcessId, which in cluster mode is a *reload* (lib/God/Reload.js hardReload): fork the
// replacement, wait for its 'ready' (wait_ready), then stop the old worker with SIGINT and kill_timeout. The app
// drains on SIGINT (src/lifecycle/graceful-shutdown.ts), so the recycle is graceful as configured; this test
// checks that it is, end to end. https://pm2.keymetrics.io/docs/usage/memory-limit/
//
// --max-old-space-size (V8's heap cap per worker) is derived from the same share; the test reads it back from the
// replacement worker's 'worker ready' log line.
//
// The 30 s check interval is the margin that matters: between two checks a worker may grow past
// max_memory_restart, so the container needs (workers x max_memory_restart) + what one worker can leak in 30 s
// + pm2 itself below its limit. ecosystem.config.cjs restarts at 80% of a worker's share (2 workers, 512 MiB:
// 204 MiB each); the leak here (128 MiB at once on a ~100 MiB worker) lands between the restart threshold and
// the container limit, as a real leak would between two checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { appLogLines, inspect, nodeInContainer, pm2List, pm2LogLines, projectName } from '../../tools/lib/docker.js';
import { assertNothingLost, formatOperationReport, underSteadyLoad } from '../lib/steadyLoad.js';
import { recordFigure } from './figures.js';

const LEAK_MB = 128;
const CHECK_INTERVAL_MS = 30_000;

// Leaks on ONE worker: requests over one keep-alive connection (an http.Agent with a single socket), which
// Node's cluster primary hands to one worker for its lifetime. Should the connection be closed in between,
// the script goes on until one worker holds the whole amount. Prints that worker's X-Served-By.
const LEAK_SCRIPT = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const target = Number(process.argv[1]), step = target / 4, held = {};
const leak = () => new Promise((resolve, reject) => {
  const req = http.request({ host: '127.0.0.1', port: process.env.PORT || 3000, method: 'POST', path: '/chaos/leak?mb=' + step, agent }, (res) => {
    let body = '';
    res.on('data', (c) => (body += c));
    res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body).servedBy) : reject(new Error(body))));
  });
  req.on('error', reject);
  req.end();
});
(async () => {
  for (let i = 0; i < 12; i++) {
    const servedBy = await leak();
    held[servedBy] = (held[servedBy] || 0) + step;
    if (held[servedBy] >= target) { console.log(servedBy); agent.destroy(); return; }
  }
  throw new Error('no worker got the whole leak: ' + JSON.stringify(held));
})();`;

test(`memory leak (${LEAK_MB} MiB on one worker): pm2 reloads it before the OOM killer acts, 0 failed requests`, async () => {
  const container = `${projectName}-api-2`;
  const infoBefore = await inspect(container);
  let leaky = { servedBy: '', pid: 0, leakedAt: 0 };
  let leakStartedAt = 0;
  let readyAt = 0;
  const { report } = await underSteadyLoad(`memory leak (${LEAK_MB} MiB on one worker)`, async () => {
    leakStartedAt = Date.now();
    const servedBy = (await nodeInContainer(container, LEAK_SCRIPT, [String(LEAK_MB)])).trim();
    leaky = { servedBy, pid: Number(servedBy.split('/')[2]), leakedAt: Date.now() };
    const pid = leaky.pid;
    // pm2 notices within one check interval; then the replacement needs to become ready.
    const deadline = Date.now() + CHECK_INTERVAL_MS + 15_000;
    for (;;) {
      const procs = await pm2List(container);
      if (!procs.some((p) => p.pid === pid) && procs.every((p) => p.pm2_env.status === 'online')) break;
      if (Date.now() > deadline) throw new Error(`pm2 did not recycle ${servedBy} within ${deadline - leaky.leakedAt} ms: ${JSON.stringify(procs.map((p) => [p.pid, p.monit.memory]))}`);
      await sleep(500);
    }
    readyAt = Date.now();
  }, { settleSec: 3 });
  console.log(formatOperationReport(report));

  const info = await inspect(container);
  const pm2Lines = await pm2LogLines(container, new Date(leakStartedAt - 1000).toISOString());
  // pm2's own account of the recycle (its check may even land between two of the leak's requests):
  //   [PM2][WORKER] Process 0 restarted because it exceeds --max-memory-restart value (current_memory=... max_memory_limit=... [octets])
  const memoryRestart = pm2Lines.filter((l) => l.includes('exceeds --max-memory-restart'));
  const [, rss, limit] = (memoryRestart.at(-1) ?? '').match(/current_memory=(\d+) max_memory_limit=(\d+)/) ?? [];
  const lines = await appLogLines(container, new Date(leakStartedAt - 1000).toISOString());
  const drained = lines.find((l) => l.pid === leaky.pid && l.msg === 'drained, exiting');
  // --max-old-space-size comes from the container limit and the worker count (ecosystem.config.cjs): without
  // it V8 sizes each worker's heap from the whole container limit, and N workers oversubscribe it.
  const replacement = lines.find((l) => l.msg === 'worker ready' && l.pid !== leaky.pid);
  const workers = (await pm2List(container)).length;
  const heapLimitMb = Number(replacement?.heapLimitMb);
  const shareMb = info.HostConfig.Memory / 1048576 / workers;
  const mib = (b: number): string => `${(b / 1048576).toFixed(0)} MiB`;
  console.log(`# ${leaky.servedBy} leaked ${LEAK_MB} MiB (pm2 saw RSS ${mib(Number(rss))} over max_memory_restart ${mib(Number(limit))}, container limit ${mib(info.HostConfig.Memory)}); ` +
    `pm2 replaced it ${((readyAt - leaky.leakedAt) / 1000).toFixed(1)} s later; old worker: ${drained?.msg ?? 'no drain line'}; ` +
    `replacement's V8 heap limit ${heapLimitMb} MiB of a ${shareMb} MiB share; OOMKilled=${info.State.OOMKilled}, container restarts ${infoBefore.RestartCount} -> ${info.RestartCount}`);
  recordFigure({ scenario: `memory leak ${LEAK_MB} MiB, 1 worker`, report, recovery: `recycled ${((readyAt - leaky.leakedAt) / 1000).toFixed(0)} s after the leak (pm2 checks every 30 s)` });

  assert.ok(rss !== undefined && limit !== undefined, `pm2 did not log a max-memory-restart: ${pm2Lines.slice(-5).join(' | ')}`);
  assert.ok(Number(limit) / 1048576 < shareMb, `max_memory_restart ${mib(Number(limit))} is not below a worker's share (${shareMb} MiB)`);
  assert.ok(drained, `the leaking worker ${leaky.servedBy} did not drain before exiting (a hard kill, not a reload)`);
  assert.ok(heapLimitMb > 0 && heapLimitMb < shareMb, `V8 heap limit ${heapLimitMb} MiB is not below the worker's share ${shareMb} MiB`);
  assert.equal(info.State.OOMKilled, false, 'the kernel OOM-killed the container');
  assert.equal(info.State.StartedAt, infoBefore.State.StartedAt, 'the container was restarted');
  assertNothingLost(report);
});
