// What the operations tests need besides the load harness (tests/lib/steadyLoad.ts): run a make target exactly
// as a user would, look at the api containers, and keep each test's figure for the README table.
import { execFile, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../lib/compose.js';
import { baseUrl, stackMode } from '../lib/stack.js';
import { formatOperationReport, type OperationReport } from '../lib/steadyLoad.js';

const run = promisify(execFile);
export const project = process.env.COMPOSE_PROJECT_NAME ?? 'scaleout';

export interface MakeResult {
  readonly code: number;
  readonly output: string;
}

/**
 * Runs `make <target> VAR=value...` in the repository, against the stack under test (the project, ports and
 * EXTRA_COMPOSE_FILES come from the environment make test-ops set). OFFLINE is fixed to the stack's mode, so
 * make does not probe the registry again (up to 5 s) inside the measured operation.
 */
export async function make(target: string, vars: Readonly<Record<string, string>> = {}, env: NodeJS.ProcessEnv = {}): Promise<MakeResult> {
  const args = [target, ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)];
  return new Promise((resolve, reject) => {
    const child = spawn('make', args, {
      cwd: repoRoot,
      env: { ...process.env, OFFLINE: stackMode === 'offline' ? '1' : '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Fails with make's whole output when the target did not succeed. */
export async function makeOk(target: string, vars: Readonly<Record<string, string>> = {}, env: NodeJS.ProcessEnv = {}): Promise<MakeResult> {
  const result = await make(target, vars, env);
  if (result.code !== 0) throw new Error(`make ${target} ${JSON.stringify(vars)} exited ${result.code}:\n${result.output}`);
  return result;
}

/** Running containers of a compose service of the stack under test, in replica order. */
export async function containersOf(service: string): Promise<string[]> {
  const { stdout } = await run('docker', ['ps', '--filter', `label=com.docker.compose.project=${project}`,
    '--filter', `label=com.docker.compose.service=${service}`, '--format', '{{.Names}}']);
  return stdout.split('\n').filter(Boolean).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** APP_VERSION of a container (the version its workers report in /whoami and api_build_info). */
export async function versionOf(container: string): Promise<string> {
  const { stdout } = await run('docker', ['inspect', '-f', '{{range .Config.Env}}{{println .}}{{end}}', container]);
  return /^APP_VERSION=(.*)$/m.exec(stdout)?.[1] ?? '';
}

export async function docker(args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Replica names (`api-4`, `api-green-1`) in a list of X-Served-By values (`replica/worker/pid`). */
export function replicasIn(servedBy: readonly string[]): string[] {
  return [...new Set(servedBy.map((s) => s.split('/')[0] ?? ''))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** Versions answering GET /whoami through nginx over `samples` requests, with their counts. */
export async function versionsThroughNginx(samples = 60): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < samples; i++) {
    const res = await fetch(`${baseUrl}/whoami`);
    const body = (await res.json()) as { version?: string };
    const version = body.version ?? `status ${res.status}`;
    counts[version] = (counts[version] ?? 0) + 1;
  }
  return counts;
}

/**
 * Prints the harness line and appends a row to reports/ops-figures.md (operation | sent | failed | p99 during ÷
 * before | duration), the source of the README's table.
 */
export function recordFigure(report: OperationReport, note = ''): void {
  console.log(formatOperationReport(report) + (note ? ` [${note}]` : ''));
  const dir = path.join(repoRoot, 'reports');
  mkdirSync(dir, { recursive: true });
  const ratio = report.p99Ratio === null ? 'n/a' : report.p99Ratio.toFixed(2);
  const p99 = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(0));
  appendFileSync(path.join(dir, 'ops-figures.md'),
    `| ${report.operation} | ${report.sent} | ${report.failed} | ${ratio} (${p99(report.p99DuringMs)} / ${p99(report.p99BeforeMs)} ms) | ${report.operationSec.toFixed(1)} s | ${new Date().toISOString()}${note ? ` ${note}` : ''} |\n`);
}
