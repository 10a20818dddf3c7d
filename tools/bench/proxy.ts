// The cost of the proxy hop (issue 11, part 4), side by side in one run. Prints a Markdown table with the machine
// and the date.
//   make bench-proxy       (starts the stack with one api replica and its port published, measures, then `make down`)
// Measures, RUNS times each (medians), with one load generator, tools/bench/http-load.mjs:
//   1. nginx's CPU per proxied GET /whoami: the nginx container's cgroup CPU counter (v1 cpuacct.usage, v2 cpu.stat
//      usage_usec) ÷ the requests nginx served in that time (stub_status), during the in-network 32-connection run.
//   2. The latency nginx adds at one connection: p50 and p99 through nginx − direct to the same replica, in-network.
//   3. Throughput through nginx ÷ direct at 32 connections, from a container on the stack's network (the api image's
//      node, so Docker's userland proxy is on neither path), and again from the host (through the published ports).
// Everything shares the machine's cores with the load generator; figures are only comparable within one run.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '../lib/repo.js';
import { baseUrl, httpPort } from '../lib/stackUrls.js';

const RUNS = Number(process.env.RUNS ?? 5);
const DURATION_SEC = Number(process.env.DURATION_SEC ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32);
const DIRECT_PORT = process.env.DIRECT_API_PORT ?? '18080';
const PROJECT = process.env.COMPOSE_PROJECT_NAME ?? 'scaleout';
const MODE = process.env.STACK_MODE ?? 'offline';
const compose = [...(process.env.COMPOSE_STACK ?? 'docker compose -f compose.yaml').split(/\s+/).filter(Boolean), '-f', 'tools/bench/compose.direct.yaml'];
const loadScript = path.join(repoRoot, 'tools/bench/http-load.mjs');

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

function sh(cmd: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(cmd[0]!, cmd.slice(1), { cwd: repoRoot, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const log = (msg: string): void => void process.stderr.write(`==> ${msg}\n`);
const fmt = (xs: number[], digits: number): string => xs.map((x) => x.toFixed(digits)).join(', ');

function containerOf(service: string): string {
  const id = sh([...compose, 'ps', '-q', service]).trim().split('\n')[0];
  if (!id) throw new Error(`no running container for ${service}: is the stack up?`);
  return id;
}

/** The container's cumulative CPU time in µs, from its own cgroup (v2 cpu.stat, else v1 cpuacct.usage in ns). */
function cgroupCpuMicros(container: string): number {
  const out = sh(['docker', 'exec', container, 'sh', '-c',
    'if [ -f /sys/fs/cgroup/cpu.stat ]; then echo v2 $(grep usage_usec /sys/fs/cgroup/cpu.stat); else echo v1 $(cat /sys/fs/cgroup/cpuacct/cpuacct.usage 2>/dev/null || cat /sys/fs/cgroup/cpu,cpuacct/cpuacct.usage); fi']).trim();
  const [version, ...rest] = out.split(/\s+/);
  if (version === 'v2') return Number(rest[1]);
  return Number(rest[0]) / 1000;
}

/** Requests nginx has served since it started (stub_status, the internal port). */
function nginxRequests(container: string): number {
  const out = sh(['docker', 'exec', container, 'wget', '-q', '-O', '-', 'http://127.0.0.1:8081/stub_status']);
  const m = /\n\s*\d+\s+\d+\s+(\d+)/.exec(out);
  if (!m) throw new Error(`unexpected stub_status: ${out}`);
  return Number(m[1]);
}

/** The load generator in a throw-away container on the stack's network, run by the api image's node. */
function inNetwork(url: string, connections: number): LoadResult {
  const image = `${process.env.API_IMAGE_REPO ?? 'scaleout/api'}:${process.env.API_VERSION ?? 'dev'}`;
  const out = sh(['docker', 'run', '--rm', '--network', `${PROJECT}_default`, '--cpus', '1', '-v', `${loadScript}:/bench/http-load.mjs:ro`,
    '--entrypoint', 'node', image, '/bench/http-load.mjs', url, String(connections), String(DURATION_SEC)]);
  return JSON.parse(out) as LoadResult;
}

/** A host process's CPU time in µs (utime + stime from /proc/<pid>/stat, in clock ticks of 10 ms). */
function procCpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** The host's Docker daemon (it writes every container log line with the json-file driver), if this host runs it. */
function dockerdPid(): number | undefined {
  try {
    return Number(readFileSync('/var/run/docker.pid', 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** Docker's userland proxy for a published host port (absent when the daemon runs with "userland-proxy": false). */
function dockerProxyPid(hostPort: string): number | undefined {
  const out = spawnSync('pgrep', ['-f', `docker-proxy .*-host-port ${hostPort} `], { encoding: 'utf8' }).stdout.trim();
  return out ? Number(out.split('\n')[0]) : undefined;
}

/** Runs fn, and returns its result with the CPU µs the given host process used meanwhile (NaN without one). */
function withProcCpu<T>(pid: number | undefined, fn: () => T): [T, number] {
  const before = pid ? procCpuMicros(pid) : NaN;
  const result = fn();
  return [result, pid ? procCpuMicros(pid) - before : NaN];
}

function fromHost(url: string, connections: number): LoadResult {
  return JSON.parse(sh([process.execPath, loadScript, url, String(connections), String(DURATION_SEC)])) as LoadResult;
}

function check(r: LoadResult, what: string): LoadResult {
  if (r.errors > 0 || r.requests === 0) throw new Error(`${what}: ${r.errors} errors, ${r.requests} requests`);
  return r;
}

async function main(): Promise<void> {
  log('make up, then one api replica with its port published (tools/bench/compose.direct.yaml)');
  sh(['make', 'up']);
  sh([...compose, 'up', '-d', '--wait', '--scale', 'api=1']);
  await sleep(3000); // nginx's resolver (valid=2s) drops the removed replicas
  const nginx = containerOf('nginx');
  const viaNginx = 'http://nginx:8080/whoami';
  const direct = 'http://api:3000/whoami';
  // Warm-up: JIT, connection pools.
  inNetwork(viaNginx, CONNECTIONS);
  inNetwork(direct, CONNECTIONS);

  const cpuPerReq: number[] = [];
  const ratioIn: number[] = [];
  const ratioHost: number[] = [];
  const p50Added: number[] = [];
  const p99Added: number[] = [];
  const rpsIn: Array<[number, number]> = [];
  const rpsHost: Array<[number, number]> = [];
  const dockerdPerReqNginx: number[] = [];
  const dockerdPerReqDirect: number[] = [];
  const proxyPerReq: number[] = [];
  const daemon = dockerdPid();
  const userlandProxy = dockerProxyPid(httpPort);
  for (let i = 0; i < RUNS; i++) {
    const cpu0 = cgroupCpuMicros(nginx);
    const req0 = nginxRequests(nginx);
    const [n, dockerdN] = withProcCpu(daemon, () => check(inNetwork(viaNginx, CONNECTIONS), 'in-network via nginx'));
    dockerdPerReqNginx.push(dockerdN / n.requests);
    const cpu1 = cgroupCpuMicros(nginx);
    const req1 = nginxRequests(nginx);
    // The two stub_status requests themselves are counted once each: negligible against thousands.
    cpuPerReq.push((cpu1 - cpu0) / (req1 - req0));
    const [d, dockerdD] = withProcCpu(daemon, () => check(inNetwork(direct, CONNECTIONS), 'in-network direct'));
    dockerdPerReqDirect.push(dockerdD / d.requests);
    ratioIn.push(n.rps / d.rps);
    rpsIn.push([n.rps, d.rps]);

    const n1 = check(inNetwork(viaNginx, 1), 'in-network via nginx, 1 connection');
    const d1 = check(inNetwork(direct, 1), 'in-network direct, 1 connection');
    p50Added.push((n1.p50Ms - d1.p50Ms) * 1000);
    p99Added.push((n1.p99Ms - d1.p99Ms) * 1000);

    const [hn, proxyCpu] = withProcCpu(userlandProxy, () => check(fromHost(`${baseUrl}/whoami`, CONNECTIONS), 'host via nginx'));
    proxyPerReq.push(proxyCpu / hn.requests);
    const hd = check(fromHost(`http://127.0.0.1:${DIRECT_PORT}/whoami`, CONNECTIONS), 'host direct');
    ratioHost.push(hn.rps / hd.rps);
    rpsHost.push([hn.rps, hd.rps]);
    log(`#${i + 1}: nginx ${cpuPerReq.at(-1)!.toFixed(1)} µs CPU/req; in-network ${n.rps.toFixed(0)} vs ${d.rps.toFixed(0)} req/s (${ratioIn.at(-1)!.toFixed(3)}); ` +
      `1 conn p50 +${p50Added.at(-1)!.toFixed(0)} µs p99 +${p99Added.at(-1)!.toFixed(0)} µs; host ${hn.rps.toFixed(0)} vs ${hd.rps.toFixed(0)} req/s (${ratioHost.at(-1)!.toFixed(3)})`);
  }
  log('make down');
  sh(['make', 'down']);

  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  const docker = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).stdout.trim();
  const cgroup = spawnSync('stat', ['-fc', '%T', '/sys/fs/cgroup'], { encoding: 'utf8' }).stdout.trim() === 'cgroup2fs' ? 'v2' : 'v1';
  console.log(`\nProxy benchmark, ${new Date().toISOString()}, ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
    `Docker ${docker}, cgroup ${cgroup}, ${MODE} images, 1 api replica, GET /whoami, ${DURATION_SEC} s per run, ${RUNS} runs; ` +
    `load generator: tools/bench/http-load.mjs (Node, ${CONNECTIONS} keep-alive connections unless said), on the same cores.\n`);
  console.log('| measure | runs | median | goal |\n| --- | --- | --- | --- |');
  console.log(`| nginx CPU per proxied request (cgroup ÷ stub_status), in-network load | ${fmt(cpuPerReq, 1)} µs | **${median(cpuPerReq).toFixed(1)} µs** | ≤ 30 µs |`);
  console.log(`| throughput through nginx ÷ direct, load generator inside the Docker network | ${fmt(ratioIn, 3)} | **${median(ratioIn).toFixed(3)}** | ≥ 0.8 |`);
  console.log(`| (req/s in-network: nginx / direct) | ${rpsIn.map(([a, b]) => `${a.toFixed(0)}/${b.toFixed(0)}`).join(', ')} | | |`);
  console.log(`| throughput through nginx ÷ direct, load generator on the host (published ports) | ${fmt(ratioHost, 3)} | **${median(ratioHost).toFixed(3)}** | |`);
  console.log(`| (req/s from the host: nginx / direct) | ${rpsHost.map(([a, b]) => `${a.toFixed(0)}/${b.toFixed(0)}`).join(', ')} | | |`);
  console.log(`| latency nginx adds at 1 connection, p50 (nginx − direct) | ${fmt(p50Added, 0)} µs | **${median(p50Added).toFixed(0)} µs** | |`);
  console.log(`| latency nginx adds at 1 connection, p99 (nginx − direct) | ${fmt(p99Added, 0)} µs | **${median(p99Added).toFixed(0)} µs** | |`);
  console.log(`| Docker's userland proxy (docker-proxy for ${httpPort}) CPU per request, load from the host | ${fmt(proxyPerReq, 1)} µs | **${median(proxyPerReq).toFixed(1)} µs** | |`);
  console.log(`| dockerd CPU per request, in-network, through nginx (JSON access log line, json-file driver) | ${fmt(dockerdPerReqNginx, 1)} µs | **${median(dockerdPerReqNginx).toFixed(1)} µs** | |`);
  console.log(`| dockerd CPU per request, in-network, direct (the api logs no line per request) | ${fmt(dockerdPerReqDirect, 1)} µs | **${median(dockerdPerReqDirect).toFixed(1)} µs** | |`);
  console.log('\ndockerd serves every container on this engine, other stacks too: its figures are an upper bound on a shared machine. NaN: no such process on this host.');
  console.log('\nNext: docs/load-generators.md ("The proxy hop") explains these figures and the host-side costs.');
}

await main();
