// tools/host/install-engine.sh (make setup), the first thing make up and make test run: on a set-up machine it says
// nothing; when something is missing it names it with the reason, and refuses to change anything when told not to
// (AUTO_INSTALL=0) or when it can't (not root). The "missing" here is real: the script runs with a PATH that lacks
// one command, so it sees the machine as a machine without it would be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../tools/lib/repo.js';

const run = promisify(execFile);
const script = path.join(repoRoot, 'tools/host/install-engine.sh');

interface Outcome { code: number; out: string }

async function setup(args: string[], env: NodeJS.ProcessEnv, asUser?: string): Promise<Outcome> {
  const [file, argv] = asUser === undefined ? [script, args] : ['setpriv', [`--reuid=${asUser}`, '--regid=65534', '--clear-groups', script, ...args]];
  try {
    const { stdout, stderr } = await run(file, argv, { env });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

/** A PATH of links to every command on this PATH but `hidden`: the script finds the machine without it. */
async function pathWithout(hidden: string): Promise<{ dir: string; PATH: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'setup-path-'));
  await chmod(dir, 0o755); // the not-root case runs as another user, who must be able to search it
  for (const bin of (process.env.PATH ?? '').split(':').filter((d) => d !== '' && existsSync(d))) {
    for (const name of await readdir(bin)) {
      if (name === hidden || existsSync(path.join(dir, name))) continue;
      await symlink(path.join(bin, name), path.join(dir, name)).catch(() => undefined);
    }
  }
  return { dir, PATH: dir };
}

const ready = await setup(['test'], process.env);

test('a machine that has everything: silent, exit 0', { skip: ready.code !== 0 && `this machine is not set up (make setup SETUP_FOR=test): ${ready.out}` }, () => {
  assert.equal(ready.out, '');
});

test('AUTO_INSTALL=0 with shellcheck missing: names it and why, exits 2, changes nothing', async (t) => {
  const { dir, PATH } = await pathWithout('shellcheck');
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = await setup(['test'], { ...process.env, PATH, AUTO_INSTALL: '0' });
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /shellcheck: make lint checks every shell script/);
  assert.match(r.out, /AUTO_INSTALL=0: not installing/);
  assert.match(r.out, /nothing was changed[\s\S]*apt-get install shellcheck/);
  assert.doesNotMatch(r.out, /installing it now/);
});

test('make up needs less than make test: shellcheck is not asked for', async (t) => {
  const { dir, PATH } = await pathWithout('shellcheck');
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = await setup(['up'], { ...process.env, PATH, AUTO_INSTALL: '0' });
  assert.doesNotMatch(r.out, /shellcheck/);
});

test('not root, something missing: names it, exits 2, installs nothing', { skip: process.getuid?.() !== 0 && 'needs root to drop to another user' }, async (t) => {
  const { dir, PATH } = await pathWithout('shellcheck');
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = await setup(['test'], { ...process.env, PATH }, '65534');
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /installing needs root/);
  assert.doesNotMatch(r.out, /installing it now/);
});

test('an unknown argument is refused before anything', async () => {
  const r = await setup(['everything'], process.env);
  assert.equal(r.code, 2);
  assert.match(r.out, /unknown argument everything \(expected up, test, --offline\)/);
});
