// The figures table of make test-faults (docs/figures.md "Faults"): each scenario appends its row to
// reports/faults-figures.md (one file per `make test-faults` run, truncated by the Makefile first).
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../lib/compose.js';
import type { OperationReport } from '../lib/steadyLoad.js';

export const FIGURES_FILE = path.join(repoRoot, 'reports', 'faults-figures.md');

export interface Figure {
  readonly scenario: string;
  readonly report: OperationReport;
  /** A p99 pair other than the report's own (e.g. only the workers that did not crash). */
  readonly p99Before?: number | null;
  readonly p99During?: number | null;
  readonly recovery: string;
  readonly note?: string;
}

const ms = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : `${v.toFixed(0)} ms`);

export function recordFigure(f: Figure): void {
  const before = f.p99Before === undefined ? f.report.p99BeforeMs : f.p99Before;
  const during = f.p99During === undefined ? f.report.p99DuringMs : f.p99During;
  const ratio = before && during ? ` (x${(during / before).toFixed(2)})` : '';
  const failed = f.report.failed === 0 ? '0' : `${f.report.failed} (${Object.entries(f.report.failedByMethod).map(([m, n]) => `${n} ${m}`).join(', ')})`;
  const row = `| ${f.scenario} | ${f.report.sent} | ${failed} | ${ms(before)} -> ${ms(during)}${ratio} | ${f.recovery}${f.note ? `; ${f.note}` : ''} |`;
  mkdirSync(path.dirname(FIGURES_FILE), { recursive: true });
  appendFileSync(FIGURES_FILE, `${row}\n`);
  console.log(`# figure: ${row}`);
}
