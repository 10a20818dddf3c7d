// Scenario 6: hardening, checked on the RUNNING stack (docker inspect and HTTP through nginx), not on the
// compose file: what Docker actually applied is what counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseUrl } from '../lib/stack.js';
import { containersOf, docker, inspect, logsSince, nodeInContainer, projectContainers, projectName, resolvedConfig, stackComposeCommand } from '../../tools/lib/docker.js';
import { composeNginx, composeWritablePaths } from '../lib/k8sChecks.js';

test('api containers: non-root, read-only root fs with tmpfs (PM2_HOME included), cap_drop ALL, no-new-privileges, memory/cpu/pids limits', async () => {
  const containers = await containersOf('api');
  assert.ok(containers.length >= 1);
  for (const c of containers) {
    const info = await inspect(c);
    const h = info.HostConfig;
    assert.ok(info.Config.User !== '' && !/^(root|0)(:|$)/.test(info.Config.User), `${c} runs as ${info.Config.User || 'root'}`);
    assert.equal(h.ReadonlyRootfs, true, `${c}: root filesystem is writable`);
    assert.deepEqual(h.CapDrop, ['ALL'], `${c}: cap_drop ${JSON.stringify(h.CapDrop)}`);
    assert.ok(!h.CapAdd || h.CapAdd.length === 0, `${c}: cap_add ${JSON.stringify(h.CapAdd)}`);
    assert.equal(h.Privileged, false);
    assert.ok(h.SecurityOpt?.some((o) => /^no-new-privileges(:true)?$/.test(o)), `${c}: security_opt ${JSON.stringify(h.SecurityOpt)}`);
    assert.ok(h.Memory > 0 && h.NanoCpus > 0 && (h.PidsLimit ?? 0) > 0, `${c}: limits memory=${h.Memory} cpus=${h.NanoCpus} pids=${h.PidsLimit}`);
    // Inside: the process really is unprivileged, / is read-only, and PM2_HOME is on a writable tmpfs.
    const probe = JSON.parse(await nodeInContainer(c, `
      const fs = require('node:fs');
      const writable = (p) => { try { fs.writeFileSync(p, 'x'); fs.unlinkSync(p); return true; } catch { return false; } };
      const mounts = fs.readFileSync('/proc/mounts', 'utf8');
      const home = process.env.PM2_HOME;
      const capEff = fs.readFileSync('/proc/1/status', 'utf8').match(/CapEff:\\s*(\\w+)/)[1];
      console.log(JSON.stringify({ uid: process.getuid(), pm2Home: home, rootWritable: writable('/probe'), homeWritable: writable(home + '/probe'),
        homeOnTmpfs: mounts.split('\\n').some((l) => { const [, mnt, type] = l.split(' '); return type === 'tmpfs' && (home === mnt || home.startsWith(mnt + '/')); }),
        pid1CapEff: capEff }));`)) as { uid: number; pm2Home: string; rootWritable: boolean; homeWritable: boolean; homeOnTmpfs: boolean; pid1CapEff: string };
    console.log(`# ${c}: user ${info.Config.User} (uid ${probe.uid}), read-only /, PM2_HOME=${probe.pm2Home} on tmpfs, CapEff of PID 1 ${probe.pid1CapEff}, ` +
      `memory ${h.Memory / 1048576} MiB, cpus ${h.NanoCpus / 1e9}, pids ${h.PidsLimit}`);
    assert.notEqual(probe.uid, 0);
    assert.equal(probe.rootWritable, false, `${c}: / is writable`);
    assert.ok(probe.homeWritable && probe.homeOnTmpfs, `${c}: PM2_HOME ${probe.pm2Home} is not a writable tmpfs`);
    assert.match(probe.pid1CapEff, /^0+$/, `${c}: pm2-runtime holds capabilities ${probe.pid1CapEff}`);
  }
});

test('other images run as non-root where upstream allows; every published port binds to 127.0.0.1', async () => {
  for (const c of await projectContainers()) {
    const info = await inspect(c);
    const service = info.Config.Labels['com.docker.compose.service'];
    for (const [port, bindings] of Object.entries(info.HostConfig.PortBindings ?? {})) {
      for (const b of bindings ?? []) assert.equal(b.HostIp, '127.0.0.1', `${c} publishes ${port} on ${b.HostIp || '0.0.0.0'}`);
    }
    if (service === 'nginx') {
      // The official nginx image starts its master as root and drops the workers to `nginx`; the master only
      // reads the config and binds. Check the processes that handle traffic.
      const top = (await docker(['top', c, '-o', 'pid,uid,args'])).split('\n').filter((l) => l.includes('nginx: worker process'));
      assert.ok(top.length > 0 && top.every((l) => l.trim().split(/\s+/)[1] !== '0'), `nginx workers run as root: ${top.join(' | ')}`);
      console.log(`# ${c}: master root (upstream image), ${top.length} workers as uid ${top[0]?.trim().split(/\s+/)[1]}`);
    } else {
      assert.ok(info.Config.User !== '' && !/^(root|0)(:|$)/.test(info.Config.User), `${c} runs as root`);
      console.log(`# ${c}: user ${info.Config.User}`);
    }
  }
});

test('nginx: read-only root, writable only at the tmpfs paths (the Kubernetes pod\'s), request bodies buffered there', async () => {
  const [c] = await containersOf('nginx');
  assert.ok(c, 'no nginx container');
  const h = (await inspect(c)).HostConfig;
  assert.equal(h.ReadonlyRootfs, true, `${c}: root filesystem is writable`);
  // compose.yaml's list, which make k8s-validate keeps equal to the pod's writable mounts: Docker applied exactly it.
  assert.deepEqual(Object.keys(h.Tmpfs ?? {}).sort(), composeWritablePaths(composeNginx()), `${c}: tmpfs ${JSON.stringify(h.Tmpfs)}`);
  await assert.rejects(docker(['exec', c, 'sh', '-c', ': > /etc/nginx/probe']), /Read-only file system/, `${c}: / is writable`);
  // A body over client_body_buffer_size (128k) goes to client_body_temp_path: on this root, only a path nginx.conf
  // names under the /var/cache/nginx tmpfs can hold it. The app then answers with its own 413 (over its 100 kB).
  const since = new Date(Date.now() - 1000).toISOString();
  const res = await fetch(`${baseUrl}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(512 * 1024) }) });
  const text = await res.text();
  assert.equal(res.status, 413, `POST /echo 512 KiB: ${res.status} ${text.slice(0, 200)}`);
  assert.ok(res.headers.get('x-served-by'), `the app did not answer: ${text.slice(0, 200)}`);
  const { stderr } = await logsSince(c, since);
  const buffered = stderr.split('\n').find((l) => l.includes('buffered to a temporary file'));
  assert.match(buffered ?? '', /\/var\/cache\/nginx\/client_temp\//, `nginx did not log a temp file under /var/cache/nginx:\n${stderr.slice(-2000)}`);
  console.log(`# ${c}: read-only /, tmpfs ${Object.keys(h.Tmpfs ?? {}).join(' ')}; ${buffered?.replace(/^.*\] /, '').slice(0, 120)}`);
});

test('responses: no Server version, no X-Powered-By, on app answers, app errors and nginx errors alike', async () => {
  for (const path of ['/whoami', '/no/such/route', '/metrics', `/echo`]) {
    const res = await fetch(`${baseUrl}${path}`, path === '/echo' ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(2 * 1024 * 1024) } : {});
    await res.arrayBuffer();
    const server = res.headers.get('server');
    assert.ok(server === null || server === 'nginx', `${path}: Server: ${server}`);
    assert.equal(res.headers.get('x-powered-by'), null, `${path}: X-Powered-By: ${res.headers.get('x-powered-by')}`);
  }
});

test('not reachable through nginx: /metrics, pm2, Prometheus and Grafana admin', async () => {
  const paths = ['/metrics', '/METRICS', '/metrics/', '/%6Detrics', '//metrics',
    // pm2's HTTP interface (`pm2 web`, port 9615) is not started; its paths must not reach anything either.
    '/pm2', '/pm2/jlist', ':9615/',
    // Prometheus admin and lifecycle APIs, Grafana's admin API and login.
    '/-/reload', '/-/quit', '/api/v1/admin/tsdb/delete_series', '/api/v1/query?query=up', '/api/admin/users', '/login', '/grafana/api/admin/settings'];
  for (const path of paths) {
    if (path.startsWith(':')) continue; // a port, checked below
    for (const method of ['GET', 'POST']) {
      const res = await fetch(`${baseUrl}${path}`, { method });
      const text = await res.text();
      assert.ok([404, 405].includes(res.status), `${method} ${path} answered ${res.status}: ${text.slice(0, 120)}`);
      // What each would answer if it were reachable: metrics text, pm2's process list, Prometheus' or Grafana's API.
      assert.doesNotMatch(text, /# HELP|# TYPE|pm2_env|"status":"success"|"resultType"|<title>Grafana|"isGrafanaAdmin"/, `${method} ${path} leaks: ${text.slice(0, 200)}`);
    }
  }
  // The api containers publish nothing (only nginx reaches them), so pm2's and the metrics ports are not on the host.
  for (const c of await containersOf('api')) {
    const bindings = Object.values((await inspect(c)).HostConfig.PortBindings ?? {}).flat();
    assert.equal(bindings.length, 0, `${c} publishes ports: ${JSON.stringify(bindings)}`);
  }
});

test('Grafana\'s admin password comes from a secret file (*_FILE), never inline', async () => {
  // Checked in the resolved compose config: offline mode has no Grafana container to inspect.
  const files = stackComposeCommand().filter((_, i, a) => a[i - 1] === '-f');
  const config = await resolvedConfig(files.length > 0 ? files : ['compose.yaml']);
  const env = config.services.grafana?.environment ?? {};
  assert.equal(env.GF_SECURITY_ADMIN_PASSWORD__FILE, '/run/secrets/grafana_admin_password');
  assert.ok(!('GF_SECURITY_ADMIN_PASSWORD' in env), 'the password is inline in the environment');
});
