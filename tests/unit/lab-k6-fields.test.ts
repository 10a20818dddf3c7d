// Online, every comparison row a lab's ```expect block reads comes from k6 (tools/compare/src/comparisonRow.ts
// rowFromK6Report). A field a k6 row leaves null (busiestWorkerSecondShare was) makes that lab fail whenever k6 runs,
// and no machine without k6 would notice. So: every `report <kind> rows[...].<field>...` of docs/labs/ must resolve to
// a value on a row built by that very function from what a real k6 wrote (tests/fixtures/k6/reports). The fields
// are read off those rows, not listed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { rowFromK6Report, type ComparisonRow, type K6Report } from '../../tools/compare/src/comparisonRow.js';
import { repoRoot } from '../../tools/lib/repo.js';
import { parseLab, parseCheck, resolvePath, type Check, type PathSegment, type Value } from '../lib/labText.js';

const LABS_DIR = path.join(repoRoot, 'docs', 'labs');
const RECORDED_REPORTS = path.join(repoRoot, 'tests', 'fixtures', 'k6', 'reports');

/** A row per recorded k6 report, built by the code the online comparison uses. */
function k6RowsFromRecordings(): ComparisonRow[] {
  return readdirSync(RECORDED_REPORTS).filter((f) => f.endsWith('.json')).map((f) => {
    const report = JSON.parse(readFileSync(path.join(RECORDED_REPORTS, f), 'utf8')) as K6Report;
    return rowFromK6Report(f, report.script, report);
  });
}

interface RowRead {
  readonly where: string;
  readonly text: string;
  /** The path inside one row: `busiestWorkerSecondShare`, `perWorker[0].share`... */
  readonly inRow: readonly PathSegment[];
}

const valuesOf = (c: Check): Value[] => (c.kind === 'range' ? [c.value] : c.kind === 'compare' ? [c.left, c.right] : []);

/** Every read of a comparison row (`report <kind> rows[<selector>].<path>`) in a lab's checks. */
function rowReads(file: string, markdown: string): RowRead[] {
  const lab = parseLab(file, markdown);
  return lab.steps.flatMap((step) => step.checks.flatMap((c) => valuesOf(c).flatMap((v) => {
    if (v.kind !== 'report') return [];
    const [rows, selector, ...inRow] = v.path;
    if (!rows || !('key' in rows) || rows.key !== 'rows' || !selector || 'key' in selector) return [];
    return [{ where: `${file} (step at line ${step.line})`, text: c.text, inRow }];
  })));
}

/**
 * Whether some k6 row holds a non-null value at `inRow`. A selector inside the row (`perReplica[name~api-slow]`)
 * names an element the recordings may not have (no api-slow ran), so it stands for "an element": the shape is the point.
 */
function k6RowsProduce(rows: readonly ComparisonRow[], inRow: readonly PathSegment[]): boolean {
  const shape = inRow.map((seg): PathSegment => ('where' in seg ? { index: 0 } : seg));
  return rows.some((row) => {
    try {
      const value = resolvePath(row, shape);
      return value !== null && value !== undefined;
    } catch {
      return false;
    }
  });
}

test('the check itself: a field k6 rows fill passes, one they leave null or lack fails', () => {
  const rows = k6RowsFromRecordings();
  assert.ok(rows.length >= 10, `recorded reports: ${rows.length}`);
  const inRow = (text: string): readonly PathSegment[] => {
    const c = parseCheck(`report cluster rows[variant=x].${text} >= 0`);
    return c.kind === 'compare' && c.left.kind === 'report' ? c.left.path.slice(2) : [];
  };
  assert.equal(k6RowsProduce(rows, inRow('p99Ms')), true);
  assert.equal(k6RowsProduce(rows, inRow('perReplica[name~api-slow].share')), true);
  assert.equal(k6RowsProduce(rows, inRow('perWorker.length')), true);
  assert.equal(k6RowsProduce(rows, inRow('noSuchField')), false);
  assert.equal(k6RowsProduce([{ ...rows[0]!, workerJain: null }], inRow('workerJain')), false);
});

test('every comparison field a lab reads is one a k6 run produces', () => {
  const rows = k6RowsFromRecordings();
  const files = readdirSync(LABS_DIR).filter((f) => /^\d\d-.+\.md$/.test(f)).sort();
  const reads = files.flatMap((f) => rowReads(`docs/labs/${f}`, readFileSync(path.join(LABS_DIR, f), 'utf8')));
  assert.ok(reads.length > 0, 'no lab reads a comparison row: the check would pass over nothing');
  const missing = reads.filter((r) => !k6RowsProduce(rows, r.inRow));
  assert.deepEqual(missing.map((r) => `${r.where}: ${r.text}`), [], 'labs read values a k6 row leaves null or lacks (online they fail)');
});
