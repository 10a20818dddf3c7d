// The fault tests' handle on the running containers: which api containers this compose project runs,
// what `docker inspect` says about them, what pm2 inside them says about its workers, and the faults
// themselves (docker kill/stop, a command inside a container). Only containers carrying this project's
// compose label are ever touched, so a second stack on the same engine is safe.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const run = promisify(execFile);

export const projectName = process.env.COMPOSE_PROJECT_NAME ?? 'scaleout';

export async function docker(args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run('docker', [...args], { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs });
  return stdout;
}

/** The subset of `docker inspect` the tests read. */
export interface ContainerInfo {
  Id: string;
  Name: string;
  RestartCount: number;
  State: { Status: string; Running: boolean; ExitCode: number; OOMKilled: boolean; StartedAt: string; FinishedAt: string; Health?: { Status: string } };
  Config: { User: string; Image: string; Labels: Record<string, string>; StopTimeout?: number };
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

/** Containers of one service of this project (running or not), sorted by name: faults-api-1, faults-api-2... */
export async function serviceContainers(service: string, all = false): Promise<string[]> {
  const out = await docker(['ps', ...(all ? ['-a'] : []), '--filter', `label=com.docker.compose.project=${projectName}`,
    '--filter', `label=com.docker.compose.service=${service}`, '--format', '{{.Names}}']);
  return out.split('\n').filter(Boolean).sort();
}

export async function inspect(container: string): Promise<ContainerInfo> {
  const [info] = JSON.parse(await docker(['inspect', container])) as ContainerInfo[];
  if (info === undefined) throw new Error(`docker inspect ${container}: nothing`);
  if (info.Config.Labels['com.docker.compose.project'] !== projectName) throw new Error(`${container} is not part of project ${projectName}`);
  return info;
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

/** Runs a Node script inside a container (the api image has node but no shell). */
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

/** The log lines pm2-runtime itself printed (not the workers' JSON lines) since `since` (RFC 3339 or epoch s). */
export async function pm2LogLines(container: string, since: string): Promise<string[]> {
  const { stdout, stderr } = await run('docker', ['logs', '--since', since, container], { maxBuffer: 64 * 1024 * 1024 });
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
  const { stdout } = await run('docker', ['logs', '--since', since, container], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter((l) => l.startsWith('{')).flatMap((l) => {
    try {
      return [JSON.parse(l) as AppLogLine];
    } catch {
      return [];
    }
  });
}
