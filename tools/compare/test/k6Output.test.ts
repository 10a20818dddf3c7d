// Every reader of k6's output, fed what a real k6 (v2.2.0) wrote against this stack (tests/fixtures/k6/, its README
// says how each run was made), through the functions `make compare` calls online: readK6Run() (report, samples,
// exit code), rowFromK6Report(), and measureWithK6() itself with compose playing k6's part. Then bad input: files
// missing, cut short, of another shape or of another run, and exit codes that are no result.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildScenario } from '../../loadrunner/src/index.js';
import { rowFromK6Report, type ComparisonRow } from '../src/comparisonRow.js';
import { describeK6Exit } from '../../lib/k6Exit.js';
import { checkK6ExitAgainstReport, failedThresholds, parseK6Report, readK6Report, readK6Run, readServedBySamples } from '../src/k6Output.js';
import { recordedK6Run, recordedK6RunFiles, recordedK6Runs, type RecordedK6Run } from '../src/recordedK6Runs.js';
import { measureWithK6 } from '../src/runComparison.js';
import { strategyVariants } from '../src/variants.js';
import { HOST_REPORTS_DIR } from '../../lib/k6Compose.js';

const made: string[] = [];
const tmp = async (): Promise<string> => {
  made.push(await mkdtemp(path.join(os.tmpdir(), 'k6-output-')));
  return made.at(-1)!;
};
after(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));
const post000 = recordedK6Run('02-post000-cluster');
const collapsed = recordedK6Run('neg-collapsed-ip_hash');

/** A k6 duration as its summary prints it (`195.03ms`, `3.12s`, `999.04µs`), in ms. */
function printedMs(text: string): number {
  const m = /^([\d.]+)(µs|ms|s)$/.exec(text);
  assert.ok(m, `not a k6 duration: ${text}`);
  return Number(m[1]) * { µs: 0.001, ms: 1, s: 1000 }[m[2] as 'µs' | 'ms' | 's'];
}

/** What k6 printed at the end of a run (the scripts' summary, k6/lib/summary.js): request count, med, p95, per-worker split. */
async function printedSummary(run: RecordedK6Run) {
  const text = await readFile(run.files.stdout, 'utf8');
  const duration = /^\s*(?:✓ |✗ )?http_req_duration\.+: (.*)$/m.exec(text)?.[1] ?? '';
  const stat = (name: string): number => printedMs(new RegExp(`${name.replace(/[()]/g, '\\$&')}=(\\S+)`).exec(duration)?.[1] ?? 'missing');
  const block = text.slice(text.indexOf('replica/worker | requests | share'), text.indexOf('jain_fairness:'));
  const perWorker = block.split('\n').slice(1).filter(Boolean).map((line) => {
    const [name, requests] = line.split('|').map((c) => c.trim());
    return { name: name!, requests: Number(requests) };
  });
  return { requests: Number(/^\s*http_reqs\.+: (\d+)/m.exec(text)?.[1]), medMs: stat('med'), p95Ms: stat('p(95)'), perWorker };
}

/** k6 prints 2 decimals of the unit it picks, cut rather than rounded (1.4286 ms: 1.42ms). */
const close = (a: number, b: number): boolean => Math.abs(a - b) <= 0.01 * b + 0.01;

const withSamples = recordedK6Runs().filter((r) => r.files.samples !== undefined);

test('the fixtures: every run of runs.txt has its report and what k6 printed; all but the negative one have samples', () => {
  assert.equal(recordedK6Runs().length, 12);
  assert.deepEqual(recordedK6Runs().filter((r) => r.files.samples === undefined).map((r) => r.name), ['neg-collapsed-ip_hash']);
});

for (const run of withSamples) {
  test(`recorded k6 run ${run.name} (exit ${run.exitCode}): a row with no null field, with what k6 printed`, async () => {
    const read = await readK6Run(recordedK6RunFiles(run), { code: run.exitCode });
    const row = rowFromK6Report('as recorded', run.script, read.report, read.busiestWorkerSecondShare);
    for (const [field, value] of Object.entries(row)) assert.notEqual(value, null, `${field} is null`);
    assert.ok(row.perWorker.length > 0 && row.perReplica.length > 0);
    const printed = await printedSummary(run);
    assert.deepEqual(row.perWorker.map((w) => ({ name: w.name, requests: w.requests })), printed.perWorker);
    assert.equal(row.requests, printed.requests);
    assert.ok(close(row.p50Ms, printed.medMs), `p50 ${row.p50Ms} ms, k6 printed med=${printed.medMs} ms`);
    assert.ok(close(row.p95Ms, printed.p95Ms), `p95 ${row.p95Ms} ms, k6 printed p(95)=${printed.p95Ms} ms`);
    const share = row.busiestWorkerSecondShare!;
    assert.ok(share >= 1 / row.perWorker.length && share <= 1, `busiest worker per second ${share}`);
    assert.equal(read.exit, describeK6Exit(0));
    assert.deepEqual(read.failedThresholds, []);
  });
}

test("post 000's busiest worker per second, from k6's served_by samples: near even over 6 workers; 1 when each second goes to one worker", async () => {
  const even = await readServedBySamples(recordedK6RunFiles(post000).samples);
  // 6 workers at 1/6 each: round_robin over 3 replicas, SCHED_RR inside each; the busiest of a second a little over.
  assert.ok(even.busiestWorkerSecondShare! > 1 / 6 && even.busiestWorkerSecondShare! < 0.25, `busiest ${even.busiestWorkerSecondShare}`);
  assert.equal(even.servedBy, 19058);

  // Negative control: the same samples with every response of a second moved to one worker (a different one each
  // second), as one connection recycled per second would give: each second's busiest share is then 1.
  const lines = gunzipSync(await readFile(recordedK6RunFiles(post000).samples)).toString('utf8').split('\n');
  const workers = ['api-1/0', 'api-2/1', 'api-3/0'];
  const isServedBy = (line: string): boolean => line.includes('"metric":"served_by","type":"Point"');
  const timeOf = (line: string): number => Date.parse((JSON.parse(line) as { data: { time: string } }).data.time);
  const t0 = timeOf(lines.find(isServedBy)!); // seconds count from the first response, as readServedBySamples() counts them
  const oneAtATime = lines.map((line) => {
    if (!isServedBy(line)) return line;
    const o = JSON.parse(line) as { data: { time: string; tags: Record<string, string> } };
    const [replica, worker] = workers[Math.floor((Date.parse(o.data.time) - t0) / 1000) % workers.length]!.split('/');
    return JSON.stringify({ ...o, data: { ...o.data, tags: { ...o.data.tags, served_by_replica: replica, served_by_worker: worker } } });
  });
  const dir = await tmp();
  await writeFile(path.join(dir, 'one-at-a-time.ndjson'), oneAtATime.join('\n'));
  const skewed = await readServedBySamples(path.join(dir, 'one-at-a-time.ndjson'));
  assert.equal(skewed.busiestWorkerSecondShare, 1);
  assert.equal(skewed.servedBy, even.servedBy);
});

test('thresholds and exit 99: the collapsed run (ip_hash, one client) fails exactly the served_by thresholds k6 named', async () => {
  assert.equal(collapsed.exitCode, 99);
  const report = await readK6Report(collapsed.files.report);
  checkK6ExitAgainstReport(99, report, collapsed.files.report);
  const stderr = await readFile(collapsed.files.stderr, 'utf8');
  const named = /thresholds on metrics '([^']+)' have been crossed/.exec(stderr)?.[1]?.split(/, (?=served_by)/) ?? [];
  assert.equal(named.length, 4, stderr);
  assert.deepEqual(failedThresholds(report).sort(), named.map((m) => `${m} count>0`).sort());
  assert.match(describeK6Exit(99), /^99 ThresholdsHaveFailed/);

  // Two replicas served nothing: the row says so (max/min inf, not n/a; JSON had written Infinity as null).
  const row: ComparisonRow = rowFromK6Report('ip_hash', 'post000', report, null);
  assert.equal(row.workerMaxMin, Infinity);
  assert.equal(row.replicaMaxMin, Infinity);
  assert.deepEqual(row.perReplica.map((r) => [r.name, r.requests]), [['api-1', 0], ['api-2', 800], ['api-3', 0]]);
  assert.ok(Math.abs(row.workerJain! - 1 / 3) < 0.001);
});

test('an exit code that disagrees with the report means the report is not this run\'s', async () => {
  const passed = await readK6Report(post000.files.report);
  const failed = await readK6Report(collapsed.files.report);
  assert.throws(() => checkK6ExitAgainstReport(99, passed, post000.files.report), /exited 99 ThresholdsHaveFailed.*lists no failed threshold/);
  assert.throws(() => checkK6ExitAgainstReport(0, failed, collapsed.files.report), /exited 0 OK.*lists failed thresholds \(served_by\{/);
  await assert.rejects(readK6Run(recordedK6RunFiles(post000), { code: 99 }), /not this run's/);
});

test('k6 exit codes by name; an exit that is no result fails the run and says what k6 said', async () => {
  assert.match(describeK6Exit(107), /^107 ScriptException \(the script threw an exception\)/);
  assert.match(describeK6Exit(108), /^108 ScriptAborted/);
  assert.match(describeK6Exit(104), /^104 InvalidConfig/);
  assert.match(describeK6Exit(1), /^1 \(not one of k6's exit codes/);
  // Even with a good report on disk: the exit code comes first.
  await assert.rejects(readK6Run(recordedK6RunFiles(post000), { code: 107, output: 'Command failed\nReferenceError: x is not defined' }), (err: Error) => {
    assert.match(err.message, /k6 exited 107 ScriptException/);
    assert.match(err.message, /ReferenceError: x is not defined/);
    return true;
  });
  await assert.rejects(readK6Run(recordedK6RunFiles(post000), { code: 108 }), /k6 exited 108 ScriptAborted/);
});

test('bad input, the report: missing, cut short or of another shape names the file and what was expected, and gives no row', async () => {
  const dir = await tmp();
  const text = await readFile(post000.files.report, 'utf8');
  const expected = /expected the JSON that k6\/lib\/distribution\.js distributionSummary\(\) writes/;
  const files = { samples: recordedK6RunFiles(post000).samples };

  const missing = path.join(dir, 'missing.json');
  await assert.rejects(readK6Run({ ...files, report: missing }, { code: 0 }), (e: Error) => e.message.includes(`k6 report ${missing} is missing`) && expected.test(e.message));

  const cut = path.join(dir, 'cut.json');
  await writeFile(cut, text.slice(0, Math.floor(text.length / 2)));
  await assert.rejects(readK6Run({ ...files, report: cut }, { code: 0 }), (e: Error) => e.message.includes(`k6 report ${cut} is not complete JSON`) && expected.test(e.message));

  const noP99 = JSON.parse(text) as { k6: { metrics: { http_req_duration: { values: Record<string, number> } } } };
  delete noP99.k6.metrics.http_req_duration.values['p(99)'];
  assert.throws(() => parseK6Report(JSON.stringify(noP99), 'r.json'), /k6 report r\.json is of an unknown shape: \/k6\/metrics\/http_req_duration\/values must have required property 'p\(99\)'/);
  // k6's own --summary-export file is not the scripts' report: another shape, named as such.
  const summaryExport = JSON.stringify({ metrics: { http_reqs: { count: 10, rate: 1 } }, root_group: {} });
  assert.throws(() => parseK6Report(summaryExport, 'export.json'), /export\.json is of an unknown shape: \(the top level\) must have required property 'script'/);
  assert.throws(() => parseK6Report('[]', 'a.json'), /unknown shape: \(the top level\) must be object/);
});

test('bad input, the samples: missing, cut short, not k6\'s, another run\'s or incomplete names the file and fails', async () => {
  const dir = await tmp();
  const report = post000.files.report;
  const gz = await readFile(recordedK6RunFiles(post000).samples);
  const expected = /expected k6's `--out json` output/;

  const missing = path.join(dir, 'missing.ndjson.gz');
  await assert.rejects(readK6Run({ report, samples: missing }, { code: 0 }), (e: Error) => e.message.includes(`k6 samples ${missing} is missing`) && expected.test(e.message));

  const cutGz = path.join(dir, 'cut.ndjson.gz');
  await writeFile(cutGz, gz.subarray(0, Math.floor(gz.length / 2)));
  await assert.rejects(readServedBySamples(cutGz), (e: Error) => e.message.includes(`k6 samples ${cutGz} is not a complete gzip file`));

  const plain = gunzipSync(gz).toString('utf8');
  const cutPlain = path.join(dir, 'cut.ndjson');
  const cutAt = plain.indexOf('"metric":"served_by","type":"Point"', plain.length / 2) + 20;
  await writeFile(cutPlain, plain.slice(0, cutAt));
  await assert.rejects(readServedBySamples(cutPlain), /k6 samples .*cut\.ndjson line \d+ is not JSON/);

  const notK6 = path.join(dir, 'not-k6.ndjson');
  await writeFile(notK6, '{"level":"info","msg":"hello"}\n');
  await assert.rejects(readServedBySamples(notK6), /line 1 is not a k6 Metric or Point/);
  const empty = path.join(dir, 'empty.ndjson');
  await writeFile(empty, '');
  await assert.rejects(readServedBySamples(empty), /is empty/);

  // Another run's samples (01-smoke's, next to post 000's report).
  await assert.rejects(readK6Run({ report, samples: recordedK6RunFiles(recordedK6Run('01-smoke')).samples }, { code: 0 }), /are of run\(s\) \["01-smoke"\], its report .* of run "02-post000-cluster"/);

  // This run's samples with one worker's responses missing: the two outputs disagree, per worker.
  const lessApi2 = path.join(dir, 'less.ndjson');
  await writeFile(lessApi2, plain.split('\n').filter((l) => !(l.includes('"served_by_replica":"api-2","served_by_worker":"1"'))).join('\n'));
  await assert.rejects(readK6Run({ report, samples: lessApi2 }, { code: 0 }), /hold 15888 attributed responses, its report .* counted 19058 \(api-2\/1 0 vs 3170\): one of them is incomplete/);
});

// compose plays k6's part: a small program in compose's place (the stack's compose command), which writes the recorded
// run's files where k6's command line says, as k6 in its container would, and exits with the code it is given.
const FAKE_COMPOSE = `
const fs = require('node:fs'), path = require('node:path');
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_CALLS, JSON.stringify(args) + '\\n');
const env = new Map(args.flatMap((a, i) => (args[i - 1] === '-e' ? [[a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]] : [])));
const onHost = (p) => path.join(process.env.FAKE_REPORTS_ROOT, path.relative('/reports', p));
const out = args[args.indexOf('--out') + 1].replace(/^json=/, '');
fs.copyFileSync(process.env.FAKE_REPORT, onHost(env.get('REPORT_DIR') + '/02-post000-cluster-' + env.get('RUN_ID') + '.json'));
fs.copyFileSync(process.env.FAKE_SAMPLES, onHost(out));
const code = Number(process.env.FAKE_EXIT);
if (code !== 0) console.error('k6 exited ' + code);
process.exit(code);
`;

test('measureWithK6: the report and samples are read from where the k6 command line told k6 to write them', async (t) => {
  // Under the repo's reports/, the one folder compose mounts into k6's container (tools/lib/k6Compose.ts).
  const outDir = path.join(HOST_REPORTS_DIR, `test-k6output-${process.pid}`);
  await mkdir(outDir, { recursive: true });
  t.after(() => rm(outDir, { recursive: true, force: true }));
  const dir = await tmp();
  const fake = path.join(dir, 'compose.cjs');
  await writeFile(fake, FAKE_COMPOSE);
  const calls = path.join(dir, 'calls.ndjson');
  Object.assign(process.env, { FAKE_CALLS: calls, FAKE_REPORTS_ROOT: HOST_REPORTS_DIR, FAKE_REPORT: post000.files.report, FAKE_SAMPLES: recordedK6RunFiles(post000).samples });
  const stack = { composeArgv: [process.execPath, fake] };
  const [variant] = strategyVariants(['round_robin']);
  const definition = buildScenario('post000');
  const log: string[] = [];
  const measure = (exit: number, stamp: string): ReturnType<typeof measureWithK6> => {
    process.env.FAKE_EXIT = String(exit);
    return measureWithK6({ stack, outDir, log: (l) => log.push(l) }, definition, variant!, stamp);
  };
  const { row, raw } = await measure(0, '20261207T121700Z');
  const [args] = (await readFile(calls, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as string[]);
  assert.ok(args!.includes('--no-deps') && args!.includes(`json=/reports/${path.basename(outDir)}/02-post000-cluster-20261207T121700Z-round-robin.ndjson.gz`), JSON.stringify(args));
  assert.equal(raw.runId, '02-post000-cluster');
  assert.equal(row.source, 'k6');
  assert.equal(row.requests, 19059);
  assert.ok(row.busiestWorkerSecondShare !== null);
  assert.equal(log.length, 0, log.join('\n'));

  await assert.rejects(measure(108, '20261207T121701Z'), /exited 108 ScriptAborted.*\n.*k6 exited 108/s);
  // Exit 99 with a report whose thresholds all passed: caught, not a row.
  await assert.rejects(measure(99, '20261207T121702Z'), /not this run's/);
});

