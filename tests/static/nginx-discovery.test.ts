// nginx/docker-entrypoint.d/35-write-api-discovery.sh, run with POSIX sh on the host: it writes compose's defaults
// when nothing is set (resolv.conf's nameserver, the bare service names), Kubernetes' qualified names when asked,
// and refuses a value that could inject a directive, writing nothing. nginx -t on the result runs in make test-config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../lib/compose.js';

const HOOK = path.join(repoRoot, 'nginx/docker-entrypoint.d/35-write-api-discovery.sh');

function runHook(env: Record<string, string>): { status: number | null; stderr: string; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'discovery-'));
  const r = spawnSync('sh', [HOOK], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NGINX_DISCOVERY_DIR: dir, ...env }, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, dir };
}
const read = (dir: string, file: string): string => readFileSync(path.join(dir, file), 'utf8');

test('defaults: the resolver and the bare names compose uses', () => {
  const { status, dir } = runHook({ NGINX_RESOLVER: '127.0.0.11' });
  assert.equal(status, 0);
  assert.match(read(dir, 'resolver.conf'), /^resolver +127\.0\.0\.11 valid=2s ipv6=off;\nresolver_timeout 2s;\n$/);
  assert.equal(read(dir, 'api.conf'), 'server api:3000 resolve max_fails=3 fail_timeout=10s;\n');
  assert.equal(read(dir, 'api_green.conf'), 'server api-green:3000 resolve max_fails=3 fail_timeout=10s;\n');
});

test('without NGINX_RESOLVER, the first nameserver of /etc/resolv.conf', () => {
  const expected = /^nameserver\s+(\S+)/m.exec(readFileSync('/etc/resolv.conf', 'utf8'))?.[1];
  const { status, dir } = runHook({});
  assert.equal(status, 0);
  assert.ok(expected, 'this machine has no nameserver in /etc/resolv.conf');
  assert.match(read(dir, 'resolver.conf'), new RegExp(`^resolver +${expected.replace(/\./g, '\\.')} `));
});

test('Kubernetes: the qualified names of the headless Services', () => {
  const { status, dir } = runHook({ NGINX_RESOLVER: '10.96.0.10', API_UPSTREAM_HOST: 'api.scaleout.svc.cluster.local', API_GREEN_UPSTREAM_HOST: 'api-green.scaleout.svc.cluster.local' });
  assert.equal(status, 0);
  assert.equal(read(dir, 'api.conf'), 'server api.scaleout.svc.cluster.local:3000 resolve max_fails=3 fail_timeout=10s;\n');
});

test('a value that is not a host name stops the container and writes nothing', () => {
  const bad: Array<Record<string, string>> = [{ API_UPSTREAM_HOST: 'api:3000; server evil' }, { NGINX_RESOLVER: '1.1.1.1 valid=1' }, { API_GREEN_UPSTREAM_HOST: 'a$b' }];
  for (const env of bad) {
    const { status, stderr, dir } = runHook({ NGINX_RESOLVER: '127.0.0.11', ...env });
    assert.equal(status, 1, JSON.stringify(env));
    assert.match(stderr, /is not a host name or an IP address/);
    assert.deepEqual(readdirSync(dir), []);
  }
});
