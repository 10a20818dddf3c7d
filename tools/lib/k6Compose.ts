// The one way the host runs k6: the compose `k6` service (compose.yaml), for `make loadtest` online
// (tools/loadrunner/src/k6ComposeRun.ts), `make compare*` online (tools/compare/src/runComparison.ts) and
// test-stack's smoke run. Three rules, each from a fault seen with the real k6 (issue 21):
//   - `--no-deps`: without it `compose run` first brings k6's depends_on (nginx, and through it the api) to what
//     compose.yaml says, which recreates the api replicas a comparison variant had just set (1 replica, 1 worker)
//     and measures the default topology instead.
//   - `--user <your uid:gid>`: the official image runs as uid 12345, and a Linux checkout's reports/ belongs to
//     whoever runs make, so k6 could not write its reports there. Running k6 as the caller leaves reports you own
//     and can delete, with no chmod 777 and no root. K6_USER overrides it: `K6_USER=0:0` under rootless Docker or
//     Podman, where the container's root is you.
//   - the report must exist afterwards: when handleSummary's files cannot be written, k6 logs "failed to handle the
//     end-of-test summary" and still exits 0 (seen with k6 v2.2.0, issue 21), so "exit 0" alone proves nothing.
import { spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { describeK6Exit } from './k6Exit.js';
import { repoRoot } from './repo.js';

/** compose.yaml mounts the repository's reports/ at /reports in the k6 container. */
export const HOST_REPORTS_DIR = path.join(repoRoot, 'reports');
export const CONTAINER_REPORTS_DIR = '/reports';

export interface K6Invocation {
  /** The k6 script's base name in k6/scripts/, e.g. 02-post000-cluster. */
  readonly script: string;
  readonly runId: string;
  /** Where the reports go on the host: reports/ or a folder under it (created if missing). */
  readonly reportDir: string;
  /** `-e NAME=value` for the script (the catalogue's overrides, STRATEGY, EXPECTED_*); undefined values are left out. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** More `k6 run` flags, before the script: e.g. `--out json=/reports/<dir>/<file>.gz` for request-level samples. */
  readonly k6Args?: readonly string[];
}

/** The user k6 runs as: K6_USER if set, else this process's uid:gid (see the comment at the top). */
export function k6User(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.K6_USER?.trim();
  if (given) {
    if (!/^\d+(:\d+)?$/.test(given)) throw new Error(`K6_USER must be uid or uid:gid, numbers (got ${JSON.stringify(given)})`);
    return given;
  }
  if (process.getuid === undefined || process.getgid === undefined) throw new Error('no uid on this platform: set K6_USER=<uid>:<gid>');
  return `${process.getuid()}:${process.getgid()}`;
}

/** The container's path for a host folder under reports/ (compose mounts only reports/). */
export function containerReportDir(hostDir: string): string {
  const rel = path.relative(HOST_REPORTS_DIR, path.resolve(hostDir));
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`k6 can write only under ${HOST_REPORTS_DIR} (compose mounts it at ${CONTAINER_REPORTS_DIR}), not ${hostDir}`);
  return rel === '' ? CONTAINER_REPORTS_DIR : path.posix.join(CONTAINER_REPORTS_DIR, ...rel.split(path.sep));
}

/** The files the script's handleSummary() writes (k6/lib/distribution.js): <REPORT_DIR>/<script>-<RUN_ID>.json / .md. */
export function k6ReportFiles(run: Pick<K6Invocation, 'script' | 'runId' | 'reportDir'>): { json: string; markdown: string } {
  const base = path.join(path.resolve(run.reportDir), `${run.script}-${run.runId}`);
  return { json: `${base}.json`, markdown: `${base}.md` };
}

/** The `docker compose` arguments (after the stack's own compose command) that run one k6 script. */
export function k6ComposeArgs(run: K6Invocation, user: string): string[] {
  const env: Array<[string, string | undefined]> = [
    ['RUN_ID', run.runId],
    ['REPORT_DIR', containerReportDir(run.reportDir)],
    ...Object.entries(run.env),
  ];
  return [
    '--profile', 'loadtest', 'run', '--rm', '--no-deps', '--user', user,
    ...env.filter((e): e is [string, string] => e[1] !== undefined).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    'k6', 'run', '-o', 'experimental-prometheus-rw', ...(run.k6Args ?? []), `/k6/scripts/${run.script}.js`,
  ];
}

export interface K6RunResult {
  /** 0, or 99 when `thresholdsMayFail` (a threshold crossed is then a result, not an error). */
  readonly exitCode: number;
  /** The JSON report, written by this run. */
  readonly reportFile: string;
}

export interface K6RunOptions {
  /** Accept exit 99 (compare: round_robin missing the skewed p95 target is a finding). Default false. */
  readonly thresholdsMayFail?: boolean;
  /** Show k6's output as it comes (make loadtest); otherwise it is kept and quoted when the run fails. */
  readonly inheritOutput?: boolean;
  /** Extra arguments to `compose run` before the service (e.g. --name for a benchmark that reads the container's CPU). */
  readonly runArgs?: readonly string[];
  readonly user?: string;
}

export class K6RunError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/**
 * Runs one k6 script through the compose service `composeArgv` runs (COMPOSE_STACK), as the rules at the top say;
 * resolves when k6 exited 0 (or 99, if allowed) and its JSON report was written by this run, else rejects with k6's
 * exit code and the end of what it printed.
 */
export async function runK6(composeArgv: readonly string[], run: K6Invocation, options: K6RunOptions = {}): Promise<K6RunResult> {
  const [bin, ...composeRest] = composeArgv;
  if (bin === undefined) throw new Error('empty compose command');
  // k6 creates no folders; created here, by the caller, so the caller owns it (and k6, running as the caller, can write).
  await mkdir(run.reportDir, { recursive: true });
  const args = k6ComposeArgs(run, options.user ?? k6User());
  const runIndex = args.indexOf('run');
  const withRunArgs = [...args.slice(0, runIndex + 1), ...(options.runArgs ?? []), ...args.slice(runIndex + 1)];
  const startedMs = Date.now();
  const { code, tail } = await new Promise<{ code: number; tail: string }>((resolve, reject) => {
    const child = spawn(bin, [...composeRest, ...withRunArgs], {
      cwd: repoRoot,
      stdio: ['ignore', options.inheritOutput ? 'inherit' : 'pipe', options.inheritOutput ? 'inherit' : 'pipe'],
    });
    let out = '';
    const keep = (chunk: Buffer): void => void (out = (out + chunk.toString()).slice(-8000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', reject);
    child.on('close', (c, signal) => resolve({ code: c ?? (signal ? 128 : 1), tail: out }));
  });
  const quoted = tail.trim() === '' ? '' : `\n--- the end of k6's output ---\n${tail.trim().split('\n').slice(-15).join('\n')}`;
  const allowed = code === 0 || (code === 99 && options.thresholdsMayFail === true);
  if (!allowed) throw new K6RunError(`k6 ${run.script}.js (run ${run.runId}) exited ${describeK6Exit(code)}${quoted}`, code);
  const reportFile = k6ReportFiles(run).json;
  const written = await stat(reportFile).then((s) => s.mtimeMs, () => undefined);
  // 1 s of slack: some filesystems keep mtimes in whole seconds.
  if (written === undefined || written < startedMs - 1000) {
    throw new K6RunError(
      `k6 ${run.script}.js (run ${run.runId}) exited ${code} but wrote no report ${path.relative(process.cwd(), reportFile)}` +
        `${written === undefined ? '' : ' (only an older one is there)'}: k6 still exits 0 when handleSummary cannot write its files` +
        ` ("failed to handle the end-of-test summary"); check that ${path.relative(process.cwd(), run.reportDir) || '.'} is writable by ${options.user ?? k6User()} (K6_USER)${quoted}`,
      code === 0 ? 1 : code,
    );
  }
  return { exitCode: code, reportFile };
}
