// The price of the edge's stop-first update, measured (docs/swarm.md, "nginx's own update"): a host-mode port can't
// be bound twice on one node, so a new nginx task starts only after the old one stopped, and for that gap nothing
// listens on the published port. This test updates nginx the way a changed nginx file does (a new task), under
// the steady load, and records how many requests failed and for how long. It asserts what must hold: the failures
// are refused connections inside the update, none before it or after it, and nginx serves again afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { underSteadyLoad } from '../lib/steadyLoad.js';
import { recordFigure, runningTasks, swarmDocker, stack, until } from './swarmStack.js';

test('nginx updated under load (stop-first on its host port): failures only inside the gap, counted and timed', async () => {
  const before = (await runningTasks('nginx')).map((t) => t.name);
  const { report } = await underSteadyLoad('swarm nginx update (stop-first)', async () => {
    await swarmDocker(['service', 'update', '--detach', '--force', `${stack}_nginx`]);
    // Done when the update ended and the published port answers again.
    await until('the nginx update to end', async () => {
      const state = (await swarmDocker(['service', 'inspect', '-f', '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}', `${stack}_nginx`])).trim();
      return state === 'completed' ? state : undefined;
    }, 120_000, 1000);
  }, { settleSec: 5 });
  const failed = report.records.filter((r) => r.status === null || r.status >= 500);
  const gapMs = failed.length > 0 ? Math.max(...failed.map((r) => r.sentAtMs)) - Math.min(...failed.map((r) => r.sentAtMs)) : 0;
  recordFigure(report, `failed ${report.failed} of ${report.sent} (${JSON.stringify(report.errorCodes)}), over ${(gapMs / 1000).toFixed(1)} s: the stop-first gap`);
  assert.ok(failed.every((r) => r.sentAtMs >= report.operationStartMs && r.sentAtMs <= report.operationEndMs), 'a request failed outside the update');
  const after = report.records.filter((r) => r.sentAtMs > report.operationEndMs);
  assert.ok(after.length > 0 && after.every((r) => r.status !== null && r.status < 500), 'nginx does not serve after its update');
  // The update really happened: a new task runs, the old one is history.
  const now = (await runningTasks('nginx')).map((t) => t.name);
  const history = (await swarmDocker(['service', 'ps', '-q', `${stack}_nginx`])).trim().split('\n');
  assert.equal(now.length, 1, `nginx tasks running: ${now.join(', ')}`);
  assert.ok(history.length >= 2, `nginx was not replaced (tasks before: ${before.join(', ')})`);
});
