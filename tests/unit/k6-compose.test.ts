// How the host runs k6 (tools/lib/k6Compose.ts, tools/loadrunner/src/k6ComposeRun.ts): the compose arguments, the
// settings taken from make's environment, and the check that k6 really wrote its report. The compose command is
// replaced by a small Node script here, to test runK6's own decisions; tests/stack/40-compare runs the real compose
// k6 service with a stand-in image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { containerReportDir, HOST_REPORTS_DIR, k6ComposeArgs, k6ReportFiles, k6User, K6RunError, runK6 } from '../../tools/lib/k6Compose.js';
import { k6EnvFrom } from '../../tools/loadrunner/src/k6ComposeRun.js';

test('compose arguments: no dependency restarted, k6 as the caller, the report folder as the container sees it', () => {
  const dir = path.join(HOST_REPORTS_DIR, '20261207T120000Z-cluster');
  assert.deepEqual(k6ComposeArgs({ script: '02-post000-cluster', runId: 'r1', reportDir: dir, env: { VUS: '300', STRATEGY: undefined } }, '1000:1000'), [
    '--profile', 'loadtest', 'run', '--rm', '--no-deps', '--user', '1000:1000',
    '-e', 'RUN_ID=r1', '-e', 'REPORT_DIR=/reports/20261207T120000Z-cluster', '-e', 'VUS=300',
    'k6', 'run', '-o', 'experimental-prometheus-rw', '/k6/scripts/02-post000-cluster.js',
  ]);
  assert.deepEqual(k6ComposeArgs({ script: '01-smoke', runId: 'r2', reportDir: HOST_REPORTS_DIR, env: {}, k6Args: ['--out', 'json=/reports/s.gz'] }, '0:0').slice(-4), [
    'experimental-prometheus-rw', '--out', 'json=/reports/s.gz', '/k6/scripts/01-smoke.js',
  ]);
  assert.equal(containerReportDir(HOST_REPORTS_DIR), '/reports');
  assert.throws(() => containerReportDir('/tmp/elsewhere'), /only under .*reports/);
  assert.equal(k6ReportFiles({ script: '01-smoke', runId: 'x', reportDir: dir }).json, path.join(dir, '01-smoke-x.json'));
});

test('k6 runs as the caller unless K6_USER says otherwise; a malformed K6_USER is refused', () => {
  assert.equal(k6User({}), `${process.getuid!()}:${process.getgid!()}`);
  assert.equal(k6User({ K6_USER: '0:0' }), '0:0');
  assert.throws(() => k6User({ K6_USER: 'k6' }), /K6_USER must be uid or uid:gid/);
});

test('make loadtest\'s settings reach k6 under the catalogue\'s names, as given; misfits ignored, bad values refused before k6 starts', () => {
  // As given: the script reads them with the same parser (k6/lib/scenarios.js), a bare 10 being 10 s.
  assert.deepEqual(k6EnvFrom('02-post000-cluster', { DURATION: '10', VUS: '200', RATE: '50', EXPECTED_REPLICAS: 'api-1,api-2', EXPECTED_WORKERS: '2' }), {
    VUS: '200', DURATION: '10', EXPECTED_REPLICAS: 'api-1,api-2', EXPECTED_WORKERS: '2',
  });
  // An open-model script: VUS are its pre-allocated VUs, RATE its rate; CLIENTS is many-clients' VUS.
  assert.deepEqual(k6EnvFrom('06-skewed', { RATE: '50', DURATION: '5s' }), { RATE: '50', DURATION: '5s', EXPECTED_REPLICAS: undefined, EXPECTED_WORKERS: undefined });
  assert.equal(k6EnvFrom('07-many-clients', { CLIENTS: '12' }).VUS, '12');
  assert.throws(() => k6EnvFrom('02-post000-cluster', { DURATION: 'soon' }), /invalid duration/);
});

// A stand-in for `docker compose`: reads -e REPORT_DIR/RUN_ID and the script from its arguments, then does what
// FAKE_K6 says: write the report (as handleSummary does), write nothing, or exit with a code.
const FAKE_COMPOSE = `
const args = process.argv.slice(1);
const env = Object.fromEntries(args.flatMap((a, i) => args[i - 1] === '-e' ? [a.split(/=(.*)/s).slice(0, 2)] : []));
const script = args.at(-1).replace(/^.*\\//, '').replace(/\\.js$/, '');
const dir = env.REPORT_DIR.replace(/^\\/reports/, process.env.FAKE_HOST_REPORTS);
const [what, code] = process.env.FAKE_K6.split(':');
if (what === 'write') require('fs').writeFileSync(dir + '/' + script + '-' + env.RUN_ID + '.json', '{}');
if (what === 'nothing') console.error('ERRO failed to handle the end-of-test summary  error="open ...: permission denied"');
process.exit(Number(code ?? 0));
`;

test('runK6 fails when k6 exits 0 without writing its report, accepts 99 only when asked, and passes other exits on', async (t) => {
  const reportDir = path.join(HOST_REPORTS_DIR, `test-k6-compose-${process.pid}`);
  t.after(() => rmSync(reportDir, { recursive: true, force: true }));
  process.env.FAKE_HOST_REPORTS = HOST_REPORTS_DIR;
  const compose = [process.execPath, '-e', FAKE_COMPOSE, '--'];
  const run = (runId: string) => ({ script: '01-smoke', runId, reportDir, env: {} });
  const k6 = async (behaviour: string, runId: string, thresholdsMayFail = false) => {
    process.env.FAKE_K6 = behaviour;
    return runK6(compose, run(runId), { user: '1000:1000', thresholdsMayFail });
  };

  assert.equal((await k6('write:0', 'ok')).reportFile, path.join(reportDir, '01-smoke-ok.json'));
  await assert.rejects(k6('nothing:0', 'lost'), (err: K6RunError) => {
    assert.match(err.message, /exited 0 but wrote no report .*01-smoke-lost\.json/);
    assert.match(err.message, /failed to handle the end-of-test summary/, 'quotes what k6 said');
    assert.equal(err.exitCode, 1);
    return true;
  });
  // A report from an earlier run of the same id is not this run's.
  mkdirSync(reportDir, { recursive: true });
  writeFileSync(path.join(reportDir, '01-smoke-old.json'), '{}');
  utimesSync(path.join(reportDir, '01-smoke-old.json'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  await assert.rejects(k6('nothing:0', 'old'), /only an older one is there/);
  await assert.rejects(k6('write:99', 'crossed'), /exited 99/);
  assert.equal((await k6('write:99', 'crossed', true)).exitCode, 99);
  await assert.rejects(k6('nothing:107', 'broken', true), (err: K6RunError) => err.exitCode === 107 && /exited 107/.test(err.message));
});
