// Scenario 1: a pm2 worker dies under load (POST /chaos/crash: the worker answers, then process.exit(1)).
//   - only requests in flight on that worker may fail (nginx retries the GETs on another replica; a connection the
//     cluster primary was handing to it can hang until nginx's read timeout, see the assertion);
//   - pm2 replaces the worker within 2 s;
//   - the other workers' p99 does not move;
//   - a crash loop: pm2 gives up, pm2-runtime exits (2, or 0: see below), Docker's restart policy brings the
//     container back, and nginx routes around it meanwhile.
//
// What pm2 7 really does in a crash loop (read in node_modules/pm2/lib/God.js handleExit, and shown by the
// second test): a restart counts as "unstable" only when the worker lived less than min_uptime (1 s) AND the
// app was created less than min_uptime x max_restarts (1 s x 16 = 16 s) ago. created_at is set when the app
// starts and is NOT reset by an automatic restart, so pm2 gives up (status "errored") only on a crash loop
// that begins right after start, as a broken release or a missing dependency does. A worker that starts to
// crash-loop later is restarted forever. Once every worker is errored, pm2-runtime's auto-exit (on by default,
// `--no-auto-exit` disables it; lib/binaries/Runtime4Docker.js) checks every 2 s and exits after 3 failed
// checks, with code 2, or 0 when pm2's own shutdown wins a race (see the assertion below).
// https://pm2.keymetrics.io/docs/usage/restart-strategies/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { baseUrl } from '../lib/stack.js';
import { appLogLines, docker, inspect, nodeInContainer, pm2List, pm2LogLines, projectName, waitHealthy } from '../../tools/lib/docker.js';
import { assertNoStall, assertNothingLost, formatOperationReport, p99, underSteadyLoad } from '../lib/steadyLoad.js';
import { recordFigure } from './figures.js';

const REPLACED_WITHIN_MS = 2_000;

test('worker crash under load: only that worker\'s in-flight requests may fail, pm2 replaces it within 2 s, the other workers keep their p99', async () => {
  let crashed = { servedBy: '', at: 0 };
  const { report } = await underSteadyLoad('worker crash (POST /chaos/crash)', async () => {
    const res = await fetch(`${baseUrl}/chaos/crash`, { method: 'POST' });
    crashed = { servedBy: ((await res.json()) as { servedBy: string }).servedBy, at: Date.now() };
    assert.equal(res.status, 202, 'CHAOS_ENABLED=true is needed: make test-faults sets it');
    // Give pm2 and the load time to show the replacement.
    await sleep(4_000);
  }, { settleSec: 2 });
  console.log(formatOperationReport(report));

  const [replica, worker, pid] = crashed.servedBy.split('/');
  const slot = `${replica}/${worker}/`;
  // From the app's own log lines (one clock): the crash, and the replacement worker reporting ready (after it
  // listens and sent pm2 'ready'). Traffic alone can't time it: nginx keeps reusing its keep-alive connections
  // to the surviving worker of that replica, so the new one may get its first request only later.
  const lines = await appLogLines(`${projectName}-${replica}`, new Date(report.operationStartMs - 1000).toISOString());
  const crashLine = lines.find((l) => l.msg.startsWith('chaos: crashing') && String(l.pid) === pid);
  const readyLine = lines.find((l) => l.msg === 'worker ready' && l.worker === worker && String(l.pid) !== pid);
  assert.ok(crashLine && readyLine, `no crash or no replacement 'worker ready' line for ${crashed.servedBy}`);
  const replacedMs = Date.parse(readyLine.time) - Date.parse(crashLine.time);
  const procs = await pm2List(`${projectName}-${replica}`);
  const proc = procs.find((p) => String(p.pm2_env.NODE_APP_INSTANCE ?? p.pm_id) === worker);
  assert.ok(proc && proc.pid === readyLine.pid && proc.pm2_env.status === 'online', `pm2 says ${JSON.stringify(procs.map((p) => [p.pm_id, p.pid, p.pm2_env.status]))}`);

  // The other workers: every request not served by the crashed slot, in the 5 s after the crash vs before.
  const others = report.records.filter((r) => r.servedBy !== undefined && !r.servedBy.startsWith(slot));
  const before = p99(others.filter((r) => r.sentAtMs < report.operationStartMs));
  const during = p99(others.filter((r) => r.sentAtMs >= crashed.at && r.sentAtMs < crashed.at + 5_000));
  const failedGets = report.failedByMethod.GET ?? 0;
  console.log(`# crashed ${crashed.servedBy}: replacement ${slot}${readyLine.pid} ready ${replacedMs} ms after the crash; ` +
    `other workers' p99 ${before?.toFixed(1)} -> ${during?.toFixed(1)} ms; failed GETs ${failedGets}, failed POSTs ${report.failedByMethod.POST ?? 0}`);
  recordFigure({ scenario: 'worker crash', report, p99Before: before, p99During: during, recovery: `worker ready again in ${(replacedMs / 1000).toFixed(2)} s` });

  assert.ok(replacedMs <= REPLACED_WITHIN_MS, `the replacement was ready ${replacedMs} ms after the crash (> ${REPLACED_WITHIN_MS})`);
  // GETs that were in flight on the dying worker are retried by nginx (proxy_next_upstream error); a POST in
  // flight there is not (non_idempotent is off), so at most the POSTs that worker held may fail. At 40 req/s
  // over 6 workers with ~50 ms requests, that is at most a couple.
  //
  // One more way a request can be held by the dying worker: a connection the cluster primary (pm2-runtime) was
  // handing to it. In SCHED_RR the primary accepts, sends the socket over IPC and closes its own copy only when the
  // worker acknowledges it; a worker that dies first never does, so the connection stays open with nobody reading
  // it (nodejs/node-v0.x-archive#7006; Node's lib/internal/cluster/round_robin_handle.js still works that way).
  // nginx sees no error to retry on, and the request ends at proxy_read_timeout (504) or the client's timeout: one
  // CI run met it once in 443 requests. Such a request was on its way to that worker, so it counts among what the
  // worker held; any other failed GET (a 502, a reset) means nginx did not retry, and fails the test.
  const failedAfterCrash = report.records.filter((r) => r.sentAtMs >= report.operationStartMs && (r.status === null || r.status < 200 || r.status > 299));
  const strandedGets = failedAfterCrash.filter((r) => r.method === 'GET' && (r.errorCode === 'ETIMEDOUT' || r.status === 504));
  if (strandedGets.length > 0) console.log(`# ${strandedGets.length} GET stranded in the primary's hand-off to the dying worker (waited ${strandedGets.map((r) => `${(r.durationMs / 1000).toFixed(1)} s`).join(', ')})`);
  assert.equal(failedGets - strandedGets.length, 0, `GETs failed other than by a stranded hand-off: ${JSON.stringify(report.sampleFailures)}`);
  assert.ok(strandedGets.length <= 1, `${strandedGets.length} GETs stranded: more than one connection in transit to the dying worker`);
  assert.ok(report.failed <= 3, `${report.failed} requests failed, more than one worker can hold in flight: ${JSON.stringify(report.sampleFailures)}`);
  assert.equal(report.mismatchedIds + report.duplicateIds + report.unanswered, 0);
  // "The other workers' p99 doesn't move" is the printed figure (before -> during); the test bounds stalls only.
  assertNoStall(during, "the other workers' traffic");
});

// Kills every worker of one container the moment it appears, for a bounded time: a worker that dies at start
// (the shape of a broken release). Runs inside the container as its own user; no shell in the image, so node.
const CRASH_LOOP_SCRIPT = `
const fs = require('node:fs');
const end = Date.now() + Number(process.argv[1]);
let killed = 0;
(function tick() {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const stat = fs.readFileSync('/proc/' + d + '/stat', 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === 1) { process.kill(Number(d), 'SIGKILL'); killed++; }
    } catch {}
  }
  if (Date.now() < end) setTimeout(tick, 50); else console.log(killed);
})();`;

test('crash loop at start: pm2 gives up, pm2-runtime exits, Docker restarts the container, nginx routes around it', async () => {
  const container = `${projectName}-api-1`;
  const since = new Date().toISOString();
  let recoveredMs = 0;
  const { report } = await underSteadyLoad('crash loop (workers killed at start)', async () => {
    // A fresh start, so the loop begins inside pm2's 16 s window, then kill every worker as it appears.
    // The container dies under the killer (pm2-runtime exits), which ends the docker exec too.
    await docker(['restart', '-t', '30', container]);
    const loopStarted = Date.now();
    await nodeInContainer(container, CRASH_LOOP_SCRIPT, ['40000'], 60_000).catch(() => 'container exited under the killer');
    await waitHealthy(container);
    recoveredMs = Date.now() - loopStarted;
  }, { settleSec: 3 });
  console.log(formatOperationReport(report));

  const info = await inspect(container);
  const dieEvents = await docker(['events', '--since', since, '--until', new Date().toISOString(), '--filter', `container=${info.Id}`,
    '--filter', 'event=die', '--format', '{{index .Actor.Attributes "exitCode"}}']);
  const exitCodes = dieEvents.split('\n').filter(Boolean);
  const pm2Lines = await pm2LogLines(container, since);
  const gaveUp = pm2Lines.filter((l) => l.includes('too many unstable restarts'));
  console.log(`# crash loop on ${container}: pm2 gave up on ${gaveUp.length} worker(s), container exit codes ${exitCodes.join(',')}, ` +
    `Docker RestartCount ${info.RestartCount}, healthy again ${(recoveredMs / 1000).toFixed(1)} s after the loop began`);
  recordFigure({ scenario: 'crash loop at start (1 replica)', report, recovery: `container back ${(recoveredMs / 1000).toFixed(1)} s` });

  assert.ok(gaveUp.length >= 1, `pm2 never gave up: ${pm2Lines.slice(-5).join(' | ')}`);
  // Two deaths: the `docker restart` (exit 0 after the drain), then pm2-runtime's own exit. Its code is 2 OR 0:
  // pm2-runtime's auto-exit calls pm2.kill(cb) and exits 2 in cb, but with the daemon in-process pm2's own kill
  // path runs setTimeout(() => process.exit(0), 2) (lib/Daemon.js) and the two race; both were seen here.
  // `restart: unless-stopped` restarts on any exit code, so recovery does not depend on it (on-failure would).
  assert.ok(exitCodes.length >= 2 && ['0', '2'].includes(exitCodes.at(-1)!), `pm2-runtime did not exit by itself: die events ${exitCodes.join(',')}`);
  // `docker restart` resets the count, so this is the policy's restart after pm2-runtime exited.
  assert.ok(info.RestartCount >= 1, `Docker's restart policy did not restart the container (RestartCount ${info.RestartCount})`);
  assert.equal(info.State.Health?.Status, 'healthy');
  // nginx routes around the replica: its requests fail over to the two others (GETs retried, and new
  // connections refused while the container is down are retried for POSTs too).
  assertNothingLost(report);
});
