// Blue-green and canary under a steady load. make canary starts the green pool (another version) and gives it a
// share of the requests, make promote sends it everything, make switch flips all traffic to blue and back,
// make rollback returns to blue and retires green. Every step: 0 failed requests, and the versions answering
// through nginx afterwards are the ones asked for (the version is in /whoami and in api_build_info{version}).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { promQuery } from '../lib/stack.js';
import { assertNothingLost, underSteadyLoad } from '../lib/steadyLoad.js';
import { compose, containersOf, makeOk, stackComposeCommand, versionOf } from '../../tools/lib/docker.js';
import { recordFigure, versionsThroughNginx } from './opsStack.js';

const GREEN_VERSION = `${process.env.API_VERSION ?? 'dev'}-green`;
const CANARY_PCT = 25;
const SAMPLES = 200;
let blueVersion = '';

/** Runs a make target under the steady load, asserts nothing was lost, then samples the versions answering. */
async function step(operation: string, target: string, vars: Record<string, string> = {}): Promise<Record<string, number>> {
  const { report } = await underSteadyLoad(operation, () => makeOk(target, vars), { baselineSec: 3 });
  recordFigure(report);
  assertNothingLost(report);
  // Old nginx workers may still finish requests they took before the reload; new requests see the new split.
  await sleep(1_000);
  return versionsThroughNginx(SAMPLES);
}

test(`make canary PCT=${CANARY_PCT} VERSION=${GREEN_VERSION}: green starts, gets ~${CANARY_PCT} % of requests, 0 failed`, async () => {
  blueVersion = await versionOf((await containersOf('api'))[0]!);
  // Built before the load starts, so the operation measured is the release, not the image build.
  await compose(stackComposeCommand(), ['build', '--quiet', 'api'], { API_VERSION: GREEN_VERSION });
  const versions = await step(`make canary PCT=${CANARY_PCT} (starts green)`, 'canary', { PCT: String(CANARY_PCT), VERSION: GREEN_VERSION });
  assert.deepEqual(Object.keys(versions).sort(), [blueVersion, GREEN_VERSION].sort(), `versions answering: ${JSON.stringify(versions)}`);
  const greenShare = (100 * (versions[GREEN_VERSION] ?? 0)) / SAMPLES;
  // Binomial, n=200, p=0.25: sd 3.1 points; 12 points is almost 4 sd.
  assert.ok(Math.abs(greenShare - CANARY_PCT) <= 12, `green got ${greenShare} % of ${SAMPLES} requests, asked ${CANARY_PCT} %`);
  console.log(`# canary split: green ${greenShare.toFixed(1)} % of ${SAMPLES} /whoami requests (asked ${CANARY_PCT} %)`);
  // Grafana's "Versions" panel reads api_build_info: both versions must be there.
  const deadline = Date.now() + 20_000;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = (await promQuery('count by (version) (api_build_info{job="api"})')).map((s) => s.metric.version ?? '').sort();
    if (seen.includes(GREEN_VERSION) && seen.includes(blueVersion)) break;
    await sleep(1_000);
  }
  assert.deepEqual(seen, [blueVersion, GREEN_VERSION].sort(), 'versions in Prometheus (api_build_info)');
});

test('make promote: 100 % green, 0 failed', async () => {
  assert.deepEqual(await step('make promote (to 100 % green)', 'promote'), { [GREEN_VERSION]: SAMPLES });
});

test('make switch (green -> blue, then blue -> green): all traffic flips at once, 0 failed', async () => {
  assert.deepEqual(await step('make switch (green -> blue)', 'switch'), { [blueVersion]: SAMPLES });
  assert.deepEqual(await step('make switch (blue -> green)', 'switch'), { [GREEN_VERSION]: SAMPLES });
});

test('make rollback: 100 % blue, green drained and removed, 0 failed', async () => {
  assert.deepEqual(await step('make rollback (to blue, green removed)', 'rollback'), { [blueVersion]: SAMPLES });
  assert.deepEqual(await containersOf('api-green'), [], 'green containers left after the rollback');
});
