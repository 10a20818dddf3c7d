// Releases on the swarm under a steady load through nginx: a rolling update (start-first, one task at a time),
// a release that never gets ready (Swarm rolls it back by itself), and a tag that doesn't exist (refused first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingLost, underSteadyLoad } from '../lib/steadyLoad.js';
import { make, makeOk, recordFigure, runningTasks, swarmDocker, updateStatus, versionsThroughNginx } from './swarmStack.js';

const base = process.env.API_VERSION ?? 'dev';
const NEW = `${base}-swarm-v2`;
const BROKEN = `${base}-swarm-broken`;

test(`make swarm-deploy VERSION=${NEW}: every task replaced, every slot serves the new version, 0 failed`, async () => {
  // Built before the load starts: the operation measured is the rollout, not the build.
  await makeOk('swarm-build', { VERSION: NEW });
  const before = await runningTasks();
  const { value, report } = await underSteadyLoad(`swarm rolling update (${before.length} tasks)`, () => makeOk('swarm-deploy', { VERSION: NEW }));
  recordFigure(report, `${before.length} tasks replaced`);
  assertNothingLost(report);
  assert.equal((await updateStatus()).State, 'completed', value.output);
  const after = await runningTasks();
  assert.equal(after.length, before.length, 'task count after the update');
  for (const t of after) assert.match(t.image, new RegExp(`:${NEW}(@|$)`), `task ${t.name} runs ${t.image}`);
  assert.deepEqual(await versionsThroughNginx(), { [NEW]: 40 }, 'versions answering /whoami through nginx');
  // X-Served-By is replica/worker/pid, and a replaced task keeps its slot's name (api-3) and, in a fresh container,
  // often the same small pid: the version check above is what tells the releases apart. Here: every slot serves.
  const replicas = new Set(report.servedByAfter.map((s) => s.split('/')[0]));
  assert.equal(replicas.size, after.length, `replicas answering after the update: ${[...replicas].join(', ')}`);
});

test(`make swarm-deploy VERSION=${BROKEN} (never ready): Swarm rolls back by itself, old version keeps serving, 0 failed`, async () => {
  await makeOk('swarm-build', { VERSION: BROKEN, NEVER_READY: 'true' });
  const before = (await runningTasks()).map((t) => t.image).sort();
  const { value, report } = await underSteadyLoad('swarm update to a never-ready release (rolled back)', () => make('swarm-deploy', { VERSION: BROKEN }), { maxRunSec: 400 });
  recordFigure(report, 'rolled back by Swarm');
  assert.notEqual(value.code, 0, `make swarm-deploy of a never-ready release must fail:\n${value.output}`);
  assert.match(value.output, /rolled the update to .* back/, value.output);
  const status = await updateStatus();
  assert.equal(status.State, 'rollback_completed', JSON.stringify(status));
  assertNothingLost(report);
  assert.deepEqual((await runningTasks()).map((t) => t.image).sort(), before, 'images after the rollback');
  assert.deepEqual(await versionsThroughNginx(), { [NEW]: 40 }, 'versions answering /whoami through nginx');
});

test('make swarm-deploy VERSION=<a tag that does not exist>: a clear error, and nothing changes', async () => {
  const spec = await swarmDocker(['service', 'inspect', '-f', '{{.Version.Index}}', 'api'.replace(/^/, `${process.env.SWARM_NAME ?? 'scaleout-swarm'}_`)]);
  const r = await make('swarm-deploy', { VERSION: 'no-such-tag-0' });
  assert.notEqual(r.code, 0, r.output);
  assert.match(r.output, /no image .*:no-such-tag-0.*Nothing was changed/, r.output);
  const after = await swarmDocker(['service', 'inspect', '-f', '{{.Version.Index}}', `${process.env.SWARM_NAME ?? 'scaleout-swarm'}_api`]);
  assert.equal(after, spec, 'the service spec changed');
  const bad = await make('swarm-deploy', { VERSION: 'bad/tag' });
  assert.notEqual(bad.code, 0);
  assert.match(bad.output, /not a valid image tag/, bad.output);
});
