// Scenario 5 (rate limiting): nginx's limit_req answers 429 (not 503) to the client that goes over its rate,
// and other clients are not touched.
//
// What this proves, and what it does not: the limit is keyed on the client address ($binary_remote_addr), so
// the abuser and the victim must come from different addresses. The abuser is a one-off container on the
// project's network (its own address); the victim is this test process on the host (nginx sees the bridge
// gateway's address). The production rate (5000 r/s, burst 10000) is more than one client on 2 shared cores can
// send, so nginx runs here with a test-only low rate (20 r/s, burst 20: tests/faults/nginx/05-rate-limit.conf,
// mounted by tests/faults/compose.rate-limit.yaml). It proves the mechanism (status, per-address keying,
// isolation between clients), not that 5000 r/s is the right number for your deployment.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { compose, containersOf, docker, inspect, projectName, stackComposeCommand } from '../../tools/lib/docker.js';
import { assertNothingLost, formatOperationReport, underSteadyLoad } from '../lib/steadyLoad.js';
import { recordFigure } from './figures.js';

const withTestRate = ['-f', 'tests/faults/compose.rate-limit.yaml'];
const recreateNginx = (extra: string[]): Promise<string> =>
  compose([...stackComposeCommand(), ...extra], ['up', '-d', '--no-deps', '--wait', '--force-recreate', 'nginx']);

after(async () => {
  await recreateNginx([]);
});

// The abuser: 8 s of GET /whoami as fast as 16 connections go, from inside the project network. Prints status counts.
const ABUSER_SCRIPT = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const end = Date.now() + 8000, counts = {};
const one = () => new Promise((resolve) => {
  const req = http.get({ host: 'nginx', port: 8080, path: '/whoami', agent }, (res) => {
    res.resume();
    res.on('end', () => { counts[res.statusCode] = (counts[res.statusCode] || 0) + 1; resolve(); });
  });
  req.on('error', (e) => { counts[e.code] = (counts[e.code] || 0) + 1; resolve(); });
});
const loop = async () => { while (Date.now() < end) await one(); };
Promise.all(Array.from({ length: 16 }, loop)).then(() => { console.log(JSON.stringify(counts)); agent.destroy(); });`;

test('rate limiting: the abuser gets 429 (not 503), a client at another address is not touched', async () => {
  await recreateNginx(withTestRate);
  const [api] = await containersOf('api');
  const image = (await inspect(api!)).Config.Image;
  let abuser: Record<string, number> = {};
  // The victim: the steady load at 10 req/s, half the test rate, from the host.
  const { report } = await underSteadyLoad('rate limit: abuser in a container, victim on the host', async () => {
    const out = await docker(['run', '--rm', '--network', `${projectName}_default`, '--entrypoint', 'node', image, '-e', ABUSER_SCRIPT], 60_000);
    abuser = JSON.parse(out.trim()) as Record<string, number>;
  }, { ratePerSec: 10 });
  console.log(formatOperationReport(report));
  const sent = Object.values(abuser).reduce((a, b) => a + b, 0);
  console.log(`# abuser (own address, 8 s flat out): ${sent} requests, statuses ${JSON.stringify(abuser)}; victim: ${report.sent} sent, ${report.failed} failed`);
  recordFigure({ scenario: 'rate limit (test rate 20 r/s): victim', report, recovery: `abuser got ${abuser['429'] ?? 0} x 429 of ${sent}` });

  assert.ok((abuser['429'] ?? 0) > sent / 2, `the abuser was not limited: ${JSON.stringify(abuser)}`);
  assert.equal(abuser['503'] ?? 0, 0, 'rejections must be 429, not 503');
  assertNothingLost(report);
});
