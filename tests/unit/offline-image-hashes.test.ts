// tools/offline/build-images.sh --hashes: every image's tag and input hash, the stack's and the swarm's, computed
// without building. The swarm's images once built only where they had been built before: their hash read pins
// nobody defined, and only a machine without the images ran that code. This test runs it on every `make test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../tools/lib/repo.js';

const run = promisify(execFile);
// Stand-ins of the stack, then the local swarm's node and registry.
const IMAGES = ['node', 'node-runtime', 'nginx', 'prometheus', 'nginx-exporter', 'valkey', 'swarm-node', 'registry'];

interface ImageHash { dir: string; tag: string; hash: string }

async function hashes(root: string): Promise<{ code: number; images: ImageHash[]; stderr: string }> {
  // A fixed mirror: the hash covers it, and the test must not depend on this machine's apt sources.
  const env = { ...process.env, APT_MIRROR: 'http://mirror.invalid/debian' };
  try {
    const { stdout, stderr } = await run(path.join(root, 'tools/offline/build-images.sh'), ['--hashes'], { env });
    const images = stdout.trim().split('\n').map((line): ImageHash => {
      const [dir = '', tag = '', hash = ''] = line.split(' ');
      return { dir, tag, hash };
    });
    return { code: 0, images, stderr };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, images: [], stderr: e.stderr };
  }
}

// A copy of what the script reads (its folder, the mirror helper, the shared shell helpers, compose.yaml's pins),
// laid out as in the repo, so a pin can be removed without touching the real files.
async function copyOfInputs(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'offline-hashes-'));
  for (const p of ['tools/offline', 'tools/host/apt-mirror.sh', 'tools/lib/common.sh', 'compose.yaml']) {
    await cp(path.join(repoRoot, p), path.join(dir, p), { recursive: true });
  }
  return dir;
}

async function editFile(file: string, edit: (text: string) => string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const edited = edit(text);
  assert.notEqual(edited, text, `the edit of ${file} changed nothing`);
  await writeFile(file, edited);
}

test('every image, the stack\'s and the swarm\'s, has a tag and an input hash without building', async () => {
  const { code, images, stderr } = await hashes(repoRoot);
  assert.equal(code, 0, stderr);
  assert.deepEqual(images.map((i) => i.dir), IMAGES);
  for (const { dir, tag, hash } of images) {
    assert.match(tag, new RegExp(`^scaleout-offline/${dir}:[0-9a-z.]+$`), `${dir}'s tag`);
    assert.match(hash, /^[0-9a-f]{16}$/, `${dir}'s hash`);
  }
});

// The negative control of the bug that broke every fresh machine: a pin the hash reads that nothing defines.
for (const [file, pin, image] of [
  ['tools/offline/swarm.env', 'SWARM_REGISTRY_SUITE', 'registry'],
  ['tools/offline/swarm.env', 'SWARM_NODE_SUITE', 'swarm-node'],
  ['tools/offline/versions.env', 'NGINX_SUITE', 'nginx'],
] as const) {
  test(`an undefined pin (${pin}) fails with its name and its image, before anything is built`, async (t) => {
    const dir = await copyOfInputs();
    t.after(() => rm(dir, { recursive: true, force: true }));
    await editFile(path.join(dir, file), (text) => text.replace(new RegExp(`^${pin}=.*$`, 'm'), ''));
    const { code, stderr } = await hashes(dir);
    assert.equal(code, 1, `expected exit 1, got ${code}: ${stderr}`);
    assert.match(stderr, new RegExp(`${pin} \\(a pin of the ${image} image\\) is not defined`));
  });
}

test('a pin changes its own image\'s hash and no other image\'s', async (t) => {
  const dir = await copyOfInputs();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const before = await hashes(dir);
  await editFile(path.join(dir, 'tools/offline/swarm.env'), (text) => text.replace(/^SWARM_REGISTRY_VERSION=.*$/m, 'SWARM_REGISTRY_VERSION=2.8.3'));
  const after = await hashes(dir);
  assert.equal(after.code, 0, after.stderr);
  const hashOf = (images: ImageHash[], dir: string): string | undefined => images.find((i) => i.dir === dir)?.hash;
  const changed = IMAGES.filter((d) => hashOf(before.images, d) !== hashOf(after.images, d));
  assert.deepEqual(changed, ['registry']);
  assert.equal(after.images.find((i) => i.dir === 'registry')?.tag, 'scaleout-offline/registry:2.8.3');
});
