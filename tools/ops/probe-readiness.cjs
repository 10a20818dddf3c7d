// Readiness gate for ONE api container, run inside it: `docker exec -i <container> node - < probe-readiness.cjs`.
// Prints one JSON line and exits 0 only when every pm2 worker of the container is online AND answers /readyz 200.
//
// Why not the container's healthcheck? It asks /healthz (liveness): a worker that started but never became
// ready (NEVER_READY, a broken release) is alive, so Docker calls it "healthy". And why not pm2 itself? pm2's
// reload counts a worker as started after listen_timeout even when it never sent 'ready', then deletes the
// old one (pm2 lib/God/Reload.js, https://github.com/Unitech/pm2/issues/6129), so "pm2 says online" proves
// nothing either. Only the worker's own /readyz says it is ready.
//
// Each probe opens a new connection (agent: false): Node's cluster primary deals connections to its workers
// in turn, so a few probes per worker reach every one of them. X-Served-By (<replica>/<worker>/<pid>) says which
// worker answered; a worker counts as ready only with the pid pm2 lists now (not the one it replaced).
'use strict';
const { execFileSync } = require('node:child_process');
const http = require('node:http');

const port = Number(process.env.PORT || 3000);
const jlist = execFileSync(process.execPath, ['/app/node_modules/pm2/bin/pm2', 'jlist'], { encoding: 'utf8', timeout: 10000 });
const processes = JSON.parse(jlist.slice(jlist.indexOf('['))).map((p) => ({ id: String(p.pm_id), pid: p.pid, status: p.pm2_env.status }));

function probe() {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/readyz', agent: false, timeout: 2000 }, (res) => {
      res.resume();
      const [, worker, pid] = String(res.headers['x-served-by'] || '').split('/');
      resolve({ status: res.statusCode, worker, pid: Number(pid) });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: null, error: err.code || err.message }));
  });
}

(async () => {
  const ready = new Set();
  const notReady = new Set();
  const errors = [];
  const notOnline = processes.filter((p) => p.status !== 'online').map((p) => `${p.id}:${p.status}`);
  for (let i = 0; i < processes.length * 6 && ready.size < processes.length; i++) {
    const r = await probe();
    const current = processes.find((p) => p.id === r.worker && p.pid === r.pid);
    if (r.status === 200 && current) ready.add(current.id);
    else if (r.status === null) errors.push(r.error);
    else if (current) notReady.add(current.id);
  }
  const ok = processes.length > 0 && notOnline.length === 0 && ready.size === processes.length;
  const reason = ok ? 'every worker ready'
    : processes.length === 0 ? 'pm2 lists no worker'
    : notOnline.length > 0 ? `workers not online: ${notOnline.join(' ')}`
    : `workers without /readyz 200: ${processes.filter((p) => !ready.has(p.id)).map((p) => p.id).join(' ')}` +
      (notReady.size > 0 ? ' (they answer 503)' : '') + (errors.length > 0 ? ` (errors: ${[...new Set(errors)].join(' ')})` : '');
  console.log(JSON.stringify({ ok, reason, workers: processes }));
  process.exit(ok ? 0 : 1);
})();
