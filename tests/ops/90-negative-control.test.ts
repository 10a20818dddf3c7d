// The negative control: the same harness, run against a deliberately naive operation, must see failures, or the
// zero-failure results of the other tests would prove nothing. The naive operation is what a "deploy" often is:
// `docker restart` of every api replica at once. Each container even drains gracefully (SIGTERM, pm2 drains),
// but with every replica stopping together nginx has nowhere to send requests: 502s and dropped POSTs.
// "At once" means one `docker restart` per replica, started together: `docker restart a b c` restarts them one
// after the other (the CLI waits for each), which is a crude rolling restart, and with the app's graceful drain
// it lost nothing when measured.
// Runs last: it leaves the replicas restarted (same containers) and the stack is brought down afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { underSteadyLoad } from '../lib/steadyLoad.js';
import { containersOf, docker } from '../../tools/lib/docker.js';
import { recordFigure } from './opsStack.js';

test('negative control: `docker restart` of all replicas at once loses requests under the same load', async () => {
  const replicas = await containersOf('api');
  assert.ok(replicas.length >= 2, `replicas: ${replicas.join(' ')}`);
  const { report } = await underSteadyLoad(`negative control: docker restart of all ${replicas.length} replicas at once`,
    () => Promise.all(replicas.map((replica) => docker(['restart', replica]))));
  recordFigure(report, 'must fail');
  assert.ok(report.failed > 0, `the harness saw no failure while every replica restarted at once: it cannot tell good from bad (${report.sent} sent)`);
  // Leave the stack serving for whatever runs next.
  for (let i = 0; i < 60 && (await docker(['inspect', '-f', '{{.State.Health.Status}}', ...replicas])).split('\n').filter(Boolean).some((s) => s !== 'healthy'); i++) await sleep(1_000);
});
