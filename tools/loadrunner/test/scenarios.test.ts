import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildScenario, findScenario, heavyTailWorkN, SCENARIOS, skewedPath, unitHash } from '../src/scenarios.js';
import { parseThreshold } from '../src/thresholds.js';
import type { IterationSpec, RequestSpec } from '../src/types.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../lib/repo.js';

/** The p(95) target (ms) the k6 script sets with withLatencyTarget(N): the runner must use the same. */
function k6LatencyTarget(script: string): number {
  const source = readFileSync(path.join(repoRoot, 'k6', 'scripts', script), 'utf8');
  const m = /withLatencyTarget\((\d+)\)/.exec(source);
  assert.ok(m, `no withLatencyTarget(...) in k6/scripts/${script}`);
  return Number(m[1]);
}

function steps(spec: IterationSpec | undefined): readonly RequestSpec[] {
  if (spec === undefined) return [];
  return 'sequence' in spec ? spec.sequence : [spec];
}

test("post000 mirrors k6/scripts/02-post000-cluster.js: 1000 VUs, 30 s, GET /work?n=1000000, sleep 1 s", () => {
  const s = buildScenario('post000');
  assert.deepEqual(s.scenario, { model: 'closed', vus: 1000, durationSec: 30, sleepMs: 1000 });
  assert.deepEqual(steps(s.requests[0]).map((r) => r.path), ['/work?n=1000000']);
  const p95 = k6LatencyTarget('02-post000-cluster.js');
  assert.deepEqual(s.thresholds, ['http_req_failed:rate<0.01', `http_req_duration:p(95)<${p95}`]);
});

test('smoke mirrors k6/scripts/01-smoke.js: 3 VUs, 10 s, every route, expected 400 and 404', () => {
  const s = buildScenario('smoke');
  assert.deepEqual(s.scenario, { model: 'closed', vus: 3, durationSec: 10, sleepMs: 0 });
  const sequence = steps(s.requests[0]);
  assert.deepEqual(
    sequence.map((r) => `${r.method ?? 'GET'} ${typeof r.path === 'string' ? r.path : r.path({ vu: 1, iteration: 0 })}`),
    ['GET /whoami', 'GET /', 'GET /work?n=100000', 'GET /io?ms=50', 'POST /echo', 'GET /work?n=not-a-number', 'GET /metrics'],
  );
  assert.deepEqual(sequence[5]?.expectedStatuses, [400]);
  assert.deepEqual(sequence[6]?.expectedStatuses, [404]);
  assert.equal(sequence[6]?.countServedBy, false);
});

test('scenarios are found by name or by the k6 script they mirror', () => {
  assert.equal(findScenario('02-post000-cluster')?.name, 'post000');
  assert.equal(findScenario('k6/scripts/01-smoke.js')?.name, 'smoke');
  assert.equal(findScenario('average')?.name, 'average');
  assert.equal(findScenario('03-nope'), undefined);
});

test('overrides apply to the model they fit, and are refused otherwise', () => {
  assert.deepEqual(buildScenario('post000', { vus: 50, durationSec: 5, sleepMs: 0 }).scenario, { model: 'closed', vus: 50, durationSec: 5, sleepMs: 0 });
  assert.deepEqual(buildScenario('average', { ratePerSec: 10, maxInFlight: 5 }).scenario, { model: 'open', ratePerSec: 10, durationSec: 60, maxInFlight: 5 });
  assert.throws(() => buildScenario('average', { vus: 5 }), /open model/);
  assert.throws(() => buildScenario('smoke', { ratePerSec: 5 }), /closed model/);
  assert.throws(() => buildScenario('nope'), /unknown scenario "nope"; known: smoke \(01-smoke\), post000 \(02-post000-cluster\), average \(03-average-load\), spike \(04-spike\), soak \(05-soak\), skewed \(06-skewed\), many-clients \(07-many-clients\), single-client \(08-single-client\), distribution \(09-distribution\), uniform \(10-uniform\)/);
  assert.deepEqual(steps(buildScenario('distribution', { path: '/whoami' }).requests[0]).map((r) => r.path), ['/whoami']);
});

test('every scenario threshold parses', () => {
  for (const s of Object.values(SCENARIOS)) for (const t of s.thresholds) assert.doesNotThrow(() => parseThreshold(t), `${s.name}: ${t}`);
});

test('heavy-tailed /work n stays within 1e3..1e6 with a heavy tail', () => {
  const ns: number[] = [];
  for (let vu = 1; vu <= 50; vu++) for (let iteration = 0; iteration < 200; iteration++) ns.push(heavyTailWorkN({ vu, iteration }));
  ns.sort((a, b) => a - b);
  const at = (p: number): number => ns[Math.floor(p * (ns.length - 1))] ?? 0;
  assert.ok(at(0) >= 1000 && at(1) <= 1_000_000, `range ${at(0)}..${at(1)}`);
  assert.ok(at(0.5) > 1000 && at(0.5) < 3000, `median ${at(0.5)}`);
  assert.ok(at(0.99) > 300_000, `p99 ${at(0.99)}`);
  assert.equal(heavyTailWorkN({ vu: 3, iteration: 7 }), heavyTailWorkN({ vu: 3, iteration: 7 }), 'deterministic');
  const u = unitHash(1, 1);
  assert.ok(u >= 0 && u < 1);
});

test('every scenario that mirrors a k6 script uses its p(95) target, and the script exists', () => {
  for (const s of Object.values(SCENARIOS)) {
    if (s.k6ScriptName === undefined) continue;
    const p95 = k6LatencyTarget(`${s.k6ScriptName}.js`);
    assert.ok(s.thresholds.includes(`http_req_duration:p(95)<${p95}`), `${s.name}: ${s.thresholds.join(', ')} vs the k6 script's ${p95}`);
  }
});

test('the skewed mix: about 1 in 5 an /io wait, the rest heavy-tailed /work, the same sequence every run', () => {
  let io = 0;
  for (let iteration = 0; iteration < 8000; iteration++) {
    const path = skewedPath({ vu: 1 + (iteration % 40), iteration });
    assert.equal(path, skewedPath({ vu: 99, iteration }), 'the VU does not matter: k6 and the runner number VUs differently');
    if (path.startsWith('/io')) io++;
    else assert.match(path, /^\/work\?n=\d+$/);
  }
  assert.ok(io > 8000 * 0.17 && io < 8000 * 0.23, `io share ${io / 8000}`);
  const header = steps(buildScenario('many-clients').requests[0])[0]?.headers;
  assert.equal(typeof header === 'function' ? header({ vu: 7, iteration: 0 })['x-client-id'] : undefined, 'vu-7');
});

test('an overridden scenario says what this run does; a default one keeps its description', () => {
  assert.equal(buildScenario('distribution').description, SCENARIOS.distribution!.description);
  assert.match(buildScenario('distribution', { vus: 1, durationSec: 5 }).description, /\[this run: 1 VU for 5 s, no sleep\]$/);
  assert.match(buildScenario('skewed', { ratePerSec: 300 }).description, /\[this run: 300 req\/s for 20 s\]$/);
});
