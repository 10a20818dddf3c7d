// The keep-alive race needs one order to hold: nginx, the client of the app, closes an idle upstream connection
// BEFORE the app does. Checked here for the production settings and for make test-ops's shortened ones, which
// the keep-alive race test (tests/ops/60-keepalive-race.test.ts) relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/lib/repo.js';

const read = (file: string): string => readFileSync(path.join(repoRoot, file), 'utf8');

/** keepalive_timeout of an nginx upstream snippet, in ms (accepts "60s", "4s", "500ms"). */
function nginxIdleMs(file: string): number {
  const m = /^\s*keepalive_timeout\s+(\d+)(ms|s)?\s*;/m.exec(read(file));
  assert.ok(m, `${file}: no keepalive_timeout`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : 1000);
}

/** The app's default KEEP_ALIVE_TIMEOUT_MS, as loadApiConfig reads it. */
function appDefaultIdleMs(): number {
  const m = /int\('KEEP_ALIVE_TIMEOUT_MS',\s*([\d_]+)\)/.exec(read('services/api/src/config/api-config.ts'));
  assert.ok(m, 'KEEP_ALIVE_TIMEOUT_MS default not found in api-config.ts');
  return Number(m[1]!.replace(/_/g, ''));
}

test('production: nginx upstream keepalive_timeout < the app keepAliveTimeout', () => {
  const nginx = nginxIdleMs('nginx/snippets/upstream-keepalive.conf');
  const app = appDefaultIdleMs();
  assert.ok(nginx < app, `nginx closes idle upstream connections after ${nginx} ms, the app after ${app} ms: nginx must be first`);
});

test('make test-ops: the shortened timeouts keep the same order', () => {
  const nginx = nginxIdleMs('tests/ops/nginx-upstream-keepalive-short.conf');
  const m = /KEEP_ALIVE_TIMEOUT_MS:\s*"(\d+)"/.exec(read('tests/ops/compose.ops-test.yaml'));
  assert.ok(m, 'KEEP_ALIVE_TIMEOUT_MS not set in tests/ops/compose.ops-test.yaml');
  assert.ok(nginx < Number(m[1]), `test stack: nginx ${nginx} ms, app ${m[1]} ms: nginx must be first`);
});
