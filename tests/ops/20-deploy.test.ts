// make deploy under a steady load: a rolling replacement by a new image, then a broken release (workers never
// ready) that must be rolled back without replacing a single healthy worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingLost, underSteadyLoad } from '../lib/steadyLoad.js';
import { compose, containersOf, make, makeOk, stackComposeCommand, versionOf } from '../../tools/lib/docker.js';
import { recordFigure, replicasIn, versionsThroughNginx } from './opsStack.js';

const NEW_VERSION = `${process.env.API_VERSION ?? 'dev'}-v2`;
const BROKEN_VERSION = `${process.env.API_VERSION ?? 'dev'}-broken`;

test(`make deploy VERSION=${NEW_VERSION}: 0 failed requests, every replica replaced, one at a time`, async () => {
  // Built before the load starts, so the operation measured is the rollout, not the image build.
  await compose(stackComposeCommand(), ['build', '--quiet', 'api'], { API_VERSION: NEW_VERSION });
  const old = await containersOf('api');
  const { value, report } = await underSteadyLoad(`make deploy (${old.length} replicas)`, () => makeOk('deploy', { VERSION: NEW_VERSION }));
  recordFigure(report);
  assertNothingLost(report);
  const now = await containersOf('api');
  assert.equal(now.length, old.length, 'replica count after the deploy');
  assert.deepEqual(now.filter((c) => old.includes(c)), [], `old containers left: ${value.output}`);
  for (const c of now) assert.equal(await versionOf(c), NEW_VERSION, `version of ${c}`);
  assert.deepEqual(await versionsThroughNginx(), { [NEW_VERSION]: 60 }, 'versions answering /whoami through nginx');
  const oldReplicas = new Set(replicasIn(report.servedByBefore));
  assert.deepEqual(replicasIn(report.servedByAfter).filter((r) => oldReplicas.has(r)), [], 'old replicas still serving after the deploy');
  // One at a time: the rollout adds one and removes one per step, logged by the script.
  assert.equal((value.output.match(/drained and removed/g) ?? []).length, old.length, value.output);
});

test(`make deploy VERSION=${BROKEN_VERSION} (never ready): rolled back automatically, 0 failed requests, nothing replaced`, async () => {
  await makeOk('build-broken', { VERSION: BROKEN_VERSION });
  const before = await containersOf('api');
  const versionBefore = await versionOf(before[0]!);
  // The gate waits READY_TIMEOUT_SEC for /readyz (30 s by default); 15 s is plenty for a good worker here.
  const { value, report } = await underSteadyLoad('make deploy (broken release, rolled back)',
    () => make('deploy', { VERSION: BROKEN_VERSION }, { READY_TIMEOUT_SEC: '15' }));
  recordFigure(report);
  assert.notEqual(value.code, 0, `make deploy of a never-ready release must fail:\n${value.output}`);
  assert.match(value.output, /ROLLBACK: .* never became ready/, value.output);
  assert.match(value.output, /rolled back: every replica still runs/, value.output);
  assertNothingLost(report);
  assert.deepEqual(await containersOf('api'), before, 'the healthy replicas must be the very same containers');
  assert.deepEqual(await versionsThroughNginx(), { [versionBefore]: 60 }, 'versions answering /whoami through nginx');
});
