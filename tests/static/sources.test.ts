// docs/sources.md's statuses against the repository (tests/lib/sourcesTable.ts says what is checked), with a
// planted failure for each check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/lib/repo.js';
import { makefileTargets } from '../lib/docText.js';
import { checkSources, sourcesRows, type RepoFacts } from '../lib/sourcesTable.js';

const sources = readFileSync(path.join(repoRoot, 'docs/sources.md'), 'utf8');
const repo: RepoFacts = {
  exists: (p) => existsSync(path.join(repoRoot, p)),
  makeTargets: makefileTargets(readFileSync(path.join(repoRoot, 'Makefile'), 'utf8')),
};

test('docs/sources.md: every done row names a test that exists, no planned row names what is built', () => {
  assert.ok(sourcesRows(sources).length >= 20, 'the table is read');
  assert.deepEqual(checkSources(sources, repo), []);
});

test('sources checks: each one fails on a planted row', () => {
  const table = (row: string): string => `| post | system | where | tested by | status |\n| --- | --- | --- | --- | --- |\n${row}\n`;
  const problems = (row: string): string => checkSources(table(row), repo).join('\n');
  assert.equal(problems('| 000 | cluster | `services/api/` | `tests/stack/10-spread.test.ts` | done |'), '');
  assert.match(problems('| 003 | Swarm | `swarm/` | | done |'), /a done row names no test file/);
  assert.match(problems('| 003 | Swarm | `swarm/` | `tests/swarm/99-gone.test.ts` | done |'), /names tests\/swarm\/99-gone\.test\.ts, which does not exist/);
  assert.match(problems('| 003 | Swarm | `swarm/`, `make swarm-up` | | planned |'), /planned, but swarm\/, make swarm-up exists/);
  assert.match(problems('| 004 | sessions | `make compare-sessions`; websockets: planned | `tests/stack/50-sessions.test.ts` | partly |'), /"planned" outside the status column/);
  assert.match(problems('| 004 | Y axis | | | maybe |'), /status "maybe" is not one of/);
});
