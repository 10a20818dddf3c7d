// A short `make compare` and `make compare-cluster`, through the same code (compare/src/runComparison.ts) against
// the real stack. It asserts orderings, never absolute numbers: the load generator shares 2 cores with everything
// it measures, so rates move from run to run while the orderings below hold with a wide margin.
//   - skewed (one small replica, heavy-tailed requests): least_conn's p99 is below round_robin's;
//   - 64 connections on a uniform route: round_robin and least_conn spread over replicas with Jain >= 0.98;
//   - one client under ip_hash lands on exactly one replica; many client ids under hash reach every replica;
//   - one replica with N workers serves /work faster than the same replica with 1 worker;
//   - one client connection to that replica: its workers share the requests more evenly with nginx's upstream
//     keep-alive off than on (Node's cluster deals out connections, not requests);
//   - every report exists, and the HTML holds each number the table printed;
//   - compare's k6 invocation (tools/lib/k6Compose.ts), with a stand-in for the k6 image, while the cluster
//     comparison's one-replica topology runs: that topology survives the k6 run, the report lands where compare
//     reads it, and the settings reach the container; as the image's own uid 12345 the run fails for want of a report.
// Online (GitHub's runners, the real k6 image) every comparison here runs k6; offline, the Node load runner.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { comparisonCells } from '../../tools/compare/src/formatComparison.js';
import { escapeHtml } from '../../tools/compare/src/htmlReport.js';
import { k6RunOf, runComparison, type ComparisonKind, type ComparisonResult } from '../../tools/compare/src/runComparison.js';
import { StackControl, type ApiSettings } from '../../tools/compare/src/stackControl.js';
import type { Variant } from '../../tools/compare/src/variants.js';
import { clusterVariants, connectionVariants, strategyVariants } from '../../tools/compare/src/variants.js';
import type { ScenarioOverrides } from '../../tools/loadrunner/src/index.js';
import { containersOf, inspect, projectName, stackComposeCommand, type ComposeConfig } from '../../tools/lib/docker.js';
import { HOST_REPORTS_DIR, runK6 } from '../../tools/lib/k6Compose.js';
import { topologyOf } from '../../tools/lib/liveWorkers.js';
import { repoRoot } from '../../tools/lib/repo.js';
import { baseUrl, liveWorkers, stackMode, switchStrategy } from '../lib/stack.js';

/** ~10 ms of CPU per request: the work dominates what nginx and the load generator spend on it. */
const HEAVY_WORK_PATH = '/work?n=10000000';

/** The stack, running a hook after a comparison's last variant and before it restores the api. */
class StackWithHookBeforeRestore extends StackControl {
  beforeRestore: (() => Promise<void>) | undefined;
  override async recreateApi(settings: ApiSettings): Promise<void> {
    const hook = Object.keys(settings).length === 0 ? this.beforeRestore : undefined;
    if (hook) {
      this.beforeRestore = undefined;
      await hook();
    }
    await super.recreateApi(settings);
  }
}

let stack: StackWithHookBeforeRestore;
let replicas: string[];

before(async () => {
  stack = new StackWithHookBeforeRestore({ compose: stackComposeCommand(), baseUrl, cwd: repoRoot, log: (line) => console.log(`# ${line}`) });
  replicas = [...new Set((await liveWorkers()).map((k) => k.split('/')[0]!))].sort();
  assert.ok(replicas.length >= 2, `need at least 2 replicas, Prometheus sees ${replicas.join(' ')}`);
});

after(async () => {
  await switchStrategy('round_robin');
});

async function compare(name: string, kind: ComparisonKind, scenario: string, variants: Parameters<typeof runComparison>[0]['variants'], overrides: ScenarioOverrides): Promise<ComparisonResult> {
  const result = await runComparison({
    kind,
    scenario,
    variants,
    overrides,
    baseUrl,
    // As make compare runs it: k6 online (each override reaches the script as the catalogue's variable), the Node
    // runner offline. The orderings are the stack's, so both must show them.
    mode: stackMode === 'online' ? 'online' : 'offline',
    stack,
    outDir: path.join(repoRoot, 'reports', `test-compare-${name}`),
    log: (line) => console.log(`# ${line}`),
  });
  console.log(result.text.split('\n').map((l) => `# ${l}`).join('\n'));
  // The report must exist and hold the numbers that were printed.
  for (const file of Object.values(result.files)) assert.ok(existsSync(file), `${file} was not written`);
  const html = readFileSync(result.files.html, 'utf8');
  for (const line of comparisonCells(result.rows).rows) {
    for (const cell of line) assert.ok(html.includes(escapeHtml(cell)), `report.html lacks "${cell}" (${line[0]})`);
  }
  for (const row of result.rows) assert.equal(row.failedRate, 0, `${row.variant}: ${(row.failedRate * 100).toFixed(2)}% failed`);
  return result;
}

const byVariant = (result: ComparisonResult, variant: string) => {
  const row = result.rows.find((r) => r.variant === variant);
  assert.ok(row, `no row for ${variant}`);
  return row;
};

test('64 connections, uniform requests: round_robin and least_conn spread over replicas with Jain >= 0.98', async () => {
  // Uniform means the same cost on every replica: GET /io?ms=50 waits and leaves the cores mostly idle. On a CPU-bound
  // route (scenario `distribution`) the 2 shared cores decide which replica answers first, and least_conn, which
  // follows the first to answer, measured replica Jain 0.962 at 32 connections and 0.975 at 64 on CI-class runs:
  // that is the scheduler's spread, not the strategy's. `make bench-compare` prints both, side by side.
  const result = await compare('fairness', 'strategies', 'uniform', strategyVariants(['round_robin', 'least_conn']), { vus: 64, durationSec: 6 });
  for (const row of result.rows) {
    assert.ok(row.replicaJain !== null && row.replicaJain >= 0.98, `${row.variant}: replica Jain ${row.replicaJain}`);
    assert.deepEqual(row.perReplica.filter((r) => r.requests > 0).map((r) => r.name), replicas, `${row.variant}: replicas that served`);
  }
});

test('skewed: least_conn has a lower p99 than round_robin', async () => {
  const result = await compare('skewed', 'strategies', 'skewed', strategyVariants(['round_robin', 'least_conn']), { durationSec: 10 });
  const rr = byVariant(result, 'round_robin');
  const lc = byVariant(result, 'least_conn');
  assert.ok(lc.p99Ms < rr.p99Ms, `least_conn p99 ${lc.p99Ms.toFixed(1)} ms is not below round_robin's ${rr.p99Ms.toFixed(1)} ms`);
  // round_robin gives the small replica its full share; least_conn gives it less.
  const slowShare = (r: typeof rr): number => r.perReplica.find((x) => x.name.startsWith('api-slow-'))?.share ?? 0;
  assert.ok(slowShare(lc) < slowShare(rr), `small replica's share: least_conn ${slowShare(lc)} vs round_robin ${slowShare(rr)}`);
});

test('ip_hash puts one client on exactly one replica; hash spreads many client ids over every replica', async () => {
  const single = await compare('single-client', 'strategies', 'single-client', strategyVariants(['ip_hash']), { durationSec: 4 });
  assert.equal(byVariant(single, 'ip_hash').perReplica.filter((r) => r.requests > 0).length, 1);
  const many = await compare('many-clients', 'strategies', 'many-clients', strategyVariants(['hash']), { durationSec: 4 });
  assert.deepEqual(byVariant(many, 'hash').perReplica.filter((r) => r.requests > 0).map((r) => r.name), replicas);
});

test('one replica: N workers serve /work faster than 1 worker (post 000), and the stack is restored after', async () => {
  const workers = 2;
  const variants = clusterVariants(workers).filter((v) => !v.name.includes('SCHED_NONE'));
  // 16 connections without post 000's 1 s sleep keep every worker busy. n = 10^7 rather than post 000's 10^6: at
  // ~1 ms of CPU per request, nginx and the load generator on the same 2 cores cost about as much as the work, and
  // the 2-worker gain through the stack fell to 1.01x in one bench run (make bench-compare prints both sizes).
  // While the last variant's topology (one replica, 2 workers) still runs: compare's k6 invocation, with the stand-in
  // (below). It costs a few seconds here, against a minute for a comparison of its own (two more api recreations).
  let k6Run: StandinRun | undefined;
  stack.beforeRestore = async () => void (k6Run = await runK6Standin(variants.at(-1)!, workers));
  const result = await compare('cluster', 'cluster', 'post000', variants, { vus: 16, durationSec: 6, sleepMs: 0, path: HEAVY_WORK_PATH });
  assertStandinRun(k6Run, workers);
  const one = byVariant(result, '1 worker');
  const many = byVariant(result, `${workers} workers, SCHED_RR`);
  assert.ok(many.throughputRps > one.throughputRps, `${workers} workers ${many.throughputRps.toFixed(1)} req/s vs 1 worker ${one.throughputRps.toFixed(1)} req/s`);
  assert.equal(many.perWorker.filter((w) => w.requests > 0).length, workers);
  // Back to the stack's own topology (every replica, every worker) for the tests after this one.
  await stack.waitForTopology((await liveWorkersEventually(replicas.length)).length);
});

test('one connection to one replica: the workers share it more evenly with upstream keep-alive off (connections, not requests)', async () => {
  const workers = 2;
  const result = await compare('connections', 'connections', 'distribution', connectionVariants(workers, [1]), { durationSec: 5 });
  const on = byVariant(result, '1 connection');
  const off = byVariant(result, '1 connection, upstream keep-alive off');
  // With keep-alive, nginx sends this client's requests down one reused upstream connection, which one worker owns
  // until nginx opens another (keepalive_requests); without it every request is a new connection, dealt in turn.
  // The counts list only workers that answered: when the one connection outlives the run (fewer requests than
  // keepalive_requests, as on a busy machine), the other worker got none, and max/min is unbounded, not 1.
  const maxMin = (r: typeof on): number | null => (r.perWorker.filter((w) => w.requests > 0).length < workers ? Infinity : r.workerMaxMin);
  assert.ok(maxMin(on) !== null && maxMin(off) !== null && maxMin(off)! < maxMin(on)!,
    `worker max/min: keep-alive off ${maxMin(off)} vs on ${maxMin(on)}`);
  assert.ok((off.busiestWorkerSecondShare ?? 1) < (on.busiestWorkerSecondShare ?? 0),
    `busiest worker's share per second: keep-alive off ${off.busiestWorkerSecondShare} vs on ${on.busiestWorkerSecondShare}`);
  // The stack's own nginx is back: its upstream keeps connections again (the app sees far fewer connections than requests).
  const snippet = await stack.compose(['exec', '-T', 'nginx', 'cat', '/etc/nginx/snippets/upstream-keepalive.conf']);
  assert.match(snippet, /^keepalive \d+;/m, 'nginx was not restored with upstream keep-alive');
  await stack.waitForTopology((await liveWorkersEventually(replicas.length)).length);
});

// ---- the k6 path, with a stand-in for the k6 image ------------------------------------------------------------
// THE STAND-IN IS A TEST DOUBLE FOR k6's FILE OUTPUT ONLY (tests/fixtures/k6-standin/): it sends no request and
// measures nothing. It has the official image's user (k6, uid 12345), workdir and entrypoint, and `k6 run` writes the
// report a real k6 v2.2.0 wrote for the script (tests/fixtures/k6/reports, unchanged) where handleSummary() would,
// plus a record of the arguments and environment it was given. What it tests is everything the host does around k6:
// compare's k6 invocation (k6RunOf, tools/lib/k6Compose.ts runK6) through the compose k6 service, --no-deps, the
// user, the report folder and the settings.
const K6_STANDIN_COMPOSE = 'tests/fixtures/k6-standin/compose.k6-standin.yaml';
const K6_STANDIN_IMAGE = 'scaleout-test/k6-standin:test-double';
const RECORDED_REPORTS = path.join(repoRoot, 'tests', 'fixtures', 'k6', 'reports');
const STANDIN_OUT_DIR = path.join(repoRoot, 'reports', 'test-compare-k6-standin');
const execFileAsync = promisify(execFile);

/** Builds the stand-in on the Node runtime the api image is built on (the stack's own compose config says which). */
async function buildK6Standin(): Promise<void> {
  const config = JSON.parse(await stack.compose(['config', '--format', 'json'])) as ComposeConfig;
  const runtime = config.services.api?.build?.args?.RUNTIME_IMAGE;
  assert.ok(runtime, 'compose config names no RUNTIME_IMAGE for the api build');
  // The classic builder, as tools/offline/build-images.sh: no buildx plugin needed, local base images found.
  await execFileAsync('docker', ['build', '--quiet', '-f', path.join(repoRoot, 'tests/fixtures/k6-standin/Dockerfile'), '--build-arg', `NODE_RUNTIME_IMAGE=${runtime}`,
    '-t', K6_STANDIN_IMAGE, path.join(repoRoot, 'tests/fixtures')], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, timeout: 180_000 });
}

interface ApiContainer { readonly name: string; readonly id: string; readonly startedAt: string; readonly workers: string }

async function apiContainers(): Promise<ApiContainer[]> {
  return Promise.all((await containersOf('api')).map(async (name) => {
    const info = await inspect(name);
    const workers = info.Config.Env?.find((e) => e.startsWith('WORKERS='))?.slice('WORKERS='.length) ?? '';
    return { name, id: info.Id, startedAt: info.State.StartedAt, workers };
  }));
}

interface StandinRun {
  readonly before: ApiContainer[];
  readonly after: ApiContainer[];
  readonly runId: string;
  readonly reportFile: string;
  readonly seconds: number;
}

/** compare's k6 invocation for `variant`, on the stand-in image, with the api containers before and after. */
async function runK6Standin(variant: Variant, workers: number): Promise<StandinRun> {
  const started = Date.now();
  await buildK6Standin();
  const before = await apiContainers();
  const topology = topologyOf(await stack.waitForTopology(workers));
  const runId = `standin-${Date.now()}`;
  const run = k6RunOf('02-post000-cluster', runId, STANDIN_OUT_DIR, variant, { vus: 300, durationSec: 6 }, topology);
  const { reportFile } = await runK6([...stack.composeArgv, '-f', path.join(repoRoot, K6_STANDIN_COMPOSE)], run, { thresholdsMayFail: true });
  return { before, after: await apiContainers(), runId, reportFile, seconds: (Date.now() - started) / 1000 };
}

function assertStandinRun(k6Run: StandinRun | undefined, workers: number): void {
  assert.ok(k6Run, 'the comparison never reached its restore: the stand-in k6 run did not happen');
  console.log(`# compare's k6 invocation with the stand-in image (build included) took ${k6Run.seconds.toFixed(1)} s`);
  // The topology the variant set (one replica, N workers) is the one the k6 run left: the same container, not
  // recreated. Without --no-deps, compose first brings k6's dependencies back to compose.yaml's defaults: three new
  // replicas (seen when --no-deps was taken out).
  assert.deepEqual(k6Run.before.map((c) => [c.name, c.workers]), [[`${projectName}-api-1`, String(workers)]], 'the variant set one replica');
  assert.deepEqual(k6Run.after, k6Run.before, 'the k6 run replaced or restarted api containers');
  // The report landed where compare reads it, unchanged, owned by whoever ran compare (k6 runs as the caller).
  const recorded = readFileSync(path.join(RECORDED_REPORTS, '02-post000-cluster-02-post000-cluster.json'));
  assert.equal(k6Run.reportFile, path.join(STANDIN_OUT_DIR, `02-post000-cluster-${k6Run.runId}.json`));
  assert.ok(readFileSync(k6Run.reportFile).equals(recorded), 'the report is not the recorded one');
  assert.equal(statSync(k6Run.reportFile).uid, process.getuid!(), 'the report is not owned by the caller');
  // The settings reached the container: the overrides as the catalogue's variables, the run id, the folder, the
  // strategy tag and the topology the variant set; and k6 ran as the caller, not as the image's uid 12345.
  const seen = JSON.parse(readFileSync(path.join(STANDIN_OUT_DIR, `k6-standin-${k6Run.runId}.json`), 'utf8')) as { argv: string[]; env: Record<string, string>; uid: number; gid: number };
  assert.deepEqual(seen.argv, ['run', '-o', 'experimental-prometheus-rw', '/k6/scripts/02-post000-cluster.js']);
  const { VUS, DURATION, RUN_ID, REPORT_DIR, STRATEGY, EXPECTED_REPLICAS, EXPECTED_WORKERS, BASE_URL } = seen.env;
  assert.deepEqual({ VUS, DURATION, RUN_ID, REPORT_DIR, STRATEGY, EXPECTED_REPLICAS, EXPECTED_WORKERS, BASE_URL }, {
    VUS: '300', DURATION: '6s', RUN_ID: k6Run.runId, REPORT_DIR: '/reports/test-compare-k6-standin', STRATEGY: 'round_robin',
    EXPECTED_REPLICAS: 'api-1', EXPECTED_WORKERS: String(workers), BASE_URL: 'http://nginx:8080',
  });
  assert.deepEqual([seen.uid, seen.gid], [process.getuid!(), process.getgid!()]);
}

test('negative control: as the image\'s own user (12345), k6 cannot write a folder the caller made, and the run fails', async () => {
  // What k6 did before it ran as the caller: "failed to handle the end-of-test summary ... permission denied", exit 0.
  // The folder is the caller's, mode 0755, as a Linux checkout's reports/ is.
  await buildK6Standin();
  const reportDir = path.join(HOST_REPORTS_DIR, 'test-compare-k6-standin-as-12345');
  const compose = [...stackComposeCommand(), '-f', path.join(repoRoot, K6_STANDIN_COMPOSE)];
  await assert.rejects(
    runK6(compose, { script: '01-smoke', runId: `neg-${Date.now()}`, reportDir, env: {} }, { user: '12345:12345' }),
    /exited 0 but wrote no report[\s\S]*failed to handle the end-of-test summary[\s\S]*permission denied/,
  );
});

/** Prometheus' view of the workers once the restored replicas are all scraped again. */
async function liveWorkersEventually(expectedReplicas: number, timeoutMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const workers = await liveWorkers();
    if (new Set(workers.map((k) => k.split('/')[0])).size >= expectedReplicas) return workers;
    if (Date.now() > deadline) throw new Error(`Prometheus sees ${workers.join(' ')} after the restore`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}
