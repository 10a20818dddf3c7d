// make reload under a steady load: pm2's graceful reload, one replica and one worker at a time. Nothing may be
// lost, and every worker must come back with a new pid on the same replicas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingLost, underSteadyLoad } from '../lib/steadyLoad.js';
import { containersOf, makeOk } from '../../tools/lib/docker.js';
import { recordFigure, replicasIn } from './opsStack.js';

test('make reload: 0 failed requests, every worker has a new pid, same replicas', async () => {
  const containers = await containersOf('api');
  const { report } = await underSteadyLoad('make reload', () => makeOk('reload'));
  recordFigure(report, `${containers.length} replicas`);
  assertNothingLost(report);
  const before = new Set(report.servedByBefore);
  const stale = report.servedByAfter.filter((s) => before.has(s));
  assert.deepEqual(stale, [], `workers still answering with their old pid after the reload: ${stale.join(' ')}`);
  assert.deepEqual(replicasIn(report.servedByAfter), replicasIn(report.servedByBefore), 'the replicas serving after the reload');
});
