// A feature that is switched off costs nothing (issue 24): without websockets no socket.io is even imported, without
// sessions no express-session and no store client, and the memory store and adapter load no store client either.
// Each case starts the real app in a fresh child process (test/helpers/report-loaded-packages.ts) and reads the npm
// packages it loaded. The cases with the features on are the negative controls: they show the same detector sees
// every one of these packages when it is loaded. The bundle's side (chunks): test/unit/bundle-split.test.ts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPORTER = fileURLToPath(new URL('../helpers/report-loaded-packages.js', import.meta.url));

const WEBSOCKETS = ['socket.io', 'engine.io', '@nestjs/platform-socket.io'];
const SESSIONS = ['express-session'];
const STORE_CLIENTS = ['redis', '@redis/client', 'connect-redis', '@socket.io/redis-streams-adapter'];

async function loadedPackages(env: Record<string, string>): Promise<string[]> {
  // An unreachable store: the redis case only needs its client created, never connected.
  const { stdout } = await run(process.execPath, [REPORTER], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', SESSION_STORE_URL: 'redis://127.0.0.1:1', ...env },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
}

const missing = (wanted: string[], loaded: string[]): string[] => wanted.filter((p) => !loaded.includes(p));
const present = (unwanted: string[], loaded: string[]): string[] => unwanted.filter((p) => loaded.includes(p));

describe('a feature switched off is not even imported', { timeout: 120_000 }, () => {
  // The three processes side by side: each is a few seconds of CPU, mostly loading the unbundled app.
  let off: string[], memory: string[], shared: string[];
  before(async () => {
    [off, memory, shared] = await Promise.all([
      loadedPackages({ WEBSOCKETS_ENABLED: 'false', SESSIONS_ENABLED: 'false', SESSION_STORE: 'redis', SOCKET_ADAPTER: 'redis' }),
      loadedPackages({ SESSION_STORE: 'memory', SOCKET_ADAPTER: 'memory' }),
      loadedPackages({ SESSION_STORE: 'redis', SOCKET_ADAPTER: 'redis' }),
    ]);
  });

  it('WEBSOCKETS_ENABLED=false SESSIONS_ENABLED=false: no socket.io, no express-session, no store client', () => {
    const loaded = off;
    assert.deepEqual(missing(['@nestjs/core', 'express', 'prom-client'], loaded), [], 'the detector must see the app itself');
    assert.deepEqual(present([...WEBSOCKETS, ...SESSIONS, ...STORE_CLIENTS], loaded), []);
  });

  it('both on with the memory store and adapter: socket.io and express-session, still no store client', () => {
    const loaded = memory;
    assert.deepEqual(missing([...WEBSOCKETS, ...SESSIONS], loaded), [], 'negative control: on means loaded');
    assert.deepEqual(present(STORE_CLIENTS, loaded), []);
  });

  it('negative control: both on with the shared store load every store client', () => {
    const loaded = shared;
    assert.deepEqual(missing([...WEBSOCKETS, ...SESSIONS, ...STORE_CLIENTS], loaded), []);
  });
});
