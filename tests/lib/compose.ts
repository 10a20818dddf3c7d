// Runs the project's docker compose command and reads its resolved configuration.
// The stack tests get the exact command the Makefile uses (with or without compose.offline.yaml)
// in COMPOSE_STACK; the static tests build their own.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { repoRoot } from '../../tools/lib/repo.js';

const run = promisify(execFile);

export { repoRoot };

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

export interface ComposeConfig {
  name: string;
  services: Record<string, ComposeService>;
}

/** The compose command for a set of files, e.g. ['compose.yaml', 'compose.offline.yaml']. */
export function composeCommand(files: string[]): string[] {
  return ['docker', 'compose', ...files.flatMap((f) => ['-f', path.join(repoRoot, f)])];
}

/** The command the Makefile runs the stack with (COMPOSE_STACK), split into argv. */
export function stackComposeCommand(): string[] {
  const cmd = process.env.COMPOSE_STACK;
  if (!cmd) throw new Error('COMPOSE_STACK is not set: run the stack tests through `make test-stack`');
  return cmd.split(/\s+/).filter(Boolean);
}

export async function compose(argv: string[], args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const [bin, ...rest] = argv;
  const { stdout } = await run(bin!, [...rest, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** `docker compose config` resolved to JSON, with every profile, as compose would run it. */
export async function resolvedConfig(files: string[], env: NodeJS.ProcessEnv = {}): Promise<ComposeConfig> {
  const out = await compose(composeCommand(files), ['--profile', '*', 'config', '--format', 'json'], env);
  return JSON.parse(out) as ComposeConfig;
}
