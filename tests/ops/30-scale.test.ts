// make scale under a steady load: up (new replicas take traffic once ready) and down (removed replicas are
// drained first). nginx and Prometheus must both follow the new membership.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prometheusUrl } from '../lib/stack.js';
import { assertNothingLost, underSteadyLoad } from '../lib/steadyLoad.js';
import { containersOf, makeOk } from '../../tools/lib/docker.js';
import { recordFigure, replicasIn } from './opsStack.js';

/** Blue api targets Prometheus scrapes successfully now (discovered from the DNS name "api", not "api-green"). */
async function blueTargetsUp(): Promise<number> {
  const res = await fetch(`${prometheusUrl}/api/v1/targets?state=active`);
  const body = (await res.json()) as { data: { activeTargets: Array<{ labels: { job: string }; discoveredLabels: Record<string, string>; health: string }> } };
  return body.data.activeTargets.filter((t) => t.labels.job === 'api' && t.discoveredLabels.__meta_dns_name === 'api' && t.health === 'up').length;
}

for (const [from, to] of [[3, 5], [5, 3]] as const) {
  test(`make scale N=${to} (from ${from}): 0 failed requests, nginx and Prometheus see ${to} replicas`, async () => {
    assert.equal((await containersOf('api')).length, from, 'replicas before');
    const { report } = await underSteadyLoad(`make scale N=${to} (from ${from})`, () => makeOk('scale', { N: String(to) }));
    recordFigure(report);
    assertNothingLost(report);
    const containers = await containersOf('api');
    assert.equal(containers.length, to, `containers after: ${containers.join(' ')}`);
    // nginx: the replicas answering after the operation are exactly the running ones.
    const expected = containers.map((c) => c.replace(/^.*?-(api-\d+)$/, '$1'));
    assert.deepEqual(replicasIn(report.servedByAfter), expected, 'replicas nginx sent requests to after the scale');
    // Prometheus: its target list follows Docker's DNS (dns_sd_configs, refresh 5 s).
    assert.equal(await blueTargetsUp(), to, 'api targets up in Prometheus');
  });
}
