// Scenario 5 (rate limiting): nginx's limit_req answers 429 (not 503) to the client that goes over its rate, other
// clients are not touched, and a load generator on the host never meets it (nginx/conf.d/05-rate-limit.conf).
//
// The limit is keyed on the client address, except the addresses RATE_LIMIT_EXEMPT names: compose sets `gateway`,
// the address every client on the host arrives from (Docker's userland proxy or NAT). So the abuser is a one-off
// container on the project's network (its own address), and the host's loads are exempt. Three runs:
// 1. test rate (20 r/s, burst 20: tests/faults/nginx/05-rate-limit.conf, mounted by compose.rate-limit.yaml), the
//    default exemption: the abuser floods and gets 429s, while the host sends at full rate, far over 20 r/s, with no
//    429, and a steady load from the host loses nothing;
// 2. the negative control: the same test rate with RATE_LIMIT_EXEMPT empty: the host's full-rate load gets 429s, so
//    run 1's zero is the exemption's doing;
// 3. the production numbers (5000 r/s, burst 10000) as compose runs them: the host at full rate sees no 429.
// The production rate is more than a container on 2 shared cores can send, hence the test rate for the flood: the
// key, the exemption and the status are the production ones, only the numbers are lower.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { compose, containersOf, docker, inspect, projectName, stackComposeCommand } from '../../tools/lib/docker.js';
import { runLoad, type LoadResult } from '../../tools/loadrunner/src/index.js';
import { baseUrl } from '../lib/stack.js';
import { assertNothingLost, formatOperationReport, underSteadyLoad } from '../lib/steadyLoad.js';
import { recordFigure } from './figures.js';

const withTestRate = ['-f', 'tests/faults/compose.rate-limit.yaml'];
let nginxAsComposeRunsIt = true;
const recreateNginx = async (extra: string[], env: NodeJS.ProcessEnv = {}): Promise<void> => {
  nginxAsComposeRunsIt = extra.length === 0 && Object.keys(env).length === 0;
  await compose([...stackComposeCommand(), ...extra], ['up', '-d', '--no-deps', '--wait', '--force-recreate', 'nginx'], env);
};

after(async () => {
  if (!nginxAsComposeRunsIt) await recreateNginx([]);
});

/** The host at full rate: 32 connections of GET /whoami back to back (the Node load runner, closed model, no sleep). */
async function hostAtFullRate(durationSec: number): Promise<LoadResult> {
  return runLoad({
    baseUrl,
    scenario: { model: 'closed', vus: 32, durationSec, sleepMs: 0 },
    requests: [{ name: 'GET /whoami', method: 'GET', path: '/whoami' }],
    timeoutMs: 10_000,
  });
}
const count429 = (r: LoadResult): number => r.statusCounts['429'] ?? 0;
const describeRun = (r: LoadResult): string =>
  `${r.requests} requests in ${r.elapsedSec.toFixed(1)} s (${r.throughputRps.toFixed(0)}/s), statuses ${JSON.stringify(r.statusCounts)}`;

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

test('rate limiting (test rate 20 r/s): the abuser gets 429 (not 503); the host at full rate and a steady client are not touched', async () => {
  await recreateNginx(withTestRate);
  const [api] = await containersOf('api');
  const image = (await inspect(api!)).Config.Image;
  let abuser: Record<string, number> = {};
  let host: LoadResult | undefined;
  // The victim: the steady load at 10 req/s from the host, beside the host's full-rate load and the abuser.
  const { report } = await underSteadyLoad('rate limit: abuser in a container, the host at full rate', async () => {
    const flood = docker(['run', '--rm', '--network', `${projectName}_default`, '--entrypoint', 'node', image, '-e', ABUSER_SCRIPT], 60_000);
    [host] = await Promise.all([hostAtFullRate(8), flood.then((out) => { abuser = JSON.parse(out.trim()) as Record<string, number>; })]);
  }, { ratePerSec: 10 });
  console.log(formatOperationReport(report));
  const sent = Object.values(abuser).reduce((a, b) => a + b, 0);
  console.log(`# abuser (own address, 8 s flat out): ${sent} requests, statuses ${JSON.stringify(abuser)}`);
  console.log(`# host at full rate (exempt, RATE_LIMIT_EXEMPT=gateway): ${describeRun(host!)}; steady client: ${report.sent} sent, ${report.failed} failed`);
  recordFigure({ scenario: 'rate limit (test rate 20 r/s): victim', report, recovery: `abuser got ${abuser['429'] ?? 0} x 429 of ${sent}; host at full rate ${count429(host!)} x 429 of ${host!.requests}` });

  assert.ok((abuser['429'] ?? 0) > sent / 2, `the abuser was not limited: ${JSON.stringify(abuser)}`);
  assert.equal(abuser['503'] ?? 0, 0, 'rejections must be 429, not 503');
  // Far over what the limit lets one address through (20 r/s x 8 s + the burst of 20), so only the exemption explains 0.
  assert.ok(host!.requests > 10 * (20 * 8 + 20), `the host sent only ${host!.requests} requests: too few to show the exemption`);
  assert.equal(count429(host!), 0, `the host at full rate met the limit: ${describeRun(host!)}`);
  assert.equal(host!.failed, 0, `the host at full rate: ${describeRun(host!)}`);
  assertNothingLost(report);
});

test('negative control: with RATE_LIMIT_EXEMPT empty, the same test rate answers the host at full rate with 429s', async () => {
  await recreateNginx(withTestRate, { RATE_LIMIT_EXEMPT: '' });
  const host = await hostAtFullRate(4);
  console.log(`# host at full rate, no exemption (test rate): ${describeRun(host)}`);
  assert.ok(count429(host) > host.requests / 2, `without the exemption the host should be limited: ${describeRun(host)}`);
});

test('the production limit as compose runs it: the host at full rate sees no 429', async () => {
  await recreateNginx([]);
  const host = await hostAtFullRate(10);
  console.log(`# host at full rate, production limit (5000 r/s, burst 10000, RATE_LIMIT_EXEMPT=gateway): ${describeRun(host)}`);
  assert.equal(count429(host), 0, `the host met the production limit: ${describeRun(host)}`);
  assert.equal(host.failed, 0, describeRun(host));
});
