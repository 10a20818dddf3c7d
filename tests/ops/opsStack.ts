// What the operations tests need besides the load harness (tests/lib/steadyLoad.ts) and the shared Docker/make
// helpers (tools/lib/docker.ts): read which replicas and versions answer, and keep each test's figure for the
// figures table.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/lib/repo.js';
import { baseUrl } from '../lib/stack.js';
import { formatOperationReport, type OperationReport } from '../lib/steadyLoad.js';

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
