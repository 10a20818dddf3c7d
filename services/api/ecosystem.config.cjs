// pm2 ecosystem file: the ONE place that says how the api runs (container and host alike).
//   npm start  ==  pm2-runtime start ecosystem.config.cjs
// pm2-runtime stays in the foreground (PID 1 in the container) and is the cluster primary: it forks
// the workers, shares port PORT between them, restarts the ones that die, and streams their stdout.
//
// CommonJS (.cjs) because pm2 loads ecosystem files with require(). The cgroup logic lives once, in
// src/runtime-limits/cgroup-limits.ts (unit-tested); `npm run build` bundles it as CommonJS for us.
'use strict';

const os = require('node:os');
const path = require('node:path');
const { planWorkers } = require('./dist/cgroup-limits.cjs');

const env = process.env;
const drainTimeoutMs = Number(env.DRAIN_TIMEOUT_MS || 10000);

// Worker count = the container's CPU limit (cgroup v2 cpu.max or v1 cfs quota, rounded up), else the
// host's cores; WORKERS overrides. Not `instances: 'max'`: pm2 counts the host's cores even inside a
// CPU-limited container (https://github.com/Unitech/pm2/issues/4347), so a 2-CPU container on a
// 32-core host would start 32 workers. Memory per worker = container limit / workers (see below).
const plan = planWorkers(env, os.availableParallelism());

const nodeArgs = [];
// Old-generation heap cap per worker (HEAP_RATIO of its share, default 0.6), so V8 collects garbage
// harder before the container's OOM killer steps in. Unset without a memory limit: V8's default then.
if (plan.maxOldSpaceSizeMb !== undefined) nodeArgs.push(`--max-old-space-size=${plan.maxOldSpaceSizeMb}`);

const app = {
  name: 'api',
  script: path.join(__dirname, 'dist/main.js'),
  cwd: __dirname,

  // cluster: pm2 forks `instances` Node workers that share one listening port (Node's cluster module);
  // the app stays single-process code.
  exec_mode: 'cluster',
  instances: plan.workers,

  // wait_ready: pm2 counts a worker as started when it sends process.send('ready') (after it listens
  // and its metrics port is bound), not when the process merely exists. A reload therefore waits for
  // the new worker before stopping the old one. NEVER_READY=true never sends it (a broken release).
  wait_ready: true,
  // listen_timeout: how long pm2 waits for 'ready'. A worker is ready in well under 2 s; 10 s covers a
  // cold, CPU-starved start. After it pm2 carries on as if ready (pm2 has no "failed to become ready").
  listen_timeout: 10000,
  // kill_timeout: pm2 sends SIGINT, waits this long, then SIGKILL. The app drains for up to
  // DRAIN_TIMEOUT_MS, so give it that plus 5 s. Must stay below compose's stop_grace_period (30 s),
  // or Docker SIGKILLs the whole container first and the drain is cut short.
  kill_timeout: drainTimeoutMs + 5000,

  // RSS above which pm2 restarts a worker (MEMORY_RESTART_RATIO of its share, default 0.8): a leaking
  // worker is replaced gracefully before the container as a whole hits its limit and gets OOM-killed
  // (post 002's 384 MB restarts). Unset without a container memory limit.
  // Graceful because in cluster mode pm2 *reloads* it (lib/Worker.js calls God.reloadProcessId): the
  // replacement starts and sends 'ready' before the old worker gets SIGINT and drains. pm2 checks RSS only
  // every 30 s (PM2_WORKER_INTERVAL), so the 20% left above this threshold is what a leak may eat between
  // two checks; tests/faults/20-memory-leak.test.ts leaks 128 MiB at once and gets OOMKilled=false, 0 failed.
  ...(plan.maxMemoryRestart !== undefined ? { max_memory_restart: plan.maxMemoryRestart } : {}),
  node_args: nodeArgs,

  // Logs: workers write JSON to stdout; pm2-runtime forwards it to its own stdout (docker logs).
  // No log files: they would fill a read-only or tmpfs filesystem and nobody reads them in a container.
  out_file: '/dev/null',
  error_file: '/dev/null',
  merge_logs: true,

  // pmx/automation inject @pm2/io (metrics, remote actions) into every worker; we have Prometheus.
  // vizion reads git metadata from the app directory; there is no .git in the image.
  pmx: false,
  automation: false,
  vizion: false,
  autorestart: true,
  // Crash loops, as pm2 7 really handles them (lib/God.js handleExit; tests/faults/10-worker-crash.test.ts
  // shows it in a container). These are pm2's defaults, stated so nobody has to guess:
  //  - a restart is "unstable" if the worker lived < min_uptime AND the app was started < min_uptime x
  //    max_restarts (16 s) ago; after max_restarts unstable ones pm2 stops the worker ("errored");
  //  - the 16 s window counts from the app's start, not from the last crash, so only a loop that begins at
  //    start (a broken release) is given up on; a worker that crash-loops later is restarted forever (each
  //    time within ~0.6 s; the WorkerRestarts alert catches that case);
  //  - once every worker is errored, pm2-runtime exits (its auto-exit, on by default: 3 checks 2 s apart)
  //    with code 2, or 0 when pm2's in-process shutdown wins a race (lib/Daemon.js), so compose uses
  //    `restart: unless-stopped`, which restarts on any code; `on-failure` would not.
  // https://pm2.keymetrics.io/docs/usage/restart-strategies/
  min_uptime: 1000,
  max_restarts: 16,

  env: {
    // Workers learn the count to find their siblings' metrics ports (METRICS_WORKER_PORT_BASE + i).
    WORKERS: String(plan.workers),
    PORT: env.PORT || '3000',
    NODE_ENV: env.NODE_ENV || 'production',
  },
};

// NODE_CLUSTER_SCHED_POLICY ("rr" or "none") is read by the cluster *primary*, i.e. pm2-runtime itself,
// when it loads Node's cluster module, which happens before this file is read. Set it in the
// container's environment (compose `environment:`), not here; pm2 passes it on to workers unchanged.

module.exports = { apps: [app] };
