// The one place the host-side TypeScript (tests, compare, bench) talks to Docker, Compose and make.
//   - docker / compose: run the CLI and return its stdout; compose runs with the stack's own command
//     (COMPOSE_STACK, exactly what the Makefile runs: with or without compose.offline.yaml and the overrides);
//   - the containers of one service of this compose project, in replica order, and what `docker inspect`,
//     pm2 and the logs say about them;
//   - make: run a target exactly as a user would, in the repository.
// Only containers carrying this project's compose label are ever touched, so a second stack on the same engine
// (another COMPOSE_PROJECT_NAME) is safe.
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { repoRoot } from './repo.js';

const execFileAsync = promisify(execFile);

/** The compose project under test (compose.yaml's `name:` unless COMPOSE_PROJECT_NAME says otherwise). */
export const projectName = process.env.COMPOSE_PROJECT_NAME ?? 'scaleout';

/** Generous: `docker compose config --format json` and `docker logs` of a loaded worker run to megabytes. */
const MAX_BUFFER = 64 * 1024 * 1024;

export interface RunOptions {
  readonly cwd?: string;
  /** Added to this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the command after this long (none by default). */
  readonly timeoutMs?: number;
  /** Also copy the command's stderr to ours as it comes (progress of a long `make up`, say). */
  readonly echoStderr?: boolean;
}

export interface RunOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `bin args...` without a shell; rejects (with its stderr in the message) when it exits non-zero. */
async function run(bin: string, args: readonly string[], options: RunOptions = {}): Promise<RunOutput> {
  const pending = execFileAsync(bin, [...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    maxBuffer: MAX_BUFFER,
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
  });
  if (options.echoStderr) pending.child.stderr?.pipe(process.stderr, { end: false });
  const { stdout, stderr } = await pending;
  return { stdout, stderr };
}

// ---- the operations scripts -------------------------------------------------------------------------

/**
 * `tools/ops/<script> args...` (make scale, make deploy, make ring...) against the stack `composeArgv` runs, as the
 * Makefile calls it: its compose command in COMPOSE, the project and ports from this environment. Its stdout; its
 * progress (say/log, on stderr) is copied to ours as it comes.
 */
export async function opsScript(composeArgv: readonly string[], script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return (await run(path.join(repoRoot, 'tools', 'ops', script), args, { env: { COMPOSE: composeArgv.join(' '), ...env }, echoStderr: true })).stdout;
}

// ---- docker ---------------------------------------------------------------------------------------

/** `docker args...`; its stdout. */
export async function docker(args: readonly string[], timeoutMs = 120_000): Promise<string> {
  return (await run('docker', args, { timeoutMs })).stdout;
}

/** The subset of `docker inspect` the tools and tests read. */
export interface ContainerInfo {
  Id: string;
  Name: string;
  RestartCount: number;
  State: { Status: string; Running: boolean; ExitCode: number; OOMKilled: boolean; StartedAt: string; FinishedAt: string; Health?: { Status: string } };
  Config: { User: string; Image: string; Env: string[] | null; Labels: Record<string, string>; StopTimeout?: number };
  HostConfig: {
    ReadonlyRootfs: boolean;
    Tmpfs: Record<string, string> | null;
    CapDrop: string[] | null;
    CapAdd: string[] | null;
    SecurityOpt: string[] | null;
    Memory: number;
    NanoCpus: number;
    PidsLimit: number | null;
    Privileged: boolean;
    RestartPolicy: { Name: string };
    PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null;
  };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

/** Container names in replica order: h1-api-2 before h1-api-10. */
function inReplicaOrder(names: readonly string[]): string[] {
  return [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** Running containers of one compose service of this project, in replica order (api-1, api-2...). */
export async function containersOf(service: string): Promise<string[]> {
  const out = await docker(['ps', '--filter', `label=com.docker.compose.project=${projectName}`,
    '--filter', `label=com.docker.compose.service=${service}`, '--format', '{{.Names}}']);
  return inReplicaOrder(out.split('\n').filter(Boolean));
}

/** Every running container of this project, in name order. */
export async function projectContainers(): Promise<string[]> {
  const out = await docker(['ps', '--filter', `label=com.docker.compose.project=${projectName}`, '--format', '{{.Names}}']);
  return inReplicaOrder(out.split('\n').filter(Boolean));
}

/** `docker inspect` of one container of this project; refuses any other project's container. */
export async function inspect(container: string): Promise<ContainerInfo> {
  const [info] = JSON.parse(await docker(['inspect', container])) as ContainerInfo[];
  if (info === undefined) throw new Error(`docker inspect ${container}: nothing`);
  if (info.Config.Labels['com.docker.compose.project'] !== projectName) throw new Error(`${container} is not part of project ${projectName}`);
  return info;
}

/** One variable of a container's environment ('' when unset). */
export async function envOf(container: string, name: string): Promise<string> {
  const prefix = `${name}=`;
  return (await inspect(container)).Config.Env?.find((e) => e.startsWith(prefix))?.slice(prefix.length) ?? '';
}

/** APP_VERSION of a container: the version its workers report in /whoami and api_build_info. */
export async function versionOf(container: string): Promise<string> {
  return envOf(container, 'APP_VERSION');
}

/** Polls until `container` is running and healthy; returns how long that took (ms). */
export async function waitHealthy(container: string, timeoutMs = 90_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const info = await inspect(container);
    if (info.State.Running && info.State.Health?.Status === 'healthy') return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${container} not healthy after ${timeoutMs} ms: ${JSON.stringify(info.State)}`);
    await sleep(250);
  }
}

/** Runs a Node script inside a container of this project (the api image has node but no shell). */
export async function nodeInContainer(container: string, script: string, args: readonly string[] = [], timeoutMs = 120_000): Promise<string> {
  await inspect(container);
  return docker(['exec', container, 'node', '-e', script, ...args], timeoutMs);
}

export interface Pm2Process {
  pm_id: number;
  pid: number;
  monit: { memory: number; cpu: number };
  pm2_env: { status: string; restart_time: number; unstable_restarts: number; pm_uptime: number; created_at: number | null; max_memory_restart?: number; NODE_APP_INSTANCE?: number };
}

/** `pm2 jlist` inside an api container: pm2's own view of its workers (PM2_HOME comes from the image). */
export async function pm2List(container: string): Promise<Pm2Process[]> {
  await inspect(container);
  const out = await docker(['exec', container, 'node', '/app/node_modules/pm2/bin/pm2', 'jlist']);
  // pm2 may print a warning line before the JSON.
  return JSON.parse(out.slice(out.indexOf('['))) as Pm2Process[];
}

/** `docker logs --since` of a container: what it wrote to stdout and to stderr, apart. */
export async function logsSince(container: string, since: string): Promise<RunOutput> {
  return run('docker', ['logs', '--since', since, container]);
}

/** The log lines pm2-runtime itself printed (not the workers' JSON lines) since `since` (RFC 3339 or epoch s). */
export async function pm2LogLines(container: string, since: string): Promise<string[]> {
  const { stdout, stderr } = await logsSince(container, since);
  return `${stdout}\n${stderr}`.split('\n').filter((l) => l.includes('PM2'));
}

/** One JSON log line of an api worker (pino). */
export interface AppLogLine {
  time: string;
  pid: number;
  replica?: string;
  worker?: string;
  msg: string;
  [key: string]: unknown;
}

/** The workers' JSON log lines since `since`, parsed; pm2's own lines are skipped. */
export async function appLogLines(container: string, since: string): Promise<AppLogLine[]> {
  const { stdout } = await logsSince(container, since);
  return stdout.split('\n').filter((l) => l.startsWith('{')).flatMap((l) => {
    try {
      return [JSON.parse(l) as AppLogLine];
    } catch {
      return [];
    }
  });
}

// ---- compose --------------------------------------------------------------------------------------

/** The compose command for a set of files relative to the repository, e.g. ['compose.yaml', 'compose.offline.yaml']. */
export function composeCommand(files: readonly string[]): string[] {
  return ['docker', 'compose', ...files.flatMap((f) => ['-f', path.join(repoRoot, f)])];
}

/**
 * The command the Makefile runs the stack with (COMPOSE_STACK), split into argv. Without COMPOSE_STACK: `fallback`
 * files if given (a benchmark run by hand), else an error that says how to run it.
 */
export function stackComposeCommand({ fallback, howToRun = 'make test-stack' }: { fallback?: readonly string[]; howToRun?: string } = {}): string[] {
  const argv = (process.env.COMPOSE_STACK ?? '').split(/\s+/).filter(Boolean);
  if (argv.length > 0) return argv;
  if (fallback !== undefined) return composeCommand(fallback);
  throw new Error(`COMPOSE_STACK is not set: run this through \`${howToRun}\``);
}

export interface ComposeService {
  image?: string;
  container_name?: string;
  ports?: Array<{ host_ip?: string; published?: string; target: number }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  profiles?: string[];
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  stop_grace_period?: string;
  environment?: Record<string, string | null>;
  deploy?: {
    replicas?: number;
    resources?: { limits?: { cpus?: number | string; memory?: string | number; pids?: number } };
  };
  build?: { context: string; args?: Record<string, string> };
}

/** The subset of `docker compose config --format json` the tools and tests read. */
export interface ComposeConfig {
  name: string;
  services: Record<string, ComposeService>;
}

/** Runs a compose command (argv from composeCommand or stackComposeCommand) with more arguments; its stdout. */
export async function compose(argv: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv = {}, options: Omit<RunOptions, 'env'> = {}): Promise<string> {
  const [bin, ...rest] = argv;
  if (bin === undefined) throw new Error('empty compose command');
  return (await run(bin, [...rest, ...args], { ...options, env })).stdout;
}

/** `docker compose config` of a set of files resolved to JSON, with every profile, as compose would run it. */
export async function resolvedConfig(files: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ComposeConfig> {
  return JSON.parse(await compose(composeCommand(files), ['--profile', '*', 'config', '--format', 'json'], env)) as ComposeConfig;
}

// ---- make -----------------------------------------------------------------------------------------

export interface MakeResult {
  readonly code: number;
  /** stdout and stderr interleaved as make wrote them. */
  readonly output: string;
}

/**
 * Runs `make <target> VAR=value...` in the repository, as a user would, against the stack the environment names
 * (project, ports, EXTRA_COMPOSE_FILES). With STACK_MODE set, OFFLINE is fixed to it, so make does not probe the
 * registry again (up to 5 s) inside a measured operation. Resolves with the exit code; never rejects on failure.
 * `echo` also copies make's output to stderr as it comes (a benchmark's progress).
 */
export async function make(target: string, vars: Readonly<Record<string, string>> = {}, env: NodeJS.ProcessEnv = {}, { echo = false }: { echo?: boolean } = {}): Promise<MakeResult> {
  const args = [target, ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)];
  const mode = process.env.STACK_MODE;
  const offline = mode === undefined ? {} : { OFFLINE: mode === 'offline' ? '1' : '0' };
  return new Promise((resolve, reject) => {
    const child = spawn('make', args, { cwd: repoRoot, env: { ...process.env, ...offline, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (echo) process.stderr.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** make, failing with make's whole output when the target did not succeed. */
export async function makeOk(target: string, vars: Readonly<Record<string, string>> = {}, env: NodeJS.ProcessEnv = {}, options: { echo?: boolean } = {}): Promise<MakeResult> {
  const result = await make(target, vars, env, options);
  if (result.code !== 0) throw new Error(`make ${target} ${JSON.stringify(vars)} exited ${result.code}:\n${result.output}`);
  return result;
}
