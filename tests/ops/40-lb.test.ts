// make lb under a steady load: the strategy switch is an nginx reload; it must drop nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingLost, underSteadyLoad } from '../lib/steadyLoad.js';
import { compose, makeOk, stackComposeCommand } from '../../tools/lib/docker.js';
import { recordFigure } from './opsStack.js';

for (const strategy of ['least_conn', 'round_robin']) {
  test(`make lb LB=${strategy}: 0 failed requests, strategy active`, async () => {
    const { report } = await underSteadyLoad(`make lb LB=${strategy}`, () => makeOk('lb', { LB: strategy }), { baselineSec: 3 });
    recordFigure(report);
    assertNothingLost(report);
    const active = await compose(stackComposeCommand(), ['exec', '-T', 'nginx', 'switch-lb-strategy', '--show']);
    assert.equal(active.trim(), strategy);
  });
}
