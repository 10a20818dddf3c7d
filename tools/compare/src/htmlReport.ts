// The comparison as one self-contained HTML file: inline CSS and SVG, no script, no font, no CDN, so it opens
// straight from disk (reports/<run>/report.html), offline, and can be attached to an issue or a chat as is.
// Charts: each worker's share per variant (grouped bars, with the even share marked), latency percentiles per
// variant (log scale: a heavy tail and a median differ by orders of magnitude), and throughput per variant.
// Every number in the table is the string comparisonCells() printed on the terminal.
import type { ComparisonRow } from './comparisonRow.js';
import { comparisonCells } from './formatComparison.js';

export interface HtmlReportInput {
  readonly title: string;
  readonly generatedAt: string;
  readonly notes: readonly string[];
  readonly rows: readonly ComparisonRow[];
}

// Okabe-Ito: distinguishable with the common colour-vision deficiencies.
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000', '#F0E442'];
export const colorOf = (i: number): string => PALETTE[i % PALETTE.length]!;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const fmtPct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const fmtMs = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);

function legend(rows: readonly ComparisonRow[]): string {
  return `<p class="legend">${rows
    .map((r, i) => `<span><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${colorOf(i)}"/></svg> ${escapeHtml(r.variant)}</span>`)
    .join(' ')}</p>`;
}

/** Grouped bars: one group per worker, one bar per variant; the dashed line is the perfectly even share. */
function workerShareChart(rows: readonly ComparisonRow[]): string {
  const workers = [...new Set(rows.flatMap((r) => r.perWorker.map((w) => w.name)))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (workers.length === 0) return '<p>No responses carried X-Served-By.</p>';
  const maxShare = Math.max(0.01, ...rows.flatMap((r) => r.perWorker.map((w) => w.share)));
  const top = Math.min(1, Math.ceil(maxShare * 10) / 10);
  const barW = 16;
  const groupW = Math.max(rows.length * barW + 16, 34);
  const left = 48;
  const plotH = 240;
  const width = left + workers.length * groupW + 40;
  // Worker names are drawn slanted under their group, so long ones (api-slow-1/0) never overlap.
  const height = plotH + 30 + 7 * Math.max(...workers.map((w) => w.length));
  const y = (share: number): number => 10 + plotH - (share / top) * plotH;
  const parts: string[] = [];
  for (let t = 0; t <= 4; t++) {
    const v = (top * t) / 4;
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${left - 6}" y="${y(v) + 4}" class="axis" text-anchor="end">${fmtPct(v)}</text>`);
  }
  workers.forEach((worker, g) => {
    const x0 = left + g * groupW + 8;
    rows.forEach((row, i) => {
      const share = row.perWorker.find((w) => w.name === worker)?.share ?? 0;
      const h = plotH + 10 - y(share);
      parts.push(
        `<rect x="${x0 + i * barW}" y="${y(share)}" width="${barW - 2}" height="${h}" fill="${colorOf(i)}"><title>${escapeHtml(`${row.variant}, ${worker}: ${fmtPct(share)}`)}</title></rect>`,
      );
    });
    const lx = x0 + (rows.length * barW) / 2;
    parts.push(`<text x="${lx}" y="${plotH + 24}" class="axis" text-anchor="end" transform="rotate(-35 ${lx} ${plotH + 24})">${escapeHtml(worker)}</text>`);
  });
  // The even share for each variant is 1 / (workers that variant had); with equal topologies one line.
  const evenShares = [...new Set(rows.map((r) => (r.perWorker.length > 0 ? 1 / r.perWorker.length : 0)))].filter((s) => s > 0 && s <= top);
  for (const even of evenShares) {
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y(even)}" y2="${y(even)}" class="even"><title>even share ${fmtPct(even)}</title></line>`);
  }
  return `<svg role="img" aria-label="share of requests per worker, by variant" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

/** Grouped bars on a log scale: p50, p95, p99 per variant. */
function latencyChart(rows: readonly ComparisonRow[]): string {
  const stats: Array<[string, (r: ComparisonRow) => number]> = [['p50', (r) => r.p50Ms], ['p95', (r) => r.p95Ms], ['p99', (r) => r.p99Ms]];
  const values = rows.flatMap((r) => stats.map(([, f]) => f(r))).filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.max(0.1, Math.min(...values, 1))));
  const hi = Math.ceil(Math.log10(Math.max(...values, 10)));
  const left = 60;
  const plotH = 220;
  const barW = 26;
  const groupW = Math.max(stats.length * barW + 24, 8 * Math.max(...rows.map((r) => r.variant.length)));
  const width = left + rows.length * groupW + 10;
  const height = plotH + 70;
  const y = (v: number): number => 20 + plotH - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plotH;
  const parts: string[] = [];
  for (let d = lo; d <= hi; d++) {
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y(10 ** d)}" y2="${y(10 ** d)}" class="grid"/><text x="${left - 6}" y="${y(10 ** d) + 4}" class="axis" text-anchor="end">${fmtMs(10 ** d)}</text>`);
  }
  rows.forEach((row, g) => {
    const x0 = left + g * groupW + 12;
    stats.forEach(([name, f], i) => {
      const v = f(row);
      parts.push(
        `<rect x="${x0 + i * barW}" y="${y(v)}" width="${barW - 3}" height="${plotH + 20 - y(v)}" fill="${colorOf(g)}" fill-opacity="${0.45 + 0.275 * i}"><title>${escapeHtml(`${row.variant} ${name}: ${fmtMs(v)}`)}</title></rect>`,
        `<text x="${x0 + i * barW + (barW - 3) / 2}" y="${plotH + 34}" class="axis small" text-anchor="middle">${name}</text>`,
        `<text x="${x0 + i * barW + (barW - 3) / 2}" y="${y(v) - 4}" class="axis small" text-anchor="middle">${escapeHtml(fmtMs(v))}</text>`,
      );
    });
    parts.push(`<text x="${x0 + (stats.length * barW) / 2}" y="${plotH + 52}" class="axis" text-anchor="middle">${escapeHtml(row.variant)}</text>`);
  });
  return `<svg role="img" aria-label="latency percentiles by variant, log scale" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

function throughputChart(rows: readonly ComparisonRow[]): string {
  const max = Math.max(1, ...rows.map((r) => r.throughputRps));
  const labelW = 10 + Math.max(...rows.map((r) => r.variant.length)) * 7.5;
  const barMax = 420;
  const width = labelW + barMax + 110;
  const height = rows.length * 26 + 10;
  const parts = rows.map((r, i) => {
    const w = (r.throughputRps / max) * barMax;
    const yy = 5 + i * 26;
    return `<text x="${labelW - 8}" y="${yy + 15}" class="axis" text-anchor="end">${escapeHtml(r.variant)}</text>` +
      `<rect x="${labelW}" y="${yy}" width="${w}" height="20" fill="${colorOf(i)}"/>` +
      `<text x="${labelW + w + 6}" y="${yy + 15}" class="axis">${r.throughputRps.toFixed(1)} req/s</text>`;
  });
  return `<svg role="img" aria-label="throughput by variant" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const { header, rows: body } = comparisonCells(input.rows);
  const table = `<table><thead><tr>${header.map((h) => `<th>${escapeHtml(h || 'measure')}</th>`).join('')}</tr></thead><tbody>${body
    .map((line) => `<tr>${line.map((cell, i) => (i === 0 ? `<th scope="row">${escapeHtml(cell)}</th>` : `<td>${escapeHtml(cell)}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #1b1b1b; }
  h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
  .meta { color: #555; margin-top: 0; } ul.notes { color: #333; }
  svg { display: block; max-width: 100%; height: auto; overflow: visible; }
  .grid { stroke: #ddd; stroke-width: 1; } .even { stroke: #333; stroke-dasharray: 5 4; stroke-width: 1.2; }
  .axis { font-size: 11px; fill: #444; } .small { font-size: 9px; }
  .legend span { margin-right: 14px; white-space: nowrap; } .legend svg { display: inline; vertical-align: -1px; }
  table { border-collapse: collapse; margin-top: 8px; font-variant-numeric: tabular-nums; }
  th, td { border-bottom: 1px solid #e3e3e3; padding: 4px 10px; text-align: right; } th[scope=row], thead th:first-child { text-align: left; font-weight: 500; }
  thead th { border-bottom: 2px solid #999; }
</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<p class="meta">generated ${escapeHtml(input.generatedAt)}; scenario ${escapeHtml([...new Set(input.rows.map((r) => r.scenario))].join(', '))}; load from ${escapeHtml([...new Set(input.rows.map((r) => r.source))].join(', '))}</p>
${input.notes.length > 0 ? `<ul class="notes">${input.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
<h2>Share of requests per worker</h2>
${legend(input.rows)}
${workerShareChart(input.rows)}
<h2>Latency percentiles (log scale)</h2>
${latencyChart(input.rows)}
<h2>Throughput</h2>
${throughputChart(input.rows)}
<h2>All numbers</h2>
${table}
</body>
</html>
`;
}
