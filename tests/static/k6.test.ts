// The k6 scripts, run the way k6 parses them, without k6 (it is not packaged for Debian or npm, so it can't run on
// machines like our CI): each script is imported as an ES module with k6's modules and globals provided by small
// fakes (tests/lib/k6Harness.ts), and an import from the network fails the load. Each script must export the
// catalogue scenario it names (k6/lib/scenarios.js) as k6 options, stop in setup() when the target is down, send
// exactly the catalogue's requests with its checks and think time, and format its summary from k6's data.
// The GitHub workflow runs them for real with the official k6 image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SCENARIOS, type Scenario } from '../../k6/lib/scenarios.js';
import { healthyResponse, loadK6Script, runIteration, runSetup } from '../lib/k6Harness.js';
import { repoRoot } from '../../tools/lib/repo.js';

const scriptsDir = path.join(repoRoot, 'k6', 'scripts');
const scripts = (await readdir(scriptsDir)).filter((f) => f.endsWith('.js')).sort();
const BASE_URL = 'http://stack.test:8080';

test('the k6 lessons are numbered 01..NN without gaps, one per catalogue scenario', () => {
  scripts.forEach((file, i) => assert.match(file, new RegExp(`^${String(i + 1).padStart(2, '0')}-[a-z0-9-]+\\.js$`)));
  assert.deepEqual(scripts.map((f) => f.replace(/\.js$/, '')), Object.values(SCENARIOS).map((s) => s.script).sort());
});

test('an import from the network fails the load, as it would fail k6 on an air-gapped machine', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'k6-net-'));
  try {
    const file = path.join(dir, 'net.js');
    await writeFile(file, "import { textSummary } from 'https://jslib.k6.io/k6-summary/0.1.0/index.js';\nexport default function () { textSummary(); }\n");
    await assert.rejects(loadK6Script(file), /network import refused: https:\/\/jslib\.k6\.io/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const ITERATIONS = [[1, 0], [1, 1], [2, 0], [7, 41]] as const;

for (const scenario of Object.values(SCENARIOS) as Scenario[]) {
  const file = path.join(scriptsDir, `${scenario.script}.js`);

  test(`k6/scripts/${scenario.script}.js: options are the catalogue's ${scenario.name} scenario`, async () => {
    const script = await loadK6Script(file, { BASE_URL, RUN_ID: 'r1', STRATEGY: 'least_conn' });
    const k6 = script.options.scenarios[scenario.name];
    assert.ok(k6, `options.scenarios.${scenario.name}: ${JSON.stringify(script.options.scenarios)}`);
    assert.equal(Object.keys(script.options.scenarios).length, 1);
    const { sleep: _sleep, ...shape } = scenario.shape as Scenario['shape'] & { sleep?: number };
    for (const [key, value] of Object.entries(shape)) assert.deepEqual(k6[key], value, `${key}`);
    for (const [metric, expressions] of Object.entries(scenario.thresholds)) assert.deepEqual(script.options.thresholds[metric], expressions, metric);
    // One sub-metric per replica/worker pair of the default 8 x 4 grid, none of them able to fail without a topology.
    const grid = Object.entries(script.options.thresholds).filter(([m]) => m.startsWith('served_by{'));
    assert.equal(grid.length, 32);
    assert.ok(grid.every(([, e]) => e[0] === 'count>=0'));
    assert.equal(script.options.discardResponseBodies, scenario.discardResponseBodies);
    assert.deepEqual(script.options.tags, { testid: 'r1', strategy: 'least_conn' });
    assert.equal(typeof script.handleSummary, 'function');
  });

  test(`k6/scripts/${scenario.script}.js: each iteration sends the catalogue's requests, runs its checks, sleeps its think time`, async () => {
    const script = await loadK6Script(file, { BASE_URL });
    for (const [vu, iteration] of ITERATIONS) {
      const sent = runIteration(script, vu, iteration);
      const planned = scenario.plan({ vu, iteration });
      assert.deepEqual(
        sent.requests.map((r) => ({ method: r.method, url: r.url, headers: r.headers, body: r.body, name: r.tags['name'], expected: r.expectedStatuses })),
        planned.map((p) => ({ method: p.method, url: `${BASE_URL}${p.path}`, headers: p.headers ?? {}, body: p.body ?? null, name: p.name, expected: p.expectedStatuses })),
        `vu ${vu}, iteration ${iteration}`,
      );
      assert.deepEqual(sent.checks.map((c) => c.name), planned.flatMap((p) => Object.keys(p.checks ?? {})));
      assert.deepEqual(sent.checks.filter((c) => !c.ok), [], 'every check passes against a healthy stack');
      assert.deepEqual(sent.sleeps, scenario.shape.executor === 'constant-vus' && scenario.shape.sleep > 0 ? [scenario.shape.sleep] : []);
    }
    // Checks can fail: a 500 everywhere fails them.
    const broken = runIteration(script, 1, 0, (r) => ({ ...healthyResponse(r), status: 500 }));
    assert.ok(broken.checks.some((c) => !c.ok), JSON.stringify(broken.checks));
  });

  test(`k6/scripts/${scenario.script}.js: setup() passes on a healthy target and aborts when /healthz fails`, async () => {
    const script = await loadK6Script(file, { BASE_URL });
    assert.doesNotThrow(() => runSetup(script, healthyResponse));
    assert.throws(() => runSetup(script, () => ({ status: 503, headers: {}, body: null })), /test aborted: target is not up: GET http:\/\/stack\.test:8080\/healthz failed 10 times \(last: HTTP 503\)/);
  });
}

test('overrides from the environment, as `k6 run -e` gives them, and a clear error for a bad one', async () => {
  const average = await loadK6Script(path.join(scriptsDir, '03-average-load.js'), { RATE: '7', DURATION: '5s', MAX_VUS: '9', VUS: '3' });
  assert.deepEqual(average.options.scenarios['average'], { executor: 'constant-arrival-rate', rate: 7, timeUnit: '1s', duration: '5s', preAllocatedVUs: 3, maxVUs: 9 });
  const clients = await loadK6Script(path.join(scriptsDir, '07-many-clients.js'), { CLIENTS: '5', RATE: '99' });
  assert.equal(clients.options.scenarios['many-clients']?.['vus'], 5, 'CLIENTS is the VUs; RATE does not fit a closed model and is ignored');
  const spike = await loadK6Script(path.join(scriptsDir, '04-spike.js'), { RATE: '100', BASE_RATE: '5' });
  assert.deepEqual((spike.options.scenarios['spike']?.['stages'] as Array<{ target: number }>).map((s) => s.target), [5, 100, 100, 5, 5]);
  assert.equal(spike.options.scenarios['spike']?.['startRate'], 5);
  await assert.rejects(loadK6Script(path.join(scriptsDir, '02-post000-cluster.js'), { VUS: 'many' }), /vus must be an integer >= 1 \(got "many"\)/);
});

test('post000 asserts the spread when the topology is given: a count>0 threshold per replica/worker, no latency target', async () => {
  const script = await loadK6Script(path.join(scriptsDir, '02-post000-cluster.js'), { EXPECTED_REPLICAS: '3', EXPECTED_WORKERS: '2' });
  const grid = Object.entries(script.options.thresholds).filter(([m]) => m.startsWith('served_by{'));
  assert.deepEqual(grid.map(([m]) => m).sort(), ['api-1', 'api-2', 'api-3'].flatMap((r) => ['0', '1'].map((w) => `served_by{served_by_replica:${r},served_by_worker:${w}}`)).sort());
  assert.ok(grid.every(([, e]) => e[0] === 'count>0'));
  assert.equal(script.options.thresholds['http_req_duration'], undefined);
  assert.deepEqual(script.options.thresholds['http_req_failed'], ['rate<0.01']);
});

test("handleSummary(): k6/lib's summary on stdout and the two report files, from k6's data", async () => {
  const script = await loadK6Script(path.join(scriptsDir, '09-distribution.js'), { RUN_ID: 'r9', REPORT_DIR: '/reports', EXPECTED_REPLICAS: '1', EXPECTED_WORKERS: '2' });
  const counter = (count: number) => ({ type: 'counter', contains: 'default', values: { count, rate: count / 10 } });
  const data = {
    metrics: {
      http_reqs: counter(30),
      http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0, passes: 0, fails: 30 }, thresholds: { 'rate<0.01': { ok: true } } },
      served_by: counter(30),
      'served_by{served_by_replica:api-1,served_by_worker:0}': counter(20),
      'served_by{served_by_replica:api-1,served_by_worker:1}': counter(10),
    },
    root_group: { name: '', path: '', id: '', groups: [], checks: [{ name: '/: 200', path: '::/: 200', id: '', passes: 30, fails: 0 }] },
    options: { summaryTrendStats: ['avg'], summaryTimeUnit: '', noColor: false },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 10000 },
  };
  const out = script.handleSummary!(data);
  assert.deepEqual(Object.keys(out).sort(), ['/reports/09-distribution-r9.json', '/reports/09-distribution-r9.md', 'stdout']);
  assert.equal(
    out['stdout'],
    [
      '     ✓ /: 200',
      '',
      '   ✓ http_req_failed...: 0.00% ✓ 0 ✗ 30',
      '     http_reqs.........: 30    3/s',
      '     served_by.........: 30    3/s',
      '',
      'load distribution by X-Served-By (run r9)',
      'replica/worker | requests | share',
      'api-1/0        |       20 | 66.67%',
      'api-1/1        |       10 | 33.33%',
      'jain_fairness: 0.900',
      'max_min_ratio: 2.00',
      'unattributed: 0',
      'per replica: api-1 100.00% (jain_fairness 1.000, max_min_ratio 1.00)',
      '',
    ].join('\n'),
  );
  assert.match(out['/reports/09-distribution-r9.md'] ?? '', /^# k6 run r9: 09-distribution\n\n- scenario: distribution \(k6\/scripts\/09-distribution\.js\): 32 VUs for 20s, no sleep\./);
});

// What k6 2.0 removed (release notes v2.0.0, checked for 2.1-2.3 too: no further breaking changes), so a copy of
// these scripts or of the k6 service fails at start on the pinned grafana/k6:2.x. k6/README.md ("k6 2.x") lists it.
const REMOVED_IN_K6_2 = [
  { what: 'the --no-summary flag (use --summary-mode=disabled)', pattern: /--no-summary\b/ },
  { what: '--summary-mode=legacy', pattern: /summary-mode[= ]legacy|summaryMode:\s*['"]legacy/ },
  { what: 'the externally-controlled executor', pattern: /externally-controlled/ },
  { what: 'options.ext.loadimpact (use options.cloud)', pattern: /loadimpact\s*:/ },
  { what: 'the k6/experimental/redis module', pattern: /k6\/experimental\/redis/ },
  { what: 'k6 login / pause / resume / scale / status', pattern: /\bk6 (?:login|pause|resume|scale|status)\b/ },
  { what: 'K6_OTEL_EXPORTER_TYPE, K6_BINARY_PROVISIONING, K6_ENABLE_COMMUNITY_EXTENSIONS', pattern: /K6_(?:OTEL_EXPORTER_TYPE|BINARY_PROVISIONING|ENABLE_COMMUNITY_EXTENSIONS)\b/ },
];

test('nothing k6 2.x removed is used by the scripts, k6/lib, the k6 service, the Makefile or the workflows', async () => {
  const files = [
    ...scripts.map((f) => path.join('k6', 'scripts', f)),
    ...(await readdir(path.join(repoRoot, 'k6', 'lib'))).filter((f) => f.endsWith('.js')).map((f) => path.join('k6', 'lib', f)),
    'compose.yaml', 'Makefile',
    ...(await readdir(path.join(repoRoot, '.github', 'workflows'))).map((f) => path.join('.github', 'workflows', f)),
  ];
  const found: string[] = [];
  for (const file of files) {
    // Comments may name what was removed (to say so); only code and config count.
    const text = (await readFile(path.join(repoRoot, file), 'utf8')).split('\n').filter((l) => !/^\s*(?:\/\/|#|\*)/.test(l)).join('\n');
    for (const { what, pattern } of REMOVED_IN_K6_2) if (pattern.test(text)) found.push(`${file}: ${what}`);
  }
  assert.deepEqual(found, []);
});
