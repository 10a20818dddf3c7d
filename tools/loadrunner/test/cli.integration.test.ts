// The CLI as `make loadtest` runs it: a child process against a throwaway server, checking exit codes
// (k6's: 0, 99 thresholds failed, 104 invalid options, 108 setup aborted), stdout and the JSON/Markdown files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
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
      assert.match(run.stdout, /^ {3}✗ http_req_failed\.{16}: \d+\.\d\d% +✓ \d+ +✗ \d+$/m);
      assert.match(run.stdout, /^ {5}http_reqs\.{22}: \d+ +[\d.]+\/s$/m);
      assert.match(run.stdout, /^ {5}vus_max\.{24}: 8 +min=8 +max=8$/m);
      assert.match(
        run.stdout,
        /\n\nload distribution by X-Served-By \(run t1\)\nreplica\/worker \| requests \| share\napi-1\/0 {8}\| +\d+ \| \d+\.\d\d%\n/,
      );
      assert.match(run.stdout, /^jain_fairness: [01]\.\d{3}\nmax_min_ratio: \d+\.\d\d\nunattributed: 0\nper replica: api-1 \d+\.\d\d% {2}api-2 \d+\.\d\d%/m);
      assert.match(run.stderr, /thresholds on metrics 'http_req_failed' have been crossed/);
      const report = JSON.parse(await readFile(json, 'utf8')) as { requests: number; httpErrors: number; failedRate: number; thresholds: Array<{ ok: boolean }> };
      assert.equal(report.requests, server.totals.received, 'JSON requests vs server received');
      assert.equal(report.httpErrors, server.totals.failed);
      assert.equal(report.failedRate, server.totals.failed / server.totals.received);
      assert.match(run.stdout, new RegExp(`✓ ${server.totals.failed} +✗ ${server.totals.received - server.totals.failed}\n`));
      assert.deepEqual(report.thresholds.map((t) => t.ok), [false, true], 'http_req_failed crossed; the p95 target (1 ms fake) held');
      assert.match(await readFile(markdown, 'utf8'), /\| ✗ \| http_req_failed \| `rate<0\.01` \|/);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await server.close();
    }
  });

  test('a healthy run passes its thresholds and exits 0 (k6 script name as scenario, compact summary)', async () => {
    const server = await startFakeApiServer({ workers: ['api-1/0', 'api-2/0'], latencyMs: 1 });
    try {
      const run = await runCli([
        '--scenario', '02-post000-cluster', '--base-url', server.baseUrl, '--vus', '20', '--duration', '1s', '--sleep', '100ms',
        '--threshold', 'http_req_failed<0.01', '--threshold', 'http_req_duration:p(95)<2000', '--summary-mode', 'compact',
        '--expected-replicas', '2', '--expected-workers', '2',
      ]);
      assert.equal(run.code, 0, `exit code\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
      assert.match(run.stdout, /✓ 'rate<0\.01' rate=0\.00%/);
      assert.match(run.stdout, /✓ 'p\(95\)<2000' p\(95\)=/);
      assert.match(run.stdout, /^ {4}http_req_failed\.{16}: 0\.00% 0 out of \d+$/m);
      assert.match(run.stdout, /^ {4}vus_max\.{24}: 20 /m);
      // The expected topology lists the two workers that do not exist in the fake with 0.
      assert.match(run.stdout, /^api-1\/1 {8}\| +0 \| 0\.00%$/m);
      assert.match(run.stdout, /^max_min_ratio: inf$/m);
      assert.match(run.stderr, /script: k6\/scripts\/02-post000-cluster\.js/);
      assert.match(run.stderr, /^running \(0m01\.\ds\), 00\/20 VUs, \d+ complete and 0 interrupted iterations$/m);
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

  test('--k6-script names the k6 script a scenario mirrors (make loadtest online), and fails for one without', async () => {
    const skewed = await runCli(['--scenario', 'skewed', '--k6-script']);
    assert.equal(skewed.code, 0, skewed.stderr);
    assert.equal(skewed.stdout, '06-skewed\n');
    assert.equal((await runCli(['--scenario', '02-post000-cluster', '--k6-script'])).stdout, '02-post000-cluster\n');
    const unknown = await runCli(['--scenario', 'nope', '--k6-script']);
    assert.equal(unknown.code, 104);
    assert.match(unknown.stderr, /no definition/);
  });
});
