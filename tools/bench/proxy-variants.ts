// Which nginx settings make the proxy hop cheaper (issue 11, part 4), measured side by side in one run:
//   make bench-proxy-variants   [RUNS=3] [VARIANTS="workers-auto gzip-off"]   (SLICE_MS=500 CYCLES=8 in the environment)
// Starts the stack with one api replica (like make bench-proxy), then runs one extra nginx container per variant
// next to the stack's own: the same image, mounts, environment, tmpfs, CPU/memory/pids limits and log driver as the
// stack's nginx (copied from `docker inspect`), with one file changed (a text edit of nginx/nginx.conf or a
// snippet, written to a temp folder and mounted over the original). "baseline" is such a copy with nothing
// changed, so every variant is started the same way. One load generator in a container on the stack's network
// (tools/bench/http-load-interleaved.mjs, 32 keep-alive connections per variant) cycles through all variants in
// 500 ms slices, so contention from other work on the machine hits them alike. Per slice: requests/s, and its ratio
// to the baseline slice of the same cycle (the table shows the median ratio). Per round: nginx CPU per request
// (the variant container's cgroup CPU ÷ its stub_status count). Then the log driver: baseline (json-file) and
// log-driver-local alone in turns, with dockerd's CPU read around each run.
// Variants marked "bound" change behaviour (no access log, no /metrics block): they are not candidates, they show
// how much the thing they remove costs at most. The extra containers are removed at the end, then `make down`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '../lib/repo.js';

const RUNS = Number(process.env.RUNS ?? 3);
const SLICE_MS = Number(process.env.SLICE_MS ?? 500);
const CYCLES = Number(process.env.CYCLES ?? 8);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32);
const PROJECT = process.env.COMPOSE_PROJECT_NAME ?? 'scaleout';
const MODE = process.env.STACK_MODE ?? 'offline';
const compose = [...(process.env.COMPOSE_STACK ?? 'docker compose -f compose.yaml').split(/\s+/).filter(Boolean), '-f', 'tools/bench/compose.direct.yaml'];
const loadScript = path.join(repoRoot, 'tools/bench/http-load-interleaved.mjs');

/** One candidate: a text edit of one nginx file (repo-relative), which must change the file. */
interface Variant {
  readonly name: string;
  readonly what: string;
  /** Changes behaviour: only shows what the removed thing costs. */
  readonly bound?: boolean;
  readonly file?: string;
  readonly from?: RegExp;
  readonly to?: string;
  /** docker run's --log-driver instead of the stack's (json-file). */
  readonly logDriver?: string;
}

const ALL_VARIANTS: readonly Variant[] = [
  { name: 'baseline', what: 'nginx/ as committed (a copy started like the others)' },
  { name: 'aa-control', what: 'a second unchanged copy (A/A): its ratios show the noise floor of this run' },
  { name: 'workers-auto', what: 'worker_processes auto (one per host core: 2) instead of the committed 1 (nginx has cpus: 1 in compose.yaml)',
    file: 'nginx/nginx.conf', from: /^worker_processes 1;$/m, to: 'worker_processes auto;' },
  { name: 'gzip-off', what: 'gzip off (/whoami is below gzip_min_length 1024 anyway)',
    file: 'nginx/nginx.conf', from: /^(\s*)gzip(\s+)on;$/m, to: '$1gzip$2off;' },
  { name: 'keepalive-64', what: 'upstream keepalive 64 idle connections per worker instead of 32',
    file: 'nginx/snippets/upstream-keepalive.conf', from: /^keepalive 32;$/m, to: 'keepalive 64;' },
  { name: 'no-metrics-regex', bound: true, what: 'bound: the /metrics regex location removed (what a prefix location could save at most)',
    file: 'nginx/snippets/api-server.conf', from: /^location ~\* \^\/metrics\(\?:\/\|\$\) \{[\s\S]*?\n\}\n/m, to: '' },
  { name: 'log-unbuffered', bound: true, what: 'bound: access log without buffer= / flush= (what the committed buffering saves)',
    file: 'nginx/nginx.conf', from: /^(\s*)access_log \/dev\/stdout json buffer=64k flush=1s;$/m, to: '$1access_log /dev/stdout json;' },
  { name: 'log-off', bound: true, what: 'bound: access_log off (what the access log costs in all)',
    file: 'nginx/nginx.conf', from: /^(\s*)access_log \/dev\/stdout json buffer=64k flush=1s;$/m, to: '$1access_log off;' },
  { name: 'log-driver-local', what: 'Docker\'s `local` log driver instead of json-file (host side: nginx.conf unchanged)', logDriver: 'local' },
];
const wanted = (process.env.VARIANTS ?? '').split(/\s+/).filter(Boolean);
const unknown = wanted.filter((w) => !ALL_VARIANTS.some((v) => v.name === w));
if (unknown.length > 0) {
  console.error(`unknown VARIANTS: ${unknown.join(' ')} (known: ${ALL_VARIANTS.map((v) => v.name).join(' ')})`);
  process.exit(2);
}
const VARIANTS = wanted.length === 0 ? ALL_VARIANTS : ALL_VARIANTS.filter((v) => v.name === 'baseline' || wanted.includes(v.name));

function sh(cmd: string[]): string {
  return execFileSync(cmd[0]!, cmd.slice(1), { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const log = (msg: string): void => void process.stderr.write(`==> ${msg}\n`);
const loadAverage = (): string => os.loadavg().map((x) => x.toFixed(1)).join(' ');

interface Inspect {
  Config: { Image: string; Env: string[] };
  HostConfig: { Tmpfs: Record<string, string> | null; NanoCpus: number; Memory: number; PidsLimit: number | null; LogConfig: { Type: string; Config: Record<string, string> } };
  Mounts: Array<{ Type: string; Source: string; Destination: string; RW: boolean }>;
}

/** `docker run` arguments that start a copy of the stack's nginx container, with some files mounted over. */
function copyArgs(spec: Inspect, name: string, overrides: Map<string, string>, logDriver?: string): string[] {
  const args = ['run', '-d', '--name', name, '--label', `scaleout.bench=${PROJECT}`, '--network', `${PROJECT}_default`];
  for (const m of spec.Mounts) if (m.Type === 'bind' && !overrides.has(m.Destination)) args.push('-v', `${m.Source}:${m.Destination}:${m.RW ? 'rw' : 'ro'}`);
  for (const [target, source] of overrides) args.push('-v', `${source}:${target}:ro`);
  for (const [target, opts] of Object.entries(spec.HostConfig.Tmpfs ?? {})) args.push('--tmpfs', opts ? `${target}:${opts}` : target);
  for (const e of spec.Config.Env) args.push('-e', e);
  if (spec.HostConfig.NanoCpus) args.push('--cpus', String(spec.HostConfig.NanoCpus / 1e9));
  if (spec.HostConfig.Memory) args.push('--memory', String(spec.HostConfig.Memory));
  if (spec.HostConfig.PidsLimit) args.push('--pids-limit', String(spec.HostConfig.PidsLimit));
  args.push('--log-driver', logDriver ?? spec.HostConfig.LogConfig.Type);
  if (logDriver === undefined) for (const [k, v] of Object.entries(spec.HostConfig.LogConfig.Config)) args.push('--log-opt', `${k}=${v}`);
  args.push(spec.Config.Image);
  return args;
}

function cgroupCpuMicros(container: string): number {
  const out = sh(['docker', 'exec', container, 'sh', '-c',
    'if [ -f /sys/fs/cgroup/cpu.stat ]; then echo v2 $(grep usage_usec /sys/fs/cgroup/cpu.stat); else echo v1 $(cat /sys/fs/cgroup/cpuacct/cpuacct.usage 2>/dev/null || cat /sys/fs/cgroup/cpu,cpuacct/cpuacct.usage); fi']).trim();
  const [version, ...rest] = out.split(/\s+/);
  return version === 'v2' ? Number(rest[1]) : Number(rest[0]) / 1000;
}

function nginxRequests(container: string): number {
  const out = sh(['docker', 'exec', container, 'wget', '-q', '-O', '-', 'http://127.0.0.1:8081/stub_status']);
  const m = /\n\s*\d+\s+\d+\s+(\d+)/.exec(out);
  if (!m) throw new Error(`unexpected stub_status: ${out}`);
  return Number(m[1]);
}

function dockerdCpuMicros(): number {
  try {
    const pid = Number(readFileSync('/var/run/docker.pid', 'utf8').trim());
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return NaN;
  }
}

interface SliceResult { url: string; requests: number; errors: number; sliceRps: number[] }

/** The interleaved load generator in a throw-away container on the stack's network, run by the api image's node. */
function interleaved(urls: string[], cycles: number): SliceResult[] {
  const image = `${process.env.API_IMAGE_REPO ?? 'scaleout/api'}:${process.env.API_VERSION ?? 'dev'}`;
  const out = sh(['docker', 'run', '--rm', '--network', `${PROJECT}_default`, '--cpus', '1', '-v', `${loadScript}:/bench/load.mjs:ro`,
    '--entrypoint', 'node', image, '/bench/load.mjs', String(CONNECTIONS), String(SLICE_MS), String(cycles), ...urls]);
  return JSON.parse(out) as SliceResult[];
}

async function waitServing(container: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if (spawnSync('docker', ['exec', container, 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/whoami']).status === 0) return;
    await sleep(500);
  }
  throw new Error(`${container} does not answer /whoami: docker logs ${container}`);
}

async function main(): Promise<void> {
  log(`make up, then one api replica (tools/bench/compose.direct.yaml); load average ${loadAverage()}`);
  sh(['make', 'up']);
  sh([...compose, 'up', '-d', '--wait', '--scale', 'api=1']);
  await sleep(3000);
  const stackNginx = sh([...compose, 'ps', '-q', 'nginx']).trim().split('\n')[0]!;
  const spec = (JSON.parse(sh(['docker', 'inspect', stackNginx])) as Inspect[])[0]!;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-proxy-variants-'));
  const containers = new Map<string, string>();
  try {
    for (const v of VARIANTS) {
      const overrides = new Map<string, string>();
      if (v.file !== undefined) {
        const original = readFileSync(path.join(repoRoot, v.file), 'utf8');
        const edited = original.replace(v.from!, v.to!);
        if (edited === original) throw new Error(`variant ${v.name}: ${v.from} does not match ${v.file} any more`);
        const source = path.join(tmp, `${v.name}-${path.basename(v.file)}`);
        writeFileSync(source, edited);
        const target = spec.Mounts.find((m) => m.Source === path.join(repoRoot, v.file!))?.Destination
          ?? `/etc/nginx/${path.relative('nginx', v.file)}`;
        overrides.set(target, source);
      }
      const name = `${PROJECT}-bench-nginx-${v.name}`;
      spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
      sh(['docker', ...copyArgs(spec, name, overrides, v.logDriver)]);
      containers.set(v.name, name);
    }
    for (const name of containers.values()) await waitServing(name);
    log(`variants running: ${[...containers.keys()].join(', ')}; warm-up`);
    interleaved([...containers.values()].map((n) => `http://${n}:8080/whoami`), 1);

    // Phase 1, all variants interleaved: per round, one load generator cycles through every variant in slices;
    // the variants' cgroup CPU and stub_status counters are read before and after the round (an idle nginx uses
    // next to nothing between its slices).
    const cpuPerReq = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
    const rpsRatios = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
    const rpsAll = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
    const loads: string[] = [];
    const names = VARIANTS.map((v) => containers.get(v.name)!);
    for (let round = 0; round < RUNS; round++) {
      const before = names.map((n) => [cgroupCpuMicros(n), nginxRequests(n)] as const);
      const result = interleaved(names.map((n) => `http://${n}:8080/whoami`), CYCLES);
      const after = names.map((n) => [cgroupCpuMicros(n), nginxRequests(n)] as const);
      const base = result[0]!;
      VARIANTS.forEach((v, i) => {
        const r = result[i]!;
        if (r.errors > 0 || r.requests === 0) throw new Error(`${v.name}: ${r.errors} errors, ${r.requests} requests`);
        cpuPerReq.get(v.name)!.push((after[i]![0] - before[i]![0]) / (after[i]![1] - before[i]![1]));
        rpsAll.get(v.name)!.push(...r.sliceRps);
        rpsRatios.get(v.name)!.push(...r.sliceRps.map((x, c) => x / base.sliceRps[c]!));
      });
      loads.push(loadAverage());
      log(`round ${round + 1}/${RUNS}: ${VARIANTS.map((v) => `${v.name} ${cpuPerReq.get(v.name)!.at(-1)!.toFixed(1)} µs/req`).join('; ')}; load average ${loads.at(-1)}`);
    }
    // Phase 2, the log driver: dockerd's CPU can't be split between containers, so baseline and log-driver-local
    // take turns alone (one URL per load run), RUNS times each, and dockerd's CPU is read around each run.
    const dockerdPerReq = new Map<string, number[]>();
    const driverPair = VARIANTS.filter((v) => v.name === 'baseline' || v.logDriver !== undefined);
    if (driverPair.length === 2 && !Number.isNaN(dockerdCpuMicros())) {
      for (let round = 0; round < RUNS; round++) {
        for (const v of round % 2 === 0 ? driverPair : [...driverPair].reverse()) {
          const d0 = dockerdCpuMicros();
          const [r] = interleaved([`http://${containers.get(v.name)!}:8080/whoami`], CYCLES);
          const d1 = dockerdCpuMicros();
          dockerdPerReq.set(v.name, [...(dockerdPerReq.get(v.name) ?? []), (d1 - d0) / r!.requests]);
        }
      }
    }

    const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
    console.log(`\nnginx variants, ${new Date().toISOString()}, ${os.cpus().length} cores (${cpu}), ${MODE} images, 1 api replica, GET /whoami, ` +
      `in-network load generator (tools/bench/http-load-interleaved.mjs, ${CONNECTIONS} keep-alive connections per variant), ` +
      `${RUNS} rounds of ${CYCLES} cycles through all ${VARIANTS.length} variants in ${SLICE_MS} ms slices; ` +
      `load average (1/5/15 min) after each round: ${loads.join(' | ')}.\n`);
    console.log('| variant | req/s (median slice) | ÷ baseline (median of slice ratios) | nginx µs CPU/req (per round) | ÷ baseline (median) | what |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    const baseCpu = cpuPerReq.get('baseline')!;
    for (const v of VARIANTS) {
      const c = cpuPerReq.get(v.name)!;
      console.log(`| ${v.name} | ${median(rpsAll.get(v.name)!).toFixed(0)} | ${median(rpsRatios.get(v.name)!).toFixed(3)} | ` +
        `${c.map((x) => x.toFixed(1)).join(', ')} | ${median(c.map((x, i) => x / baseCpu[i]!)).toFixed(3)} | ${v.what} |`);
    }
    if (dockerdPerReq.size === 2) {
      console.log('\n| log driver (nginx\'s JSON access log) | dockerd µs CPU per request, per run | median |\n| --- | --- | --- |');
      for (const [name, xs] of dockerdPerReq) console.log(`| ${name === 'baseline' ? 'json-file (compose.yaml)' : name} | ${xs.map((x) => x.toFixed(1)).join(', ')} | **${median(xs).toFixed(1)}** |`);
    }
    console.log('\nSlice ratios pair each variant with the baseline slice of the same cycle, a few seconds apart at most. dockerd serves every stack on this engine: its figures are an upper bound on a shared machine.');
    console.log('Next: docs/load-generators.md ("Which nginx settings pay") says which variants were adopted and why.');
  } finally {
    for (const name of containers.values()) spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    rmSync(tmp, { recursive: true, force: true });
    log('make down');
    sh(['make', 'down']);
  }
}

await main();
