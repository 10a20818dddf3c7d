// Online, every comparison row a lab's ```expect block reads comes from k6 (tools/compare/src/comparisonRow.ts
// rowFromK6Report). A field a k6 row leaves null (busiestWorkerSecondShare was) makes that lab fail whenever k6 runs,
// and no machine without k6 would notice. So: every `report <kind> rows[...].<field>...` of docs/labs/ must resolve to
// a value on a row built by that very function from what a real k6 wrote (tests/fixtures/k6/reports). The fields
// are read off those rows, not listed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { rowFromK6Report, type ComparisonRow } from '../../tools/compare/src/comparisonRow.js';
import { readK6Run } from '../../tools/compare/src/k6Output.js';
import { recordedK6RunFiles, recordedK6Runs } from '../../tools/compare/src/recordedK6Runs.js';
import { repoRoot } from '../../tools/lib/repo.js';
import { parseLab, parseCheck, resolvePath, type Check, type PathSegment, type Value } from '../lib/labText.js';

const LABS_DIR = path.join(repoRoot, 'docs', 'labs');

/** A row per recorded k6 run (report and samples), built by the code the online comparison uses (measureWithK6). */
async function k6RowsFromRecordings(): Promise<ComparisonRow[]> {
  const runs = recordedK6Runs().filter((r) => r.files.samples !== undefined);
  return Promise.all(runs.map(async (r) => {
    const run = await readK6Run(recordedK6RunFiles(r), { code: r.exitCode });
    return rowFromK6Report(r.name, run.report.script, run.report, run.busiestWorkerSecondShare);
  }));
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

test('the check itself: a field k6 rows fill passes, one they leave null or lack fails', async () => {
  const rows = await k6RowsFromRecordings();
  assert.ok(rows.length >= 10, `recorded runs with samples: ${rows.length}`);
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

test('every comparison field a lab reads is one a k6 run produces', async () => {
  const rows = await k6RowsFromRecordings();
  const files = readdirSync(LABS_DIR).filter((f) => /^\d\d-.+\.md$/.test(f)).sort();
  const reads = files.flatMap((f) => rowReads(`docs/labs/${f}`, readFileSync(path.join(LABS_DIR, f), 'utf8')));
  assert.ok(reads.length > 0, 'no lab reads a comparison row: the check would pass over nothing');
  const missing = reads.filter((r) => !k6RowsProduce(rows, r.inRow));
  assert.deepEqual(missing.map((r) => `${r.where}: ${r.text}`), [], 'labs read values a k6 row leaves null or lacks (online they fail)');
});
