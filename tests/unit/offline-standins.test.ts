// Bad input: a pin whose stand-in Debian cannot provide fails the offline build before anything is built, with the
// pin's name and the nearest version Debian has (tools/offline/check-standins.sh, run by build-images.sh). Against
// the real Debian index of this machine's mirror; the negative control is compose.yaml as it is, which passes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../tools/lib/repo.js';

const run = promisify(execFile);
const script = path.join(repoRoot, 'tools/offline/check-standins.sh');

// One index of the suites for both checks: reading sid's is most of the time.
const aptState = await mkdtemp(path.join(os.tmpdir(), 'standins-apt-'));
after(() => rm(aptState, { recursive: true, force: true }));

async function check(composeFile: string): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(script, [composeFile], { env: { ...process.env, STANDINS_APT_STATE: aptState } });
    return { code: 0, stderr };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

test('every stand-in written in compose.yaml is in Debian', async () => {
  const { code, stderr } = await check(path.join(repoRoot, 'compose.yaml'));
  assert.equal(code, 0, stderr);
  assert.match(stderr, /PROMETHEUS_IMAGE: prometheus \d+\.\d+\.\d+ is in Debian/);
});

test('a stand-in Debian lacks (Prometheus 3.13.4, the pin itself) fails with the pin and the nearest version', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'standins-'));
  try {
    const compose = await readFile(path.join(repoRoot, 'compose.yaml'), 'utf8');
    const bad = compose.replace(/(\$\{PROMETHEUS_IMAGE:-prom\/prometheus:v(\d+\.\d+\.\d+)\} # stand-in )\S+/, '$1$2');
    assert.notEqual(bad, compose, 'the Prometheus pin line was not found');
    await writeFile(path.join(dir, 'compose.yaml'), bad);
    const { code, stderr } = await check(path.join(dir, 'compose.yaml'));
    assert.notEqual(code, 0);
    assert.match(stderr, /PROMETHEUS_IMAGE: its stand-in prometheus 3\.13\.\d+ is not in Debian \w+; the nearest Debian has is \d+\.\d+\.\d+/);
    assert.match(stderr, /nothing was built/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
