// `kubectl rollout restart deployment/api` under a steady load through nginx: every request answered, and none
// had to be re-sent by nginx to another pod (the preStop delay kept the stopping pods serving until nginx forgot
// them). Then the negative control: the same restart with the preStop delay removed must show what it prevents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingLost, formatOperationReport, underSteadyLoad } from '../lib/steadyLoad.js';
import { kubectl, retriedByNginx, rolloutFinishes } from '../lib/kube.js';

const RATE = Number(process.env.K8S_LOAD_RATE ?? 60);

async function restartUnderLoad(what: string): Promise<{ failed: number; retried: number; line: string; report: Parameters<typeof assertNothingLost>[0] }> {
  const started = Date.now();
  const { report } = await underSteadyLoad(what, async () => {
    await kubectl(['rollout', 'restart', 'deployment/api']);
    assert.ok(await rolloutFinishes('api', 240), 'the rollout did not finish in 240 s');
  }, { ratePerSec: RATE, settleSec: 5, maxRunSec: 400 });
  const ids = new Set(report.records.map((r) => r.sentRequestId).filter((x): x is string => x !== undefined));
  const retried = await retriedByNginx(ids, (Date.now() - started) / 1000);
  return { failed: report.failed, retried, line: `${formatOperationReport(report)}; ${retried} re-sent by nginx to another pod`, report };
}

test('rollout restart under steady load: 0 failed, 0 re-sent by nginx', async () => {
  const { retried, line, report } = await restartUnderLoad('kubectl rollout restart deployment/api');
  console.log(line);
  assertNothingLost(report);
  assert.equal(retried, 0, `nginx re-sent ${retried} requests away from a pod that no longer served them`);
});

test('negative control: the same restart without the preStop delay shows failures or re-sent requests', async () => {
  // Remove the delay (itself a rollout, waited for without load), restart under load, then put the manifests back.
  await kubectl(['patch', 'deployment/api', '--type=json', '-p', '[{"op":"remove","path":"/spec/template/spec/containers/0/lifecycle"}]']);
  assert.ok(await rolloutFinishes('api', 240));
  try {
    const { failed, retried, line } = await restartUnderLoad('negative control: rollout restart without preStop');
    console.log(`${line} (must not be 0 and 0)`);
    assert.ok(failed + retried > 0, 'without the preStop delay nothing went wrong either: this test cannot tell the delay matters');
  } finally {
    await kubectl(['patch', 'deployment/api', '--type=json', '-p', '[{"op":"add","path":"/spec/template/spec/containers/0/lifecycle","value":{"preStop":{"sleep":{"seconds":15}}}}]']);
    assert.ok(await rolloutFinishes('api', 240));
  }
});
