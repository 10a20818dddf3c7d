// The `make compare-sessions` table as text (terminal), Markdown (summary.md) and one self-contained HTML file
// (report.html), all from the same cells, like `make compare`'s reports.
import { escapeHtml } from '../htmlReport.js';
import type { SessionCellResult } from './sessionCell.js';

const HEADER = ['store', 'strategy', 'workers/replica', 'clients held 1..N', 'clients reset', 'failed calls', 'replicas/client', 'workers/client'];

export function sessionCells(results: readonly SessionCellResult[]): string[][] {
  return results.map((r) => [
    r.store,
    r.strategy,
    String(r.workers),
    `${r.held}/${r.clients}`,
    String(r.reset),
    String(r.failedCalls),
    String(r.replicasPerClient),
    String(r.workersPerClient),
  ]);
}

export function formatSessionsText(results: readonly SessionCellResult[]): string {
  const rows = [HEADER, ...sessionCells(results)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

export function formatSessionsMarkdown(title: string, results: readonly SessionCellResult[], notes: readonly string[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [`# ${title}`, '', line(HEADER), line(HEADER.map(() => '---')), ...sessionCells(results).map(line), '', ...notes.map((n) => `- ${n}`), ''].join('\n');
}

export function renderSessionsHtml(title: string, generatedAt: string, results: readonly SessionCellResult[], notes: readonly string[]): string {
  const cells = sessionCells(results);
  const barOf = (r: SessionCellResult): string => {
    const share = r.clients === 0 ? 0 : r.held / r.clients;
    const color = share === 1 ? '#009E73' : share === 0 ? '#D55E00' : '#E69F00';
    return `<svg width="120" height="12" role="img" aria-label="${Math.round(share * 100)}% held"><rect width="120" height="12" fill="#eee"/><rect width="${(share * 120).toFixed(1)}" height="12" fill="${color}"/></svg>`;
  };
  const rows = cells
    .map((c, i) => `<tr>${c.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}<td>${barOf(results[i]!)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}th{background:#f4f4f4}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>Generated ${escapeHtml(generatedAt)}. Green: every client kept its session; red: none did.</p>
<table><thead><tr>${HEADER.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}<th>held</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<ul>${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>
</body></html>
`;
}
