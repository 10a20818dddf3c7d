// One definition per list: the strategies are the files in nginx/strategies/. Every list of them written in the
// repository's text (docs, comments, usage lines) names them all; the make targets read the folder itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/lib/repo.js';
import { strategyNames } from '../../tools/lib/strategies.js';
import { incompleteStrategyLists } from '../lib/strategyLists.js';

const names = strategyNames();
const TEXT = /\.(md|ts|js|mjs|sh|conf|ya?ml|json|example)$|(^|\/)(Makefile|run)$/;
const tracked = execFileSync('git', ['ls-files', '--cached'], { cwd: repoRoot, encoding: 'utf8' })
  .split('\n')
  .filter((f) => TEXT.test(f) && !f.startsWith('tests/fixtures/') && !f.includes('node_modules/') && !f.endsWith('package-lock.json'));

test('the strategy list is the files in nginx/strategies/, round_robin first', () => {
  const files = readdirSync(path.join(repoRoot, 'nginx/strategies')).filter((f) => f.endsWith('.conf')).map((f) => f.slice(0, -5));
  assert.deepEqual([...names].sort(), files.sort());
  assert.equal(names[0], 'round_robin');
  assert.ok(names.includes('hash_consistent'), names.join(' '));
});

test('every strategy list in tracked text names every strategy', () => {
  assert.ok(tracked.length > 100 && tracked.includes('README.md'), `read ${tracked.length} files`);
  const findings = tracked.flatMap((file) =>
    incompleteStrategyLists(readFileSync(path.join(repoRoot, file), 'utf8'), names).map((f) => `${file}:${f.line}: lacks ${f.missing.join(', ')}: ${f.text}`));
  assert.deepEqual(findings, [], 'a list of strategies that misses some: name them all, or link nginx/README.md');
});

test('a list that misses one is found, sentences comparing a few are not (planted)', () => {
  const lacks = (text: string): string[][] => incompleteStrategyLists(text, names).map((f) => f.missing);
  // Built from parts, so this file holds no incomplete list of its own for the check above to find.
  const without = (...gone: string[]): string[] => names.filter((n) => !gone.includes(n));
  assert.deepEqual(lacks(`echo "usage: make lb LB=<${without('hash_consistent').join('|')}>"`), [['hash_consistent']]);
  assert.deepEqual(lacks(`| 003 | upstream algorithms (${without('round_robin', 'hash_consistent').join(', ')}) |`), [['round_robin', 'hash_consistent']]);
  assert.deepEqual(lacks('LB_STRATEGY = round_robin | least_conn |<br/>ip_hash | hash | hash_consistent | random'), []);
  assert.deepEqual(lacks('under round_robin and least_conn it spreads; ip_hash sticks, and random and hash differ'), []);
});
