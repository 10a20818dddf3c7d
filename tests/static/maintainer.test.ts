// What a maintainer expects to find, checked so it stays true: a licence the package files name, every GitHub
// Action pinned by commit SHA with its release beside it, and Dependabot watching every manifest the repository
// has (each npm package with a lockfile, the Dockerfiles, compose.yaml's image pins, the workflows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../tools/lib/repo.js';

const read = (file: string): string => readFileSync(path.join(repoRoot, file), 'utf8');
const tracked = execFileSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter(Boolean);
const folderOf = (file: string): string => `/${path.posix.dirname(file)}`.replace(/\/\.$/, '/');

test('LICENSE is MIT, and every package.json says so', () => {
  assert.match(read('LICENSE'), /^MIT License\n/);
  const manifests = tracked.filter((f) => path.posix.basename(f) === 'package.json');
  assert.ok(manifests.length >= 2, `package.json files: ${manifests.join(' ')}`);
  for (const f of manifests) assert.equal((JSON.parse(read(f)) as { license?: string }).license, 'MIT', f);
});

test('every action in .github/workflows is pinned by full commit SHA, its release in a comment', () => {
  const workflows = readdirSync(path.join(repoRoot, '.github/workflows')).filter((f) => /\.ya?ml$/.test(f));
  let seen = 0;
  for (const wf of workflows) {
    for (const line of read(`.github/workflows/${wf}`).split('\n')) {
      const uses = /^\s*(?:-\s*)?uses:\s*(\S+)(.*)$/.exec(line);
      if (uses === null || uses[1]!.startsWith('./')) continue;
      seen++;
      assert.match(uses[1]!, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `${wf}: ${line.trim()} is not pinned by a 40-hex commit SHA`);
      assert.match(uses[2]!, /^\s+#\s*v\d+\.\d+\.\d+\s*$/, `${wf}: ${line.trim()} has no "# vX.Y.Z" comment`);
    }
  }
  assert.ok(seen >= 2, `only ${seen} actions found`);
});

interface DependabotUpdate {
  'package-ecosystem': string;
  directory?: string;
  directories?: string[];
}

test('Dependabot watches every npm package, Dockerfile, compose.yaml and workflow', () => {
  const config = parse(read('.github/dependabot.yml')) as { version: number; updates: DependabotUpdate[] };
  assert.equal(config.version, 2);
  const watched = new Map<string, Set<string>>();
  for (const u of config.updates) {
    const dirs = u.directories ?? (u.directory !== undefined ? [u.directory] : []);
    for (const d of dirs) assert.ok(existsSync(path.join(repoRoot, d)), `${u['package-ecosystem']}: ${d} does not exist`);
    watched.set(u['package-ecosystem'], new Set([...(watched.get(u['package-ecosystem']) ?? []), ...dirs]));
  }
  const expect = (ecosystem: string, dirs: string[]): void => {
    for (const d of dirs) assert.ok(watched.get(ecosystem)?.has(d), `Dependabot ${ecosystem} does not watch ${d} (it watches ${[...(watched.get(ecosystem) ?? [])].join(' ') || 'nothing'})`);
  };
  expect('npm', tracked.filter((f) => path.posix.basename(f) === 'package-lock.json').map(folderOf));
  // The offline stand-ins pin Debian packages, and the test doubles under tests/fixtures/ build FROM the api's own base
  // (an ARG handed in from compose.yaml's pin): neither has a FROM tag of its own for Dependabot to move.
  expect('docker', tracked.filter((f) => path.posix.basename(f) === 'Dockerfile' && !f.startsWith('tools/offline/') && !f.startsWith('tests/fixtures/')).map(folderOf));
  expect('docker-compose', ['/']);
  expect('github-actions', ['/']);
});

// A package mirror is the user's (their machine's apt sources, or APT_MIRROR; on GitHub the repository variable):
// the repository names none, so none can leak in or go stale. URLs of apt archives only; Debian's web pages are fine,
// and so are the hosts reserved for examples and tests (RFC 2606), which no mirror can have.
const MIRROR_URL = /https?:\/\/((?:[a-z0-9-]+\.)*(?:deb\.debian\.org|ftp\.[a-z.]*debian\.org|(?:archive|security|ports)\.ubuntu\.com|[a-z0-9-]*mirror[a-z0-9.-]*))(?::\d+)?\/(?:debian|ubuntu)\b/gi;
const RESERVED_HOST = /(?:^|\.)(?:example|invalid|test|localhost)$|(?:^|\.)example\.(?:org|com|net)$/i;
const mirrorsIn = (text: string): string[] => [...text.matchAll(MIRROR_URL)].map((m) => m[1]!).filter((host) => !RESERVED_HOST.test(host));

test('no tracked file names a package mirror', () => {
  const found = tracked.filter((f) => !/\.(png|svg|ico)$/.test(f) && existsSync(path.join(repoRoot, f)))
    .flatMap((f) => mirrorsIn(read(f)).map((host) => `${f}: ${host}`));
  assert.deepEqual(found, []);
});

test('a mirror URL is caught, in a workflow, a script or prose; a docs link or a reserved host is not', () => {
  // Real mirrors' names are put together here, so that this file does not name one either.
  const debian = ['deb', 'debian', 'org'].join('.');
  const ubuntu = ['archive', 'ubuntu', 'com'].join('.');
  assert.deepEqual(mirrorsIn(`sudo APT_MIRROR=http://${debian}/debian tools/host/install-engine.sh`), [debian]);
  assert.deepEqual(mirrorsIn(`echo "\${APT_MIRROR:-http://ftp.de.${debian.slice(4)}/debian}"`), [`ftp.de.${debian.slice(4)}`]);
  assert.deepEqual(mirrorsIn(`deb http://${ubuntu}/ubuntu noble main`), [ubuntu]);
  const company = ['mirror', 'company', 'internal'].join('.');
  assert.deepEqual(mirrorsIn(`URIs: https://${company}:3142/debian`), [company]);
  assert.deepEqual(mirrorsIn('see https://www.debian.org/releases/ and https://packages.debian.org/sid/kubectl'), []);
  assert.deepEqual(mirrorsIn('APT_MIRROR=http://mirror.invalid/debian and https://debian-mirror.example/debian'), []);
});
