// The CLI as `make loadtest` runs it: a child process against a throwaway server, checking exit codes
// (k6's: 0, 99 thresholds failed, 104 invalid options, 108 setup aborted), stdout and the JSON/Markdown files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tallyGrid } from '../../../k6/lib/fairness.js';
import { formatSummaryText } from '../../../k6/lib/summary.js';
import { startFakeApiServer } from '../testing/fakeApiServer.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Async spawn: the fake server lives in this process, so the event loop must keep running. */
function runCli(args: readonly string[], timeoutMs = 10_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BASE_URL: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// The tests are independent (one server each), so they run side by side to keep the suite short.
describe('the CLI as a child process', { concurrency: true }, () => {
  test('10% errors: summary shows ✗, exit code 99, JSON and Markdown match the server', async () => {
    const server = await startFakeApiServer({ workers: ['api-1/0', 'api-1/1', 'api-2/0', 'api-2/1'], latencyMs: 1, failEvery: 10 });
    const dir = await mkdtemp(join(tmpdir(), 'loadrunner-cli-'));
    try {
      const json = join(dir, 'out.json');
      const markdown = join(dir, 'out.md');
      const run = await runCli([
        '--scenario', 'distribution', '--base-url', server.baseUrl, '--vus', '8', '--duration', '1s',
        '--json', json, '--markdown', markdown, '--quiet', '--run-id', 't1',
      ]);
      assert.equal(run.code, 99, `exit code\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
      // The fake fails every 10th request it receives, so the rate is floor(n/10)/n: just under 10% (exact check below).
      assert.match(run.stdout, /^ {3}✗ http_req_failed\.+: \d+\.\d\d% +✓ \d+ +✗ \d+$/m);
      assert.match(run.stdout, /^ {3}✗ checks\.+: \d+\.\d\d% +✓ \d+ +✗ \d+$/m);
      assert.match(run.stdout, /^ {5}✗ \/: 200\n {7}↳ {2}\d+% — ✓ \d+ \/ ✗ \d+$/m);
      assert.match(run.stdout, /^ {5}http_reqs\.+: \d+ +[\d.]+\/s$/m);
      assert.match(run.stdout, /^ {5}vus_max\.+: 8 +min=8 +max=8$/m);
      assert.doesNotMatch(run.stdout, /served_by\{/, 'the per-worker sub-metrics are in the table, not the metric list');
      assert.match(
        run.stdout,
        /\n\nload distribution by X-Served-By \(run t1\)\nreplica\/worker \| requests \| share\napi-1\/0 {8}\| +\d+ \| \d+\.\d\d%\n/,
      );
      assert.match(run.stdout, /^jain_fairness: [01]\.\d{3}\nmax_min_ratio: \d+\.\d\d\nunattributed: 0\nper replica: api-1 \d+\.\d\d% {2}api-2 \d+\.\d\d%/m);
      // (On a busy machine the p95 target may be crossed too: only the two error thresholds are certain.)
      assert.match(run.stderr, /thresholds on metrics 'http_req_failed', 'checks'/);
      const report = JSON.parse(await readFile(json, 'utf8')) as { requests: number; httpErrors: number; failedRate: number; thresholds: Array<{ metric: string; ok: boolean }> };
      assert.equal(report.requests, server.totals.received, 'JSON requests vs server received');
      assert.equal(report.httpErrors, server.totals.failed);
      assert.equal(report.failedRate, server.totals.failed / server.totals.received);
      assert.match(run.stdout, new RegExp(`✓ ${server.totals.failed} +✗ ${server.totals.received - server.totals.failed}\n`));
      const own = report.thresholds.filter((t) => !t.metric.startsWith('served_by{'));
      assert.deepEqual(own.map((t) => [t.metric, t.ok]).slice(0, 2), [['http_req_failed', false], ['checks', false]]);
      assert.deepEqual(own.map((t) => `${t.metric}:${(t as unknown as { source: string }).source}`), ['http_req_failed:rate<0.01', 'checks:rate>0.99', 'http_req_duration:p(95)<500']);
      assert.match(await readFile(markdown, 'utf8'), /^- FAIL `http_req_failed`: `rate<0\.01`$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await server.close();
    }
  });

  test('stdout is byte for byte what k6/lib/summary.js formats from the run\'s summary data', async () => {
    const server = await startFakeApiServer({ workers: ['api-1/0', 'api-2/0'], latencyMs: 1, failEvery: 7 });
    const dir = await mkdtemp(join(tmpdir(), 'loadrunner-cli-'));
    try {
      const json = join(dir, 'out.json');
      const run = await runCli(['--scenario', 'smoke', '--base-url', server.baseUrl, '--vus', '2', '--duration', '1s', '--json', json, '--quiet', '--run-id', 'same']);
      assert.equal(run.code, 99, run.stderr);
      const { summaryData } = JSON.parse(await readFile(json, 'utf8')) as { summaryData: unknown };
      assert.equal(run.stdout, formatSummaryText(summaryData, { runId: 'same', grid: tallyGrid() }));
    } finally {
      await rm(dir, { recursive: true, force: true });
      await server.close();
    }
  });

  test('a healthy run passes its thresholds and exits 0 (k6 script name as scenario, the topology given)', async () => {
    const server = await startFakeApiServer({ workers: ['api-1/0', 'api-1/1', 'api-2/0', 'api-2/1'], latencyMs: 1 });
    try {
      const run = await runCli([
        '--scenario', '02-post000-cluster', '--base-url', server.baseUrl, '--vus', '20', '--duration', '1s', '--sleep', '100ms',
        '--expected-replicas', '2', '--expected-workers', '2',
      ]);
      assert.equal(run.code, 0, `exit code\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
      assert.match(run.stdout, /^ {3}✓ http_req_failed\.+: 0\.00% +✓ 0 +✗ \d+$/m);
      assert.match(run.stdout, /^ {3}✓ checks\.+: 100\.00% /m);
      // No latency target for post 000: its duration carries no ✓/✗.
      assert.match(run.stdout, /^ {5}http_req_duration\.+: avg=/m);
      assert.match(run.stdout, /^api-2\/1 {8}\| +\d+ \| \d+\.\d\d%$/m);
      assert.match(run.stderr, /script: k6\/scripts\/02-post000-cluster\.js/);
      // 1 s of load; a busy machine may stretch the wall time by a few seconds.
      assert.match(run.stderr, /^running \(0m0\d\.\ds\), 00\/20 VUs, \d+ complete and 0 interrupted iterations$/m);
    } finally {
      await server.close();
    }
  });

  // The negative cases of post 000's thresholds (issue 11): a broken stack must fail `make loadtest` (exit 99).
  test('post000 fails when the spread collapses: an expected worker that serves nothing (exit 99)', async () => {
    // 2 replicas x 2 workers expected, but only two of them answer: as if a worker, or a replica, were gone.
    const server = await startFakeApiServer({ workers: ['api-1/0', 'api-2/0'], latencyMs: 1 });
    try {
      const run = await runCli([
        '--scenario', 'post000', '--base-url', server.baseUrl, '--vus', '20', '--duration', '1s', '--sleep', '100ms', '--quiet',
        '--expected-replicas', '2', '--expected-workers', '2',
      ]);
      assert.equal(run.code, 99, `exit code\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
      assert.match(run.stdout, /^api-1\/1 {8}\| +0 \| 0\.00%$/m);
      assert.match(run.stdout, /^ {3}✓ http_req_failed/m, 'no request failed: only the spread fails the run');
      assert.match(run.stderr, /thresholds on metrics 'served_by\{served_by_replica:api-1,served_by_worker:1\}', 'served_by\{served_by_replica:api-2,served_by_worker:1\}' have been crossed/);
    } finally {
      await server.close();
    }
  });

  test('post000 fails when a backend answers 503 (exit 99)', async () => {
    const server = await startFakeApiServer({ workers: ['api-1/0', 'api-1/1'], latencyMs: 1, failEvery: 4, failStatus: 503 });
    try {
      const run = await runCli(['--scenario', 'post000', '--base-url', server.baseUrl, '--vus', '20', '--duration', '1s', '--sleep', '100ms', '--quiet']);
      assert.equal(run.code, 99, `exit code\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
      assert.match(run.stdout, /^ {3}✗ http_req_failed\.+: 2\d\.\d\d% /m);
      assert.match(run.stderr, /thresholds on metrics 'http_req_failed', 'checks' have been crossed/);
    } finally {
      await server.close();
    }
  });

  test('a non-loopback base URL is refused with exit code 104', async () => {
    const run = await runCli(['--scenario', 'smoke', '--base-url', 'http://203.0.113.7:8080']);
    assert.equal(run.code, 104, run.stderr);
    assert.match(run.stderr, /refused: refusing to send load to 203\.0\.113\.7:8080: only loopback targets are allowed/);
    assert.equal(run.stdout, '');
  });

  test('setup: /healthz not answering stops the run with exit code 108', async () => {
    const run = await runCli(['--scenario', 'smoke', '--base-url', 'http://127.0.0.1:9']);
    assert.equal(run.code, 108, run.stderr);
    assert.match(run.stderr, /setup: target is not up: GET http:\/\/127\.0\.0\.1:9\/healthz answered ECONNREFUSED, expected 2xx/);
  });

  test('invalid options exit 104 and say what is wrong', async () => {
    const run = await runCli(['--scenario', 'average', '--vus', '5']);
    assert.equal(run.code, 104);
    assert.match(run.stderr, /open model/);
    const bad = await runCli(['--threshold', 'p(95)<', '--base-url', 'http://127.0.0.1:9']);
    assert.equal(bad.code, 104);
    assert.match(bad.stderr, /invalid threshold/);
  });

  test('--k6-script names the k6 script of a scenario (make loadtest online), and fails for an unknown one', async () => {
    const skewed = await runCli(['--scenario', 'skewed', '--k6-script']);
    assert.equal(skewed.code, 0, skewed.stderr);
    assert.equal(skewed.stdout, '06-skewed\n');
    assert.equal((await runCli(['--scenario', '02-post000-cluster', '--k6-script'])).stdout, '02-post000-cluster\n');
    const unknown = await runCli(['--scenario', 'nope', '--k6-script']);
    assert.equal(unknown.code, 104);
    assert.match(unknown.stderr, /no definition/);
  });
});
