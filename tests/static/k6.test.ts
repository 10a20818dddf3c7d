// k6 cannot run on machines like our CI (it is not packaged for Debian or npm), so its scripts are checked here
// for what can be checked without it: they parse as ES modules, and each keeps the contract every script of this
// repo has (k6/README.md): BASE_URL from the environment, thresholds, a setup() that stops early when the target
// is down, a handleSummary() that writes JSON and Markdown under its own name, and the X-Served-By tally.
// The GitHub workflow runs them for real with the official k6 image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/lib/repo.js';

const scriptsDir = path.join(repoRoot, 'k6', 'scripts');
const scripts = readdirSync(scriptsDir).filter((f) => f.endsWith('.js')).sort();

test('the k6 lessons are numbered 01..NN without gaps', () => {
  assert.ok(scripts.length >= 8, `only ${scripts.join(', ')}`);
  scripts.forEach((file, i) => assert.match(file, new RegExp(`^${String(i + 1).padStart(2, '0')}-[a-z0-9-]+\\.js$`)));
});

for (const file of scripts) {
  test(`k6/scripts/${file}: parses, and keeps the script contract`, () => {
    const full = path.join(scriptsDir, file);
    // --check only parses; the package is "type": "module", so import/export syntax is checked as k6 reads it.
    execFileSync(process.execPath, ['--check', full]);
    const source = readFileSync(full, 'utf8');
    const name = file.replace(/\.js$/, '');
    assert.match(source, /\bBASE_URL\b/, 'uses BASE_URL from k6/lib/config.js');
    assert.match(source, /thresholds:\s*\{\s*\.\.\.withLatencyTarget\(\d+\)/, 'sets a p95 target with withLatencyTarget()');
    assert.match(source, /export function setup\(\)\s*\{\s*abortUnlessTargetUp\(\);/, 'setup() stops early when the target is down');
    assert.match(source, new RegExp(`export function handleSummary\\(data\\)\\s*\\{\\s*return distributionSummary\\(data, '${name}'\\);`), 'handleSummary() writes JSON + Markdown under the script name');
    assert.match(source, /recordServedBy\(res\)/, 'counts X-Served-By');
    assert.match(source, /\.\.\.distributionThresholds\(\)/, 'keeps one sub-metric per replica/worker');
  });
}
