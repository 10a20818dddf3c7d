// tools/host/check-ports.sh, which `make up` runs before starting anything: it must name the port that is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { repoRoot } from '../../tools/lib/repo.js';

const run = promisify(execFile);
const script = path.join(repoRoot, 'tools/host/check-ports.sh');
// A project name no stack uses, so none of the ports below counts as "ours".
const env = { ...process.env, COMPOSE_PROJECT_NAME: 'check-ports-unit-test' };

async function checkPorts(...pairs: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(script, ['127.0.0.1', ...pairs], { env });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  server.close();
  await once(server, 'close');
  return port;
}

test('free, distinct ports pass', async () => {
  const [a, b] = [await freePort(), await freePort()];
  assert.deepEqual(await checkPorts(`HTTP_PORT=${a}`, `HTTPS_PORT=${b}`), { code: 0, stderr: '' });
});

test('two variables on one port: both are named', async () => {
  const a = await freePort();
  const res = await checkPorts(`HTTP_PORT=${a}`, `HTTPS_PORT=${a}`);
  assert.equal(res.code, 2);
  assert.match(res.stderr, new RegExp(`HTTPS_PORT=${a} clashes with HTTP_PORT=${a}`));
});

test('a port another program listens on is named, with the variable to change', async () => {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const taken = (server.address() as net.AddressInfo).port;
  try {
    const res = await checkPorts(`HTTP_PORT=${await freePort()}`, `HTTPS_PORT=${taken}`);
    assert.equal(res.code, 2);
    assert.match(res.stderr, new RegExp(`HTTPS_PORT=${taken}: port ${taken} on 127.0.0.1 is already in use`));
  } finally {
    server.close();
  }
});

test('a value that is not a port is named', async () => {
  const res = await checkPorts('HTTPS_PORT=84x3');
  assert.equal(res.code, 2);
  assert.match(res.stderr, /HTTPS_PORT=84x3 is not a port number/);
});
