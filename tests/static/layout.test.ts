// The two maps stay whole: docs/layout.md names every tracked top-level path of the repository, and
// tools/README.md every folder of tools/. A path added without a row fails here, by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/lib/repo.js';

const tracked = execFileSync('git', ['ls-files', '--cached'], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter(Boolean);
const read = (file: string): string => readFileSync(path.join(repoRoot, file), 'utf8');

/** The first path segment of every backticked path in a Markdown table's first column. */
function mappedNames(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const line of markdown.split('\n')) {
    const first = /^\|([^|]*)\|/.exec(line)?.[1] ?? '';
    for (const m of first.matchAll(/`([^`]+)`/g)) names.add(m[1]!.split('/')[0]!);
  }
  return names;
}

/** The names in `names` that the map does not list. */
function unmapped(names: Iterable<string>, markdown: string): string[] {
  const mapped = mappedNames(markdown);
  return [...new Set(names)].filter((n) => !mapped.has(n)).sort();
}

test('docs/layout.md names every tracked top-level path', () => {
  const top = tracked.map((f) => f.split('/')[0]!);
  assert.ok(top.includes('compose.yaml') && top.includes('tools'));
  assert.deepEqual(unmapped(top, read('docs/layout.md')), []);
});

test('tools/README.md names every folder of tools/', () => {
  const folders = tracked.filter((f) => f.startsWith('tools/') && f.split('/').length > 2).map((f) => f.split('/')[1]!);
  assert.ok(folders.includes('swarm') && folders.includes('realtime'));
  assert.deepEqual(unmapped(folders, read('tools/README.md')), []);
});

test('a map that lacks a path is caught (planted)', () => {
  const map = '| path | what |\n| --- | --- |\n| [`swarm/`](x) | y |\n| `a`, `.ci/run` | z |\nprose naming `realtime/` is not a row\n';
  assert.deepEqual(unmapped(['swarm', 'a', '.ci', 'realtime', 'p2p'], map), ['p2p', 'realtime']);
});
