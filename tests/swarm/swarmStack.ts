// What the swarm tests need besides the load harness (tests/lib/steadyLoad.ts): the make swarm-* targets run
// exactly as a user runs them, and the swarm's own view of its services, tasks and nodes through the manager.
// The local swarm is named SWARM_NAME; the tests only ever touch containers of that swarm.
import { execFile, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../tools/lib/repo.js';
import { formatOperationReport, type OperationReport } from '../lib/steadyLoad.js';
import { baseUrl } from '../lib/stack.js';
import { versionsThroughNginx as opsVersionsThroughNginx } from '../ops/opsStack.js';

const run = promisify(execFile);
export const swarmName = process.env.SWARM_NAME ?? 'scaleout-swarm';
export const stack = swarmName;

export interface MakeResult {
  readonly code: number;
  readonly output: string;
  readonly durationMs: number;
}

/** `make <target> VAR=value...` in the repository, with the test's environment (SWARM_NAME, ports, OFFLINE). */
export async function make(target: string, vars: Readonly<Record<string, string>> = {}): Promise<MakeResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('make', [target, ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)], {
      cwd: repoRoot,
      env: { ...process.env, DOCKER_HOST: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output, durationMs: Date.now() - started }));
  });
}

/** A script of the repository with extra environment, as make would run it. */
export async function runScript(script: string, args: readonly string[], env: Readonly<Record<string, string>>): Promise<MakeResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(repoRoot, script), [...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output, durationMs: Date.now() - started }));
  });
}

export async function makeOk(target: string, vars: Readonly<Record<string, string>> = {}): Promise<MakeResult> {
  const r = await make(target, vars);
  if (r.code !== 0) throw new Error(`make ${target} ${JSON.stringify(vars)} exited ${r.code}:\n${r.output}`);
  return r;
}

/** The host's engine (the nodes are its containers). */
export async function hostDocker(args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const env = { ...process.env };
  delete env.DOCKER_HOST;
  const { stdout } = await run('docker', [...args], { env, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs });
  return stdout;
}

/** The swarm's manager, through its socket (tools/swarm/local-swarm.sh host). */
export async function swarmDocker(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const { stdout: host } = await run(path.join(repoRoot, 'tools/swarm/local-swarm.sh'), ['host'], { env: { ...process.env, DOCKER_HOST: '' } });
  const { stdout } = await run('docker', [...args], { env: { ...process.env, DOCKER_HOST: host.trim() }, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs });
  return stdout;
}

export interface Task {
  readonly name: string; // s1_api.3
  readonly node: string; // node2
  readonly state: string; // Running 5 seconds ago
  readonly image: string;
}

/** The api's tasks that should be running, with the node each is on. */
export async function runningTasks(service = 'api'): Promise<Task[]> {
  const out = await swarmDocker(['service', 'ps', '--filter', 'desired-state=running', '--format', '{{.Name}}\t{{.Node}}\t{{.CurrentState}}\t{{.Image}}', `${stack}_${service}`]);
  return out.split('\n').filter(Boolean).map((l) => {
    const [name = '', node = '', state = '', image = ''] = l.split('\t');
    return { name, node, state, image };
  });
}

export interface UpdateStatus {
  readonly State?: string;
  readonly Message?: string;
}

export async function updateStatus(service = 'api'): Promise<UpdateStatus> {
  const out = (await swarmDocker(['service', 'inspect', '-f', '{{json .UpdateStatus}}', `${stack}_${service}`])).trim();
  return out === 'null' || out === '' ? {} : (JSON.parse(out) as UpdateStatus);
}

/** Versions answering GET /whoami through nginx (the ops tests' helper), 40 samples: one per slot several times. */
export function versionsThroughNginx(samples = 40): Promise<Record<string, number>> {
  return opsVersionsThroughNginx(samples);
}

/** Distinct replicas (`api-3`) answering through nginx over `samples` requests. */
export async function replicasThroughNginx(samples = 60): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < samples; i++) {
    const res = await fetch(`${baseUrl}/whoami`);
    seen.add(res.headers.get('x-served-by')?.split('/')[0] ?? `status ${res.status}`);
    await res.arrayBuffer();
  }
  return [...seen].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 1000): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const FIGURES = path.join(repoRoot, 'reports', 'swarm-figures.md');

/** One row of reports/swarm-figures.md, and the same on the test's output. */
export function recordFigure(report: OperationReport, extra = ''): void {
  console.log(`# ${formatOperationReport(report)}${extra ? ` | ${extra}` : ''}`);
  mkdirSync(path.dirname(FIGURES), { recursive: true });
  const p99 = (v: number | null): string => (v === null ? '-' : `${v.toFixed(0)} ms`);
  appendFileSync(FIGURES, `| ${report.operation} | ${report.sent} | ${report.failed} | ${p99(report.p99BeforeMs)} -> ${p99(report.p99DuringMs)} | ${report.operationSec.toFixed(1)} s | ${extra} |\n`);
}
