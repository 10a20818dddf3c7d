// Checks the resolved compose configuration (what `docker compose config` makes of our files),
// online and offline, against the rules the stack promises: pinned images, ports on loopback,
// limits and healthchecks, and the offline override never shadowing an official image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resolvedConfig, type ComposeConfig } from '../../tools/lib/docker.js';
import { repoRoot } from '../../tools/lib/repo.js';
import { readPins } from '../../tools/lib/pins.js';

// The stand-ins' versions as the Makefile exports them: read from compose.yaml's image pins.
const offlineVersions = Object.fromEntries(
  execFileSync(path.join(repoRoot, 'tools/offline/image-versions.sh'), { encoding: 'utf8' })
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => l.split('=') as [string, string]),
);
// The offline override needs the versions in the environment, as the Makefile exports them.
const offlineEnv = offlineVersions;

let online: ComposeConfig;
let offline: ComposeConfig;

test('compose config resolves online and offline', async () => {
  online = await resolvedConfig(['compose.yaml']);
  offline = await resolvedConfig(['compose.yaml', 'compose.offline.yaml'], offlineEnv);
  // The project is `scaleout` (compose.yaml's `name:`) unless COMPOSE_PROJECT_NAME runs a second copy.
  assert.equal(online.name, process.env.COMPOSE_PROJECT_NAME || 'scaleout');
  assert.match(readFileSync(path.join(repoRoot, 'compose.yaml'), 'utf8'), /^name: scaleout$/m);
  assert.deepEqual(Object.keys(online.services).sort(), ['api', 'api-green', 'api-slow', 'grafana', 'k6', 'nginx', 'nginx-exporter', 'prometheus', 'valkey']);
});

test('every image is pinned to an exact version, never latest', () => {
  for (const [name, svc] of Object.entries(online.services)) {
    assert.ok(svc.image, `${name} has no image`);
    // Built here from this repo and tagged with API_VERSION (api-slow runs the image api builds).
    if (svc.build || svc.image === online.services.api!.image) continue;
    const tag = svc.image.split(':').at(-1) ?? '';
    assert.match(tag, /^v?\d+\.\d+\.\d+/, `${name}: image ${svc.image} is not pinned to x.y.z`);
  }
  assert.match(online.services.api!.build!.args!.NODE_IMAGE!, /^node:\d+\.\d+\.\d+-/);
});

test('the small replica of the skewed scenario is an api in every respect but its CPUs and worker count', () => {
  const api = online.services.api!;
  const slow = online.services['api-slow']!;
  assert.deepEqual(slow.profiles, ['skewed'], 'started only by the skewed comparison');
  assert.equal(slow.build, undefined, 'runs the image api builds, never builds it twice');
  assert.equal(slow.image, api.image);
  for (const key of ['read_only', 'cap_drop', 'security_opt', 'stop_grace_period', 'healthcheck'] as const) {
    assert.deepEqual(slow[key], api[key], `api-slow ${key} differs from api`);
  }
  const { WORKERS: slowWorkers, ...slowEnv } = slow.environment ?? {};
  const { WORKERS: _apiWorkers, ...apiEnv } = api.environment ?? {};
  assert.equal(slowWorkers, '1');
  assert.deepEqual(slowEnv, apiEnv);
  assert.equal(slow.deploy?.resources?.limits?.memory, api.deploy?.resources?.limits?.memory);
  assert.ok(Number(slow.deploy?.resources?.limits?.cpus) < Number(api.deploy?.resources?.limits?.cpus));
});

test('no container_name anywhere (it blocks scaling)', () => {
  for (const [name, svc] of Object.entries(online.services)) {
    assert.equal(svc.container_name, undefined, `${name} sets container_name`);
  }
});

test('published ports bind to 127.0.0.1 by default, and only nginx publishes the api', () => {
  const published: string[] = [];
  for (const [name, svc] of Object.entries(online.services)) {
    for (const p of svc.ports ?? []) {
      assert.equal(p.host_ip, '127.0.0.1', `${name} publishes ${p.published} on ${p.host_ip ?? 'every interface'}`);
      published.push(`${name}:${p.target}`);
    }
  }
  assert.deepEqual(published.sort(), ['grafana:3000', 'nginx:8080', 'nginx:8443', 'prometheus:9090']);
  assert.equal(online.services.api!.ports, undefined, 'the api must not publish a port');
});

test('api has replicas, cpu/memory/pids limits, hardening and a stop grace period', () => {
  const api = online.services.api!;
  assert.equal(api.deploy?.replicas, 3);
  const limits = api.deploy?.resources?.limits;
  assert.equal(Number(limits?.cpus), 2);
  assert.ok(limits?.memory, 'no memory limit');
  assert.ok(limits?.pids, 'no pids limit');
  assert.equal(api.read_only, true);
  assert.deepEqual(api.cap_drop, ['ALL']);
  assert.ok(api.security_opt?.some((o) => o.startsWith('no-new-privileges')));
  assert.ok(api.stop_grace_period, 'no stop_grace_period');
});

test('services that can fail have a healthcheck that can fail', () => {
  for (const name of ['nginx', 'prometheus', 'grafana', 'valkey']) {
    const hc = online.services[name]!.healthcheck;
    assert.ok(hc?.test && hc.test.length > 1, `${name} has no healthcheck test`);
    assert.ok(!hc.test.join(' ').includes('|| true') && !hc.test.join(' ').includes('|| echo'), `${name}'s healthcheck cannot fail`);
  }
  // The api's test lives in its Dockerfile (HEALTHCHECK); compose only tunes the timing.
  const dockerfile = readFileSync(path.join(repoRoot, 'services/api/Dockerfile'), 'utf8');
  assert.match(dockerfile, /^HEALTHCHECK[^]*?healthz/m);
});

test('offline: stand-ins replace every pulled image, are never tagged with an official name, and are the version written beside the pin', () => {
  // The stand-in is the pin's release where Debian has it, else the nearest it has (tools/offline/check-standins.sh).
  const standIns = Object.fromEntries(readPins().map((p) => [p.variable, p.standIn]));
  const expected: Record<string, string> = {
    nginx: `scaleout-offline/nginx:${offlineVersions.NGINX_VERSION}`,
    prometheus: `scaleout-offline/prometheus:${offlineVersions.PROMETHEUS_VERSION}`,
    'nginx-exporter': `scaleout-offline/nginx-exporter:${offlineVersions.NGINX_EXPORTER_VERSION}`,
    valkey: `scaleout-offline/valkey:${offlineVersions.VALKEY_VERSION}`,
  };
  for (const [name, image] of Object.entries(expected)) {
    assert.equal(offline.services[name]!.image, image);
    const variable = `${name.toUpperCase().replace(/-/g, '_')}_IMAGE`;
    const standInVersion = image.split(':').at(-1);
    assert.equal(standInVersion, standIns[variable], `${name}: stand-in ${standInVersion} vs ${standIns[variable]} beside ${variable} in compose.yaml`);
  }
  const args = offline.services.api!.build!.args!;
  assert.equal(args.NODE_IMAGE, `scaleout-offline/node:${offlineVersions.NODE_VERSION}`);
  const officialNode = online.services.api!.build!.args!.NODE_IMAGE!.match(/^node:([\d.]+)-/)?.[1];
  assert.equal(offlineVersions.NODE_VERSION, officialNode, 'offline node version differs from the official image');
  for (const svc of Object.values(offline.services)) {
    if (svc.image) assert.ok(!/^(nginx|prom|grafana|node)[:/]/.test(svc.image) || svc.profiles, `offline uses ${svc.image}`);
  }
  assert.deepEqual(offline.services.grafana!.profiles, ['needs-registry']);
  assert.deepEqual(offline.services.k6!.profiles, ['needs-registry']);
});

test('the session store: no published port, only on the internal network with the api, password from a file secret, bounded memory', () => {
  // The fields this test reads beyond tools/lib/docker.ts's ComposeService.
  type WithNetworks = { networks?: Record<string, unknown>; secrets?: Array<string | { source: string }> };
  const services = online.services as Record<string, (typeof online.services)[string] & WithNetworks>;
  const valkey = services.valkey!;
  assert.equal(valkey.ports, undefined, 'valkey publishes no port');
  assert.deepEqual(Object.keys(valkey.networks ?? {}), ['session-store']);
  const networks = (online as { networks?: Record<string, { internal?: boolean }> }).networks;
  assert.equal(networks?.['session-store']?.internal, true, 'the session-store network is internal');
  for (const api of ['api', 'api-slow', 'api-green']) assert.ok(Object.keys(services[api]!.networks ?? {}).includes('session-store'), `${api} reaches the store`);
  assert.deepEqual(valkey.secrets?.map((s) => (typeof s === 'string' ? s : s.source)), ['session_store_password']);
  assert.doesNotMatch(JSON.stringify(valkey.environment ?? {}), /requirepass|PASSWORD=/i, 'no password in the environment');
  assert.ok(valkey.deploy?.resources?.limits?.memory, 'valkey has a memory limit');
  const conf = readFileSync(path.join(repoRoot, 'valkey/valkey.conf'), 'utf8');
  assert.match(conf, /^maxmemory 80mb$/m);
  assert.match(conf, /^maxmemory-policy volatile-lru$/m);
  assert.match(conf, /^save ""$/m);
  assert.match(conf, /^appendonly no$/m);
  assert.doesNotMatch(conf, /^requirepass/m, 'the password is never in the config file');
});

test('.env.example lists every variable compose.yaml reads (but the image pins), with the same default', () => {
  const composeText = readFileSync(path.join(repoRoot, 'compose.yaml'), 'utf8');
  const example = readFileSync(path.join(repoRoot, '.env.example'), 'utf8');
  const documented = new Map(
    example.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  // Variables the Makefile or one command sets, not meant for .env.
  const perRun = new Set(['RUN_ID', 'K6_SCRIPT', 'EXTRA_CA_FILE']);
  for (const m of composeText.matchAll(/\$\{([A-Z_]+):-([^}]*)\}/g)) {
    const [, name, def] = m as unknown as [string, string, string];
    if (perRun.has(name)) continue;
    // Image pins are written once, in compose.yaml; .env.example says how to override them, not what they are.
    if (name.endsWith('_IMAGE')) {
      assert.ok(!documented.has(name), `.env.example repeats the image pin ${name}: it lives in compose.yaml only`);
      continue;
    }
    assert.ok(documented.has(name), `.env.example does not list ${name}`);
    assert.equal(documented.get(name), def, `${name}: .env.example says ${documented.get(name)}, compose.yaml defaults to ${def}`);
  }
});

test("hash_consistent's ring: nginx is on the internal ring network; no api service is (the operations give each container its slot alias)", () => {
  type WithNetworks = { networks?: Record<string, unknown>; environment?: Record<string, string> };
  const services = online.services as Record<string, (typeof online.services)[string] & WithNetworks>;
  const networks = (online as { networks?: Record<string, { internal?: boolean }> }).networks;
  assert.equal(networks?.ring?.internal, true, 'the ring network is internal');
  assert.ok(Object.keys(services.nginx!.networks ?? {}).includes('ring'), 'nginx resolves the slot names on the ring network');
  // Declared on the ring, compose would attach the api containers with no alias, and a slot alias can only be
  // added by connecting: tools/ops/lib.sh ring_join connects them itself.
  for (const api of ['api', 'api-slow', 'api-green']) assert.ok(!Object.keys(services[api]!.networks ?? {}).includes('ring'), `${api} is not declared on the ring`);
  assert.equal(services.nginx!.environment?.API_RING_PREFIX, 'api-slot-');
  assert.match(services.nginx!.environment?.API_RING_SIZE ?? '', /^\d+$/);
});
