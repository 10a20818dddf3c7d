// A broken release (an image built with NEVER_READY=true: workers serve, /readyz stays 503) must stall the rollout
// with the old pods still serving everything, and `kubectl rollout undo` must bring the cluster back, all under a
// steady load with 0 failed. The workflow builds and loads scaleout/api:broken before this runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingLost, formatOperationReport, underSteadyLoad } from '../lib/steadyLoad.js';
import { apiPods, kubectl, rolloutFinishes } from '../lib/kube.js';

const BROKEN_IMAGE = process.env.K8S_BROKEN_IMAGE ?? 'scaleout/api:broken';

test('a never-ready release stalls with the old pods serving, then rollout undo restores it: 0 failed', async () => {
  const before = (await apiPods()).filter((p) => p.ready).map((p) => p.name).sort();
  let stalled = false;
  let during: Awaited<ReturnType<typeof apiPods>> = [];
  const { report } = await underSteadyLoad('broken release, then kubectl rollout undo', async () => {
    await kubectl(['set', 'image', 'deployment/api', `api=${BROKEN_IMAGE}`]);
    // progressDeadlineSeconds (120) runs out: rollout status gives up with ProgressDeadlineExceeded.
    stalled = !(await rolloutFinishes('api', 150));
    during = await apiPods();
    await kubectl(['rollout', 'undo', 'deployment/api']);
    assert.ok(await rolloutFinishes('api', 240), 'rollout undo did not finish');
  }, { ratePerSec: 40, settleSec: 5, maxRunSec: 500 });
  console.log(formatOperationReport(report));
  assert.ok(stalled, 'the rollout of a never-ready image finished: readiness does not gate it');
  const broken = during.filter((p) => p.image.endsWith(BROKEN_IMAGE.split('/').pop()!));
  assert.ok(broken.length >= 1 && broken.every((p) => !p.ready), `broken pods: ${JSON.stringify(broken)}`);
  const oldStillServing = during.filter((p) => before.includes(p.name) && p.ready).map((p) => p.name).sort();
  assert.deepEqual(oldStillServing, before, 'maxUnavailable 0: every old pod must still be serving while the release is stuck');
  const servedBy = new Set(report.records.filter((r) => r.sentAtMs <= report.operationEndMs).map((r) => r.servedBy?.split('/')[0]));
  for (const p of broken) assert.ok(!servedBy.has(p.name), `${p.name} (never ready) got requests`);
  assertNothingLost(report);
  const after = await apiPods();
  assert.ok(after.every((p) => !p.image.endsWith(BROKEN_IMAGE.split('/').pop()!) || p.deleting), `broken pods left after undo: ${JSON.stringify(after)}`);
});
