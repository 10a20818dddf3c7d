// make compare-sessions: node tools/build/tools/compare/src/sessions/cli.js [--clients N] [--calls N] [--out DIR]
// Environment (the Makefile sets them): COMPOSE_STACK (the compose command), HTTP_PORT.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { repoRoot } from '../../../lib/repo.js';
import { runStamp } from '../runComparison.js';
import { StackControl } from '../stackControl.js';
import { compareSessions } from './compareSessions.js';
import { baseUrl } from '../../../lib/stackUrls.js';

function count(raw: string | undefined, fallback: number, what: string): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`${what} must be an integer >= 1, got "${raw}"`);
  return Number(raw);
}

const { values } = parseArgs({ options: { clients: { type: 'string' }, calls: { type: 'string' }, out: { type: 'string' } } });
const composeCmd = (process.env.COMPOSE_STACK ?? '').split(/\s+/).filter(Boolean);
if (composeCmd.length === 0) {
  process.stderr.write('COMPOSE_STACK is not set: run this through make compare-sessions\n');
  process.exit(2);
}
const clients = count(values.clients, 10, '--clients');
const calls = count(values.calls, 20, '--calls');
const log = (line: string): void => void process.stderr.write(`==> ${line}\n`);
const stamp = runStamp();
const outDir = path.resolve(values.out ?? path.join(repoRoot, 'reports', `${stamp}-sessions`));
const stack = new StackControl({ compose: composeCmd, baseUrl, cwd: repoRoot, log });
await compareSessions({ stack, baseUrl, clients, calls, runId: stamp, outDir, log });
process.stdout.write(`Report: ${path.relative(process.cwd(), outDir)}/report.html (and summary.md, comparison.json)\n`);
