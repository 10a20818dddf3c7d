// `make` alone is the front door's help: every target with a description, under the groups a user thinks in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/lib/repo.js';

const GROUPS = ['Run', 'See', 'Operate', 'Compare', 'Test', 'Deploy elsewhere'];

test('make alone prints every described target once, under the six groups in order', () => {
  const help = execFileSync('make', ['-s'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, STACK_MODE: process.env.STACK_MODE ?? 'offline' } })
    .replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex
  const headings = [...help.matchAll(/^(\S[^:\n]*):/gm)].map((m) => m[1]!).filter((h) => GROUPS.includes(h));
  assert.deepEqual(headings, GROUPS, help);
  const described = [...readFileSync(path.join(repoRoot, 'Makefile'), 'utf8').matchAll(/^([a-z0-9-]+):.*## /gm)].map((m) => m[1]!);
  assert.ok(described.length >= 60, `${described.length} described targets`);
  for (const t of described) assert.equal(help.match(new RegExp(`^  ${t} +\\S`, 'gm'))?.length, 1, `${t} in the help`);
  assert.match(help, /LB=<round_robin\|[a-z_|]*hash_consistent[a-z_|]*>/, 'the strategies come from nginx/strategies/');
});
