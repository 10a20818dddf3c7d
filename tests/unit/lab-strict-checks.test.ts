// The labs' checks that used to pass whatever happened (issue 23): lab 05's "every replica still runs v2" (checked as
// "lacks /broken/", so a rollback to dev passed) and "healthy in N s in 0..180" (make up itself fails at 180 s). Each
// check, read from the real lab file, is run here on a planted good output and a planted bad one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/lib/repo.js';
import { compareNumbers, countLines, numberFromOutput, parseLab, type Check, type Value } from '../lib/labText.js';

/** The checks of the step of `lab` whose commands are exactly `commands` (its first such step). */
function checksOf(lab: string, commands: string): readonly Check[] {
  const l = parseLab(lab, readFileSync(path.join(repoRoot, 'docs/labs', lab), 'utf8'));
  const step = l.steps.find((s) => s.commands.trim() === commands);
  assert.ok(step, `${lab}: no step running "${commands}"`);
  return step.checks;
}

const valueOf = (v: Value, output: string): number =>
  v.kind === 'number' ? v.value : v.kind === 'output' ? numberFromOutput(output, v.pattern) : v.kind === 'count' ? countLines(output, v.pattern) : NaN;

/** The checks that fail on `output` (output-only checks, as tests/labs/labs.test.ts runs them). */
function failing(checks: readonly Check[], output: string): string[] {
  return checks
    .filter((c) => {
      switch (c.kind) {
        case 'matches': return !c.pattern.test(output);
        case 'lacks': return c.pattern.test(output);
        case 'range': { const n = valueOf(c.value, output); return !(n >= c.lo && n <= c.hi); }
        case 'compare': return !compareNumbers(valueOf(c.left, output), c.op, valueOf(c.right, output));
        case 'panel': return false;
      }
    })
    .map((c) => c.text);
}

const psLine = (n: number, version: string): string =>
  `scaleout-api-${n}   scaleout/api:${version}   "node /app/node_modu…"   api   2 minutes ago   Up 2 minutes (healthy)   3000/tcp`;
const NGINX_PS = 'scaleout-nginx-1   scaleout-offline/nginx:1.30.6   "/docker-entrypoint.…"   nginx   5 minutes ago   Up 4 minutes (healthy)';

test('lab 05, "every replica still runs v2": v2 passes; a rollback to dev, a mix, or a replica short fails', () => {
  const checks = checksOf('05-releases.md', 'make ps');
  assert.deepEqual(failing(checks, [psLine(4, 'v2'), psLine(5, 'v2'), psLine(6, 'v2'), NGINX_PS].join('\n')), []);
  assert.notDeepEqual(failing(checks, [psLine(4, 'dev'), psLine(5, 'dev'), psLine(6, 'dev'), NGINX_PS].join('\n')), [], 'a rollback to dev');
  assert.notDeepEqual(failing(checks, [psLine(4, 'v2'), psLine(5, 'v2'), psLine(3, 'dev'), NGINX_PS].join('\n')), [], 'one replica left on dev');
  assert.notDeepEqual(failing(checks, [psLine(4, 'v2'), psLine(5, 'v2'), NGINX_PS].join('\n')), [], 'two replicas');
});

// What `make up` prints: compose lists each container when a dependant waits for it and again for --wait.
const upOutput = (replicas: number): string =>
  [1, 2].flatMap(() => Array.from({ length: replicas }, (_, i) => ` Container scaleout-api-${i + 1}  Healthy`)).concat(['healthy in 25 s', '  strategy             round_robin']).join('\n');

for (const [lab, commands] of [['01-one-process-vs-cluster.md', 'make up'], ['06-memory-and-errors.md', 'CHAOS_ENABLED=true make up'], ['06-memory-and-errors.md', 'make up']] as const) {
  test(`${lab}, "${commands}": 3 healthy replicas pass; 2 or 4 fail`, () => {
    const checks = checksOf(lab, commands);
    assert.deepEqual(failing(checks, upOutput(3)), []);
    assert.notDeepEqual(failing(checks, upOutput(2)), [], 'two replicas');
    assert.notDeepEqual(failing(checks, upOutput(4)), [], 'four replicas');
  });
}
