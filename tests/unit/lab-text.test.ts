// tests/lib/labText.ts, the reader of the workshop labs: what it takes from the Markdown, and that bad marks fail
// loudly with the file and line instead of being skipped (a lab whose checks are silently dropped would pass).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/lib/repo.js';
import { compareNumbers, countLines, numberFromOutput, parseCheck, parseLab, parsePath, resolvePath } from '../lib/labText.js';

const F = '```';
const lab = [
  '# 01 · A lab',
  'Prose with `make up` in it is not a step.',
  `${F}env fast`,
  'DURATION=5   # short',
  'VUS=16',
  'STRATEGIES="round_robin least_conn"',
  F,
  `${F}sh step`,
  'make compare-cluster',
  F,
  `${F}expect`,
  '# a comment',
  'report cluster rows[variant~SCHED_RR].throughputRps > report cluster rows[variant=1 worker].throughputRps',
  'output /healthy in (\\d+) s/ in 1..180   # seconds',
  'panel "Requests/s per worker"',
  F,
  `${F}sh`,
  'make help   # a plain sh block: shown, never run',
  F,
  `${F}sh manual`,
  'make swarm-up',
  F,
  `${F}sh cleanup`,
  'make down',
  F,
].join('\n');

test('steps, their checks, the fast path, manual and clean-up blocks are read; plain sh blocks are not steps', () => {
  const l = parseLab('x.md', lab);
  assert.equal(l.title, '01 · A lab');
  assert.deepEqual(l.fast, { DURATION: '5', VUS: '16', STRATEGIES: 'round_robin least_conn' });
  assert.equal(l.steps.length, 1);
  assert.equal(l.steps[0]!.commands, 'make compare-cluster');
  assert.equal(l.steps[0]!.line, 8);
  assert.deepEqual(l.steps[0]!.checks.map((c) => c.kind), ['compare', 'range', 'panel']);
  assert.deepEqual(l.manual, ['make swarm-up']);
  assert.deepEqual(l.cleanup, ['make down']);
});

test('each check form parses to what it says', () => {
  const c = parseCheck('report cluster rows[variant=2 workers, SCHED_RR].p99Ms <= 250.5');
  assert.equal(c.kind, 'compare');
  if (c.kind !== 'compare') return;
  assert.equal(c.op, '<=');
  assert.deepEqual(c.right, { kind: 'number', value: 250.5 });
  assert.deepEqual(c.left.kind === 'report' && c.left.path, [{ key: 'rows' }, { where: [{ field: 'variant', op: '=', value: '2 workers, SCHED_RR' }] }, { key: 'p99Ms' }]);
  assert.equal(parseCheck('output matches /rolled back/').kind, 'matches');
  assert.equal(parseCheck('output lacks /FAILED/').kind, 'lacks');
  const r = parseCheck('count /^ok / in 3..3');
  assert.ok(r.kind === 'range' && r.lo === 3 && r.hi === 3 && r.value.kind === 'count');
  assert.deepEqual(parsePath('results[0].cells[store~redis].share'), [{ key: 'results' }, { index: 0 }, { key: 'cells' }, { where: [{ field: 'store', op: '~', value: 'redis' }] }, { key: 'share' }]);
});

test('a malformed mark fails with the file and line, never silently', () => {
  assert.throws(() => parseLab('x.md', `# t\n${F}expect\noutput matches /x/\n${F}\n`), /x\.md:2: an expect block needs/);
  assert.throws(() => parseLab('x.md', `# t\n${F}sh step\nmake up\n${F}\n${F}expect\nthe replicas look fine\n${F}\n`), /x\.md:6: expected a value/);
  assert.throws(() => parseLab('x.md', `# t\n${F}sh step\nmake up\n${F}\n${F}expect\noutput /(\\d+)/ in 9..1\n${F}\n`), /empty range/);
  assert.throws(() => parseLab('x.md', `# t\n${F}sh step\nmake up\n${F}\n${F}expect\n1 < 2 extra\n${F}\n`), /unexpected "extra"/);
  assert.throws(() => parseLab('x.md', `# t\n${F}env fast\nduration = 5\n${F}\n${F}sh step\nmake up\n${F}\n`), /x\.md:3: fast path lines/);
  assert.throws(() => parseLab('x.md', 'no title\n'), /# title/);
  assert.throws(() => parseLab('x.md', '# t\nno steps\n'), /at least one/);
  assert.throws(() => parsePath('rows[variant]'), /bad selector/);
});

test('report paths resolve, and a miss says what was there', () => {
  const json = { rows: [{ variant: '1 worker', rps: 10 }, { variant: '2 workers, SCHED_RR', rps: 19 }] };
  assert.equal(resolvePath(json, parsePath('rows[variant~SCHED_RR].rps')), 19);
  assert.equal(resolvePath(json, parsePath('rows[0].rps')), 10);
  assert.throws(() => resolvePath(json, parsePath('rows[variant=3 workers].rps')), /have: 1 worker \| 2 workers, SCHED_RR/);
  const cells = { results: [{ store: 'memory', workers: 2, held: 1 }, { store: 'redis', workers: 1, held: 2 }, { store: 'redis', workers: 2, held: 3 }] };
  assert.equal(resolvePath(cells, parsePath('results[store=redis&workers=2].held')), 3);
  assert.throws(() => resolvePath(cells, parsePath('results[store=redis&workers=4].held')), /have: memory&2 \| redis&1 \| redis&2/);
  assert.throws(() => resolvePath(json, parsePath('rowz')), /no key "rowz" \(keys: rows\)/);
});

test('numbers from output, line counts and comparisons: each can fail', () => {
  assert.equal(numberFromOutput('healthy in 42 s', /healthy in (\d+) s/), 42);
  assert.equal(numberFromOutput('moved 1,234 ids', /moved ([\d,]+)/), 1234);
  assert.throws(() => numberFromOutput('nothing', /healthy in (\d+) s/), /no match/);
  assert.equal(countLines('ok a\nok b\nnot ok c', /^ok /), 2);
  assert.ok(compareNumbers(1, '<', 2) && !compareNumbers(2, '<', 2) && compareNumbers(2, '<=', 2) && !compareNumbers(1, '==', 2));
});

test('every lab in docs/labs/ parses, and every step-bearing lab checks something', () => {
  const dir = path.join(repoRoot, 'docs', 'labs');
  const files = readdirSync(dir).filter((f) => /^\d\d-.+\.md$/.test(f));
  assert.ok(files.length > 0);
  for (const f of files) {
    const l = parseLab(`docs/labs/${f}`, readFileSync(path.join(dir, f), 'utf8'));
    const checks = l.steps.reduce((n, s) => n + s.checks.length, 0);
    assert.ok(checks > 0, `docs/labs/${f} has no expect checks`);
  }
});
