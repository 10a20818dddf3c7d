// compose.yaml is the one source of truth for what the compose stack and the Swarm stack share: this test
// generates the stack file from the real `docker compose config` (online and offline file sets) and fails if a
// shared setting did not make it across, or if the Swarm rules of issue 13 are missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { repoRoot } from '../../tools/lib/repo.js';
import { merge, toStack, type JsonObject } from '../../tools/swarm/src/stack.js';

const run = promisify(execFile);
const overlay = parse(readFileSync(path.join(repoRoot, 'swarm/stack.overlay.yaml'), 'utf8')) as JsonObject;

async function composeConfig(files: string[]): Promise<JsonObject> {
  const { stdout } = await run('docker', ['compose', ...files.flatMap((f) => ['-f', f]), 'config', '--format', 'json'], {
    cwd: repoRoot,
    env: { ...process.env, NGINX_VERSION: '1', NODE_VERSION: '1', PROMETHEUS_VERSION: '1', NGINX_EXPORTER_VERSION: '1', VALKEY_VERSION: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as JsonObject;
}

const SHARED = ['image', 'read_only', 'cap_drop', 'stop_grace_period', 'logging', 'command'] as const;

for (const [mode, files] of [['online', ['compose.yaml']], ['offline', ['compose.yaml', 'compose.offline.yaml']]] as const) {
  test(`${mode}: every shared setting of compose.yaml is in the stack file`, async () => {
    const config = await composeConfig([...files]);
    const stack = toStack(config, overlay, { stack: 'scaleout' });
    const composeServices = config.services as Record<string, JsonObject>;
    const swarmServices = stack.services as Record<string, JsonObject>;
    assert.deepEqual(Object.keys(swarmServices).sort(), Object.keys(composeServices).sort(), 'the same services');
    assert.equal('grafana' in swarmServices, mode === 'online', 'Grafana only online, as compose.offline.yaml decides');
    for (const [name, svc] of Object.entries(composeServices)) {
      const s = swarmServices[name]!;
      for (const key of SHARED) assert.deepEqual(s[key] ?? null, svc[key] ?? null, `${name}.${key}`);
      // The environment is compose's, plus only what the overlay adds for Swarm (nginx: tasks.<name>).
      const overlayEnv = (((overlay.services as JsonObject)[name] as JsonObject | undefined)?.environment ?? {}) as JsonObject;
      assert.deepEqual(s.environment ?? null, svc.environment || Object.keys(overlayEnv).length > 0 ? { ...(svc.environment as JsonObject), ...overlayEnv } : null, `${name}.environment`);
      for (const k of Object.keys(overlayEnv)) assert.equal((svc.environment as JsonObject | undefined)?.[k], undefined, `${name}: the overlay overrides compose's ${k}`);
      const limits = (svc.deploy as JsonObject | undefined)?.resources as JsonObject | undefined;
      const swarmLimits = ((s.deploy as JsonObject).resources as JsonObject | undefined)?.limits as JsonObject | undefined;
      if (limits) {
        const l = limits.limits as JsonObject;
        assert.equal(String(swarmLimits?.cpus), String(l.cpus), `${name} cpus`);
        assert.equal(swarmLimits?.memory, l.memory, `${name} memory`);
        assert.equal(swarmLimits?.pids, l.pids, `${name} pids`);
      }
      // Healthcheck timings are compose's; only the api's test differs (readiness gates the rollout).
      const hc = svc.healthcheck as JsonObject | undefined;
      for (const k of ['interval', 'timeout', 'retries', 'start_period']) assert.equal((s.healthcheck as JsonObject | undefined)?.[k], hc?.[k], `${name}.healthcheck.${k}`);
      // Every config file mounted by compose is in the stack, with the same content.
      for (const v of (svc.volumes as JsonObject[] | undefined) ?? []) {
        if (v.type !== 'bind') continue;
        const targets = ((s.configs as JsonObject[] | undefined) ?? []).map((c) => String(c.target));
        assert.ok(targets.some((t) => t === v.target || t.startsWith(`${String(v.target)}/`)), `${name}: ${String(v.source)} is not a config`);
      }
      // The same networks (the session store's internal one included), and the same secrets under the same names.
      assert.deepEqual(Object.keys((s.networks as JsonObject | undefined) ?? {}).sort(), Object.keys((svc.networks as JsonObject | undefined) ?? {}).sort(), `${name}.networks`);
      assert.deepEqual(((s.secrets as JsonObject[] | undefined) ?? []).map((r) => r.target).sort(), ((svc.secrets as JsonObject[] | undefined) ?? []).map((r) => r.target ?? r.source).sort(), `${name}.secrets`);
      for (const key of ['build', 'depends_on', 'profiles', 'restart', 'tmpfs', 'security_opt']) assert.equal(s[key], undefined, `${name}.${key} must not reach the stack`);
      assert.equal((s.deploy as JsonObject).endpoint_mode, 'dnsrr', `${name}: no IPVS, so no virtual IP`);
    }
    // compose's networks are overlays on the swarm; an internal one (the session store's) stays internal.
    for (const [name, net] of Object.entries((config.networks as Record<string, JsonObject> | undefined) ?? {})) {
      const swarmNet = (stack.networks as Record<string, JsonObject>)[name];
      assert.equal(swarmNet?.driver, 'overlay', `networks.${name}`);
      assert.equal(swarmNet?.internal === true, net.internal === true, `networks.${name}.internal`);
    }
    const configs = stack.configs as Record<string, JsonObject>;
    for (const c of Object.values(configs)) {
      const content = readFileSync(String(c.file));
      assert.match(String(c.name), /_[0-9a-f]{12}$/, 'named by content hash');
      assert.ok(content.length > 0, `${String(c.file)} is empty`);
    }
  });
}

// make test-swarm merges tests/swarm/stack.test-overlay.yaml (shorter healthchecks and monitor): the rule holds there too.
const testOverlay = merge(overlay, parse(readFileSync(path.join(repoRoot, 'tests/swarm/stack.test-overlay.yaml'), 'utf8')) as JsonObject) as JsonObject;

test('the test overlay changes only the api\'s healthcheck timings and its update/rollback waits', () => {
  const api = ((parse(readFileSync(path.join(repoRoot, 'tests/swarm/stack.test-overlay.yaml'), 'utf8')) as JsonObject).services as JsonObject).api as JsonObject;
  assert.deepEqual(Object.keys(api).sort(), ['deploy', 'healthcheck']);
  assert.deepEqual(Object.keys(api.healthcheck as JsonObject).sort(), ['interval', 'retries', 'start_period', 'timeout']);
});

for (const [which, over] of [['production', overlay], ['make test-swarm', testOverlay]] as const) test(`${which}: the api rolls out start-first, rolls back on failure, and monitors long enough to see a late failure`, async () => {
  const config = await composeConfig(['compose.yaml']);
  const api = (toStack(config, over, { stack: 'scaleout' }).services as Record<string, JsonObject>).api!;
  const deploy = api.deploy as JsonObject;
  const update = deploy.update_config as JsonObject;
  assert.equal(update.order, 'start-first');
  assert.equal(update.failure_action, 'rollback');
  assert.ok(deploy.rollback_config, 'rollback_config');
  const hc = api.healthcheck as JsonObject;
  const secs = (v: unknown): number => Number(/^(\d+)s$/.exec(String(v))?.[1] ?? NaN);
  const slowestFailure = secs(hc.start_period) + secs(hc.interval) * Number(hc.retries);
  assert.ok(secs(update.monitor) >= slowestFailure && secs((deploy.rollback_config as JsonObject).monitor) >= slowestFailure, `monitor ${String(update.monitor)} < start_period + interval x retries = ${slowestFailure} s`);
  assert.match(JSON.stringify(hc.test), /\/readyz/, 'the healthcheck that gates the rollout is readiness');
  assert.equal(api.hostname, 'api-{{.Task.Slot}}');
  const nginx = (toStack(config, overlay, { stack: 'scaleout' }).services as Record<string, JsonObject>).nginx!;
  assert.equal(((nginx.deploy as JsonObject).update_config as JsonObject).order, 'stop-first', 'a host port cannot be bound twice');
  // Every published port (HTTP and HTTPS) host mode: no routing mesh (no IPVS here; nginx does the choosing).
  const modes = (nginx.ports as JsonObject[]).map((p) => p.mode);
  assert.ok(modes.length >= 1 && modes.every((m) => m === 'host'), `nginx ports: ${JSON.stringify(nginx.ports)}`);
  assert.equal((nginx.environment as JsonObject).API_UPSTREAM_HOST, 'tasks.api');
});
