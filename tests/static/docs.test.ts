// Text that can't drift from the code (tests/lib/docText.ts does the reading; docs/testing.md says what it reads):
//  - every `make <target> VAR=...` that a tracked README, doc, script, comment, message or k6 header mentions
//    names a target the Makefile defines, and variables the Makefile reads or compose.yaml interpolates (make
//    hands command-line variables to compose through the environment);
//  - every relative link in a tracked Markdown file resolves, #fragments into Markdown to a heading there.
// The checker's own tests below plant bad lines, so each check is shown to fail. Runs in well under a second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../lib/compose.js';
import {
  MAKE_CHECKED,
  checkLinks,
  checkMakeMentions,
  composeVariables,
  headingAnchors,
  makefileTargets,
  makefileVariables,
  type Finding,
  type MakefileFacts,
  type RepoFiles,
} from '../lib/docText.js';

const read = (file: string): string => readFileSync(path.join(repoRoot, file), 'utf8');
// Tracked files only: what a fresh clone has. (Files being added show up once they are staged.)
const tracked = execFileSync('git', ['ls-files', '--cached'], { cwd: repoRoot, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && !f.includes('node_modules/'));
const trackedSet = new Set(tracked);
const folders = new Set(tracked.flatMap((f) => f.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));

const makefile = read('Makefile');
const composeFiles = tracked.filter((f) => /^compose[^/]*\.yaml$/.test(f));
const facts: MakefileFacts = {
  targets: makefileTargets(makefile),
  variables: new Set([...makefileVariables(makefile), ...composeFiles.flatMap((f) => [...composeVariables(read(f))])]),
};
const repo: RepoFiles = { exists: (p) => trackedSet.has(p) || folders.has(p), read };

const report = (findings: Finding[]): string => findings.map((f) => `${f.file}:${f.line}: ${f.message}`).join('\n');

// Drift found by these checks in files another change is rewriting at the same time (issue 10: the scenario
// catalogue rewrites k6/ and tools/loadrunner/, fixing these). Listed by file and message, without line numbers;
// each entry must still be found, so the list can only shrink: delete an entry once its fix has landed.
type KnownDrift = ReadonlyArray<readonly [file: string, message: RegExp]>;
const KNOWN_MAKE_DRIFT: KnownDrift = [
  ['k6/README.md', /reads SCRIPT$/],
  ['k6/scripts/01-smoke.js', /reads SCRIPT$/],
  ['k6/scripts/02-post000-cluster.js', /reads SCRIPT$/],
];
const KNOWN_LINK_DRIFT: KnownDrift = [
  ['tools/loadrunner/README.md', /^link \(\.\.\/k6\/README\.md\): tools\/k6\/README\.md does not exist$/],
  ['tools/loadrunner/README.md', /^link \(\.\.\/k6\/README\.md#summary-format\)/],
];

/** Findings not on the known-drift list; fails on a list entry nothing matches any more (it was fixed). */
function unexpected(findings: Finding[], known: KnownDrift): Finding[] {
  const stale = known.filter(([file, message]) => !findings.some((f) => f.file === file && message.test(f.message)));
  assert.deepEqual(stale.map(([file, message]) => `${file} ${message}`), [], 'fixed: delete these known-drift entries');
  return findings.filter((f) => !known.some(([file, message]) => f.file === file && message.test(f.message)));
}

// ---- the repository -------------------------------------------------------------------------------

test('the Makefile facts are read (a check over nothing would pass)', () => {
  for (const t of ['up', 'loadtest', 'test', 'lb', 'test-config', '.secrets/grafana-admin-password']) assert.ok(facts.targets.has(t), `target ${t}`);
  for (const v of ['LB', 'N', 'VERSION', 'PCT', 'SCENARIO', 'OFFLINE', 'K6_SCRIPT', 'HTTP_PORT', 'API_REPLICAS', 'LB_STRATEGY']) {
    assert.ok(facts.variables.has(v), `variable ${v}`);
  }
  assert.ok(!facts.targets.has('TOOLING') && !facts.variables.has('STRATEGY') && !facts.variables.has('SCRIPT'));
  assert.ok(composeFiles.includes('compose.yaml'));
});

test('every `make <target> VAR=` in tracked text names a target and variables the Makefile has', () => {
  const files = tracked.filter((f) => MAKE_CHECKED.test(f));
  assert.ok(files.length > 50, `only ${files.length} files checked`);
  const findings = unexpected(files.flatMap((f) => checkMakeMentions(f, read(f), facts)), KNOWN_MAKE_DRIFT);
  assert.deepEqual(findings, [], `\n${report(findings)}`);
});

test('every relative link in tracked Markdown resolves, anchors included', () => {
  const files = tracked.filter((f) => f.endsWith('.md'));
  assert.ok(files.includes('README.md') && files.length > 5);
  const findings = unexpected(files.flatMap((f) => checkLinks(f, read(f), repo)), KNOWN_LINK_DRIFT);
  assert.deepEqual(findings, [], `\n${report(findings)}`);
});

// ---- the checker, on planted lines (each check can fail) --------------------------------------------

// Assembled, so this file's own text holds no mention for the repository check to find.
const MAKE = ['ma', 'ke'].join('');
const planted = (file: string, text: string): string[] => checkMakeMentions(file, text, facts).map((f) => f.message);

test('an unknown target is reported, in code and in prose', () => {
  assert.match(planted('x.md', `Run \`${MAKE} up && ${MAKE} no-such-target\`.`).join(), /no target "no-such-target"/);
  assert.match(planted('x.md', '```sh\n' + `${MAKE} up\n${MAKE} frobnicate   # a comment\n` + '```\n').join(), /no target "frobnicate"/);
  assert.match(planted('x.sh', `# then run ${MAKE} test-everything to see`).join(), /no target "test-everything"/);
  assert.match(planted('x.sh', `# Quickstart: ${MAKE} up && ${MAKE} load-test`).join(), /no target "load-test"/);
  assert.match(planted('x.md', `${MAKE} bogus LB=round_robin in prose`).join(), /no target "bogus"/);
});

test("a variable the Makefile doesn't read is reported: the drift this check exists for", () => {
  assert.match(planted('switch.sh', `# (or: ${MAKE} lb STRATEGY=least_conn)`).join(), /reads STRATEGY/);
  assert.match(planted('k6.js', `//   ${MAKE} loadtest SCRIPT=01-smoke`).join(), /reads SCRIPT/);
  assert.match(planted('x.md', `\`NOT_A_SETTING=1 ${MAKE} up\``).join(), /reads NOT_A_SETTING/);
  assert.match(planted('x.md', `\`${MAKE} compare STRATEGIES="round_robin hash" NOPE=2\``).join(), /reads NOPE/);
});

test('what is not a make command line is left alone', () => {
  const clean = [
    `To ${MAKE} a choice permanent, set it in .env; ${MAKE} sure the port is free. Decided once per ${MAKE} run.`,
    `\`${MAKE} <target>\`, \`${MAKE} \${target}\`, \`$(MAKE) up\`, cmake build, \`${MAKE}\` alone`,
    `\`${MAKE} -C services/api test\` and \`${MAKE} -f other.mk thing\` name another Makefile`,
    `\`${MAKE} compare [SCENARIO=skewed] [STRATEGIES="round_robin least_conn"]\`, \`${MAKE} -j4 test\``,
    `Next: ${MAKE} loadtest   (then ${MAKE} lb LB=least_conn, ${MAKE} scale N=5, ${MAKE} ps) and run it again`,
    `\`COMPOSE_PROJECT_NAME=ops HTTP_PORT=8180 ${MAKE} test-ops\``,
  ];
  for (const line of clean) assert.deepEqual(planted('x.md', line), [], line);
  assert.deepEqual(planted('Makefile', `\t@echo "usage: ${MAKE} lb LB=<round_robin|least_conn>"; exit 2`), []);
});

test('targets and variables are read from a Makefile as make does', () => {
  const mk = 'A ?= 1\nB := $(A)\nexport C\nx y: ## two\n\t@echo $${D:-d} $(origin E)\n$(F): z\n.PHONY: x\nfile/out.txt:\n';
  assert.deepEqual([...makefileTargets(mk)].sort(), ['file/out.txt', 'x', 'y']);
  const vars = makefileVariables(mk);
  for (const v of ['A', 'C', 'D', 'E', 'F']) assert.ok(vars.has(v), v);
  assert.ok(!vars.has('B'), 'assigned but never read');
  assert.deepEqual([...composeVariables('a: ${X:-1}\nb: $${NOT}\nc: ${Y}')].sort(), ['X', 'Y']);
});

test('a link to a missing file, or to a heading that is not there, is reported', () => {
  const files: Record<string, string> = { 'docs/a.md': '# A page\n## Seeing the difference: `make compare`\n## Tests\n## Tests\n' };
  const fake: RepoFiles = { exists: (p) => p in files || p === 'docs' || p === 'k6/lib', read: (p) => files[p] ?? '' };
  const check = (text: string): string[] => checkLinks('README.md', text, fake).map((f) => f.message);
  assert.deepEqual(check('[ok](docs/a.md) [ok](docs/a.md#seeing-the-difference-make-compare) [ok](docs/a.md#tests-1) [dir](k6/lib) [web](https://x.org/y)'), []);
  assert.deepEqual(check('`[not a link](nowhere.md)` and\n```\n[nor](this.md)\n```\n'), []);
  assert.match(check('[gone](docs/b.md)').join(), /docs\/b\.md does not exist/);
  assert.match(check('[ref]: ./missing/file.md').join(), /does not exist/);
  assert.match(check('[bad](docs/a.md#no-such-heading)').join(), /has no heading #no-such-heading/);
  assert.match(check('[out](../outside.md)').join(), /does not exist/);
  assert.match(checkLinks('docs/a.md', '[self](#nope)', fake).map((f) => f.message).join(), /has no heading #nope/);
});

test("GitHub's slugs: punctuation dropped, code ticks removed, duplicates numbered", () => {
  assert.deepEqual(
    [...headingAnchors(['Seeing the difference: `make compare`', 'SCHED_RR and SCHED_NONE', 'Tests', 'Tests', 'Offline mode (machines with no container registry)'])],
    ['seeing-the-difference-make-compare', 'sched_rr-and-sched_none', 'tests', 'tests-1', 'offline-mode-machines-with-no-container-registry'],
  );
});
