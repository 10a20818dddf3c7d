// The stack file generator's rules (tools/swarm/src/stack.ts), on a small compose config and a fake file system.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentName, merge, tmpfsMount, toStack, type FileSource, type JsonObject } from '../../tools/swarm/src/stack.js';

const tree: Record<string, string> = {
  '/r/nginx/nginx.conf': 'events {}',
  '/r/nginx/conf.d/10-upstream.conf': 'upstream api {}',
  '/r/nginx/conf.d/README.md': 'for people',
  '/r/nginx/hook.sh': '#!/bin/sh',
  '/r/secret': 's3cret',
};
const files: FileSource = {
  isDirectory: (p) => !(p in tree) && Object.keys(tree).some((f) => f.startsWith(`${p}/`)),
  list: (dir) => Object.keys(tree).filter((f) => f.startsWith(`${dir}/`)).sort(),
  read: (p) => {
    const c = tree[p];
    if (c === undefined) throw new Error(`no file ${p}`);
    return Buffer.from(c);
  },
  isExecutable: (p) => p.endsWith('.sh'),
};

const config: JsonObject = {
  name: 'demo',
  services: {
    api: {
      image: 'demo/api:v1',
      build: { context: '/r/services/api' },
      depends_on: { db: { condition: 'service_healthy' } },
      restart: 'unless-stopped',
      security_opt: ['no-new-privileges:true'],
      tmpfs: ['/tmp:size=64m'],
      command: null,
      read_only: true,
      environment: { LOG_LEVEL: 'info' },
      deploy: { replicas: 3, resources: { limits: { cpus: 0.5, memory: '268435456' } } },
    },
    nginx: {
      image: 'nginx:1.30.6',
      ports: [{ mode: 'ingress', host_ip: '127.0.0.1', target: 8080, published: '18580', protocol: 'tcp' }],
      volumes: [
        { type: 'bind', source: '/r/nginx/nginx.conf', target: '/etc/nginx/nginx.conf', read_only: true },
        { type: 'bind', source: '/r/nginx/conf.d', target: '/etc/nginx/conf.d', read_only: true },
        { type: 'bind', source: '/r/nginx/hook.sh', target: '/docker-entrypoint.d/40-hook.sh', read_only: true },
        { type: 'volume', source: 'data', target: '/data' },
      ],
      secrets: [{ source: 'pw' }],
    },
  },
  volumes: { data: { name: 'demo_data' } },
  networks: { default: { name: 'demo_default', ipam: {} }, store: { name: 'demo_store', internal: true, ipam: {} } },
  secrets: { pw: { name: 'demo_pw', file: '/r/secret' }, extra_ca: { file: '/r/ca' } },
};

const overlay: JsonObject = {
  services: {
    api: { hostname: 'api-{{.Task.Slot}}', deploy: { update_config: { order: 'start-first' } } },
    grafana: { deploy: { replicas: 1 } },
  },
};

test('compose-only keys go, restart and tmpfs are translated, the overlay merges over the rest', () => {
  const stack = toStack(config, overlay, { stack: 'demo', registry: 'reg:5000', files });
  const services = stack.services as Record<string, JsonObject>;
  const api = services.api!;
  for (const key of ['build', 'depends_on', 'restart', 'security_opt', 'tmpfs', 'command']) assert.equal(api[key], undefined, key);
  assert.equal(api.image, 'reg:5000/demo/api:v1');
  assert.equal(api.hostname, 'api-{{.Task.Slot}}');
  assert.deepEqual(api.environment, { LOG_LEVEL: 'info' });
  assert.equal(api.read_only, true);
  assert.deepEqual(api.volumes, [{ type: 'tmpfs', target: '/tmp', tmpfs: { size: 64 * 1024 * 1024 } }]);
  assert.deepEqual(api.deploy, {
    replicas: 3,
    resources: { limits: { cpus: '0.5', memory: '268435456' } },
    endpoint_mode: 'dnsrr',
    restart_policy: { condition: 'any' },
    update_config: { order: 'start-first' },
  });
  // Services the overlay names but compose left out (Grafana offline) stay out.
  assert.equal(services.grafana, undefined);
  // compose's networks become overlays named by the stack; an internal one stays internal.
  assert.deepEqual(stack.networks, { default: { driver: 'overlay', attachable: true }, store: { driver: 'overlay', internal: true } });
});

test('bind mounts become content-named configs, one per file, executables stay executable, READMEs stay out', () => {
  const stack = toStack(config, { services: {} }, { stack: 'demo', files });
  const nginx = (stack.services as Record<string, JsonObject>).nginx!;
  const refs = nginx.configs as JsonObject[];
  assert.deepEqual(refs.map((r) => [r.target, r.mode]), [
    ['/etc/nginx/nginx.conf', 0o444],
    ['/etc/nginx/conf.d/10-upstream.conf', 0o444],
    ['/docker-entrypoint.d/40-hook.sh', 0o555],
  ]);
  const configs = stack.configs as Record<string, JsonObject>;
  assert.equal(refs[0]!.source, contentName('demo', 'nginx.conf', Buffer.from('events {}')));
  assert.equal(configs[String(refs[0]!.source)]!.file, '/r/nginx/nginx.conf');
  // Named volumes stay volumes; ports publish in host mode on the same number.
  assert.deepEqual(nginx.volumes, [{ type: 'volume', source: 'data', target: '/data' }]);
  assert.deepEqual(nginx.ports, [{ mode: 'host', target: 8080, published: 18580, protocol: 'tcp' }]);
  // Secrets are content-named too; the build-only one is not in the stack.
  const secretName = contentName('demo', 'pw', Buffer.from('s3cret'));
  assert.deepEqual(nginx.secrets, [{ source: secretName, target: 'pw', mode: 0o444 }]);
  assert.deepEqual(Object.keys(stack.secrets as JsonObject), [secretName]);
});

test('a changed file gets a new config name (configs are immutable: the change rolls out as an update)', () => {
  assert.notEqual(contentName('s', 'a.conf', Buffer.from('x')), contentName('s', 'a.conf', Buffer.from('y')));
  assert.equal(contentName('s', 'a.conf', Buffer.from('x')), contentName('s', 'a.conf', Buffer.from('x')));
  assert.match(contentName('s', 'weird name!.conf', Buffer.from('x')), /^s_weird-name-\.conf_[0-9a-f]{12}$/);
});

test('a writable bind mount and a tmpfs option Swarm lacks are refused, not silently dropped', () => {
  const writable: JsonObject = { services: { x: { image: 'i', volumes: [{ type: 'bind', source: '/r/secret', target: '/s' }] } } };
  assert.throws(() => toStack(writable, {}, { stack: 's', files }), /writable/);
  assert.throws(() => tmpfsMount('/tmp:mode=1777'), /no Swarm equivalent/);
  assert.deepEqual(tmpfsMount('/run'), { type: 'tmpfs', target: '/run' });
});

test('merge: maps merge key by key, lists and scalars are replaced', () => {
  assert.deepEqual(merge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: 2 }), { a: { b: 1, c: [3] }, d: 1, e: 2 });
});
