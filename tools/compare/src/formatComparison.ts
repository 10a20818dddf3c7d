// The side-by-side table of a comparison, as text (terminal) and Markdown (reports/<run>/summary.md). Both, and
// the HTML report, take their cells from comparisonCells(), so every number printed is the same string everywhere
// (a test checks the HTML holds each of them).
import type { ComparisonRow } from './comparisonRow.js';

export interface ComparisonTable {
  readonly header: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

const fixed = (digits: number) => (v: number | null): string => (v === null ? 'n/a' : !Number.isFinite(v) ? 'inf' : v.toFixed(digits));
const ms = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);
const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;

/** Every name that appears in any row, in natural order (api-2 before api-10), so missing ones show as 0.00%. */
function unionNames(rows: readonly ComparisonRow[], pick: (r: ComparisonRow) => ReadonlyArray<{ name: string }>): string[] {
  const names = new Set(rows.flatMap((r) => pick(r).map((e) => e.name)));
  return [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function shareOf(entries: ReadonlyArray<{ name: string; share: number }>, name: string): string {
  const entry = entries.find((e) => e.name === name);
  return pct(entry?.share ?? 0);
}

/** One line per measure, one column per variant. */
export function comparisonCells(rows: readonly ComparisonRow[]): ComparisonTable {
  const measures: Array<[string, (r: ComparisonRow) => string]> = [
    ['requests', (r) => String(r.requests)],
    ['throughput (req/s)', (r) => r.throughputRps.toFixed(1)],
    ['p50', (r) => ms(r.p50Ms)],
    ['p95', (r) => ms(r.p95Ms)],
    ['p99', (r) => ms(r.p99Ms)],
    ['error rate', (r) => pct(r.failedRate)],
    ['worker fairness (Jain)', (r) => fixed(3)(r.workerJain)],
    ['worker max/min', (r) => fixed(2)(r.workerMaxMin)],
    ['busiest worker, per second (median)', (r) => (r.busiestWorkerSecondShare === null ? 'n/a' : pct(r.busiestWorkerSecondShare))],
    ['replica fairness (Jain)', (r) => fixed(3)(r.replicaJain)],
    ['replica max/min', (r) => fixed(2)(r.replicaMaxMin)],
  ];
  const out: string[][] = measures.map(([label, cell]) => [label, ...rows.map(cell)]);
  for (const replica of unionNames(rows, (r) => r.perReplica)) out.push([`share ${replica}`, ...rows.map((r) => shareOf(r.perReplica, replica))]);
  for (const worker of unionNames(rows, (r) => r.perWorker)) out.push([`share ${worker}`, ...rows.map((r) => shareOf(r.perWorker, worker))]);
  return { header: ['', ...rows.map((r) => r.variant)], rows: out };
}

export function formatComparisonText(rows: readonly ComparisonRow[]): string {
  const { header, rows: body } = comparisonCells(rows);
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((line) => (line[c] ?? '').length)));
  const render = (line: readonly string[]): string =>
    line.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(render)].join('\n');
}

export function formatComparisonMarkdown(title: string, rows: readonly ComparisonRow[], notes: readonly string[] = []): string {
  const { header, rows: body } = comparisonCells(rows);
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [
    `# ${title}`,
    '',
    ...notes.map((n) => `- ${n}`),
    ...(notes.length > 0 ? [''] : []),
    line(header.map((h) => h || 'measure')),
    line(header.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...body.map(line),
    '',
  ].join('\n');
}
