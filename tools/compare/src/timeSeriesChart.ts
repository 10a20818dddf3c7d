// One Grafana time-series panel as a standalone SVG file (xmlns, its own <style>), drawn with the compare reports'
// palette and escaping (htmlReport.ts), so `make panel` pictures and report.html charts look alike. Pure: series
// in, markup out; tools/panels/ queries Prometheus, tests/unit/panel-chart.test.ts checks the drawing.
import { colorOf, escapeHtml } from './htmlReport.js';

export interface TimeSeries {
  readonly name: string;
  /** [unix seconds, value], in time order; NaN (a gap, e.g. histogram_quantile of no requests) breaks the line. */
  readonly points: ReadonlyArray<readonly [number, number]>;
}

export interface TimeSeriesChartInput {
  readonly title: string;
  /** Under the title: where the picture came from (machine, date, command). */
  readonly caption: string;
  /** Grafana's unit id of the panel (reqps, percent, s, bytes...); anything else is printed as a plain number. */
  readonly unit?: string;
  readonly series: readonly TimeSeries[];
  /** [start, end] unix seconds of the time axis, as Grafana's time picker; default: the points' own span. */
  readonly range?: readonly [number, number];
}

export function formatValue(v: number, unit = ''): string {
  const n = (x: number): string => (Math.abs(x) >= 100 || Number.isInteger(x) ? x.toFixed(0) : x.toPrecision(3));
  switch (unit) {
    case 'reqps': return `${n(v)} req/s`;
    case 'percent': return `${n(v)}%`;
    case 'percentunit': return `${n(v * 100)}%`;
    case 's': return v >= 1 ? `${n(v)} s` : `${n(v * 1000)} ms`;
    case 'bytes': return v >= 2 ** 20 ? `${n(v / 2 ** 20)} MiB` : `${n(v / 1024)} KiB`;
    default: return n(v);
  }
}

const clock = (t: number): string => new Date(t * 1000).toISOString().slice(11, 19);

// A pure function has no font to measure with, so text widths are estimated per character, on the wide side of the
// common sans-serif faces (DejaVu Sans, Helvetica, Segoe UI): what is drawn then fits with room to spare. The real
// rendering is checked in Chromium by tests/stack/95-pictures.test.ts.
const FONT_PX = 12;
const TITLE_PX = 15;
function estimatedWidth(text: string, px = FONT_PX, bold = false): number {
  let em = 0;
  for (const c of text) em += /[MWmw@%…]/.test(c) ? 1 : /[A-Z&]/.test(c) ? 0.78 : /[ .,:;|'!ijlrtf()[\]{}/-]/.test(c) ? 0.42 : 0.64;
  return em * px * (bold ? 1.1 : 1);
}

/** The longest start of `text`, ending in "…", whose estimated width fits `maxWidth`. */
function cut(text: string, maxWidth: number, px = FONT_PX, bold = false): string {
  if (estimatedWidth(text, px, bold) <= maxWidth) return text;
  let n = text.length - 1;
  while (n > 0 && estimatedWidth(`${text.slice(0, n)}…`, px, bold) > maxWidth) n--;
  return `${text.slice(0, n)}…`;
}

/** Words into lines whose estimated width fits `maxWidth` (a word wider than a line gets one of its own, cut to fit). */
export function wrapWords(text: string, maxWidth: number, px = FONT_PX, bold = false): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (estimatedWidth(next, px, bold) <= maxWidth) { line = next; continue; }
    if (line) lines.push(line);
    line = cut(word, maxWidth, px, bold);
  }
  if (line) lines.push(line);
  return lines;
}

/** A line per series over a shared time axis, y from 0; the legend names each series in its colour. */
export function timeSeriesSvg(input: TimeSeriesChartInput): string {
  const series = [...input.series].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const all = series.flatMap((s) => s.points).filter(([, v]) => Number.isFinite(v));
  // No point at all (an idle range): an empty plot that says so, on a nominal axis.
  const t0 = input.range?.[0] ?? (all.length ? Math.min(...all.map(([t]) => t)) : 0);
  const t1 = Math.max(t0 + 1, input.range?.[1] ?? Math.max(...all.map(([t]) => t)));
  const top = Math.max(...all.map(([, v]) => v), 0) * 1.1 || 1;
  const yTicks = [0, 1, 2, 3, 4].map((i) => (top * i) / 4);
  const xTicks = all.length || input.range ? [0, 1, 2, 3, 4].map((i) => t0 + ((t1 - t0) * i) / 4) : [];
  // Margins from the labels they hold: the widest value label on the left, half a centred time label on the right
  // (the last one sits on the plot's right edge and was cut off when the margin was a fixed 20 px).
  const pad = 12;
  const left = Math.max(78, pad + Math.max(...yTicks.map((v) => estimatedWidth(formatValue(v, input.unit)))) + 6);
  const plotW = 640;
  const right = pad + estimatedWidth(clock(t1)) / 2;
  const width = Math.ceil(left + plotW + right);
  const title = wrapWords(input.title, width - 2 * pad, TITLE_PX, true);
  const caption = wrapWords(input.caption, width - 2 * pad);
  const captionTop = 20 + (title.length - 1) * 19 + 18;
  const plotTop = captionTop + (caption.length - 1) * 16 + 14;
  const plotH = 240;
  // The legend in as many columns of equal width as its widest name allows; a name wider than a whole row is cut,
  // its full text kept in the series' <title>.
  const legendW = width - left - pad;
  const shown = series.map((s) => cut(s.name, legendW - 16));
  const widest = Math.max(0, ...shown.map((name) => estimatedWidth(name)));
  const columns = Math.max(1, Math.min(4, Math.floor(legendW / Math.max(plotW / 4, 16 + widest + 16))));
  const legendTop = plotTop + plotH + 40;
  const legendRows = Math.ceil(series.length / columns);
  const height = legendTop + legendRows * 18 + 8;
  const x = (t: number): number => left + ((t - t0) / (t1 - t0)) * plotW;
  const y = (v: number): number => plotTop + plotH - (v / top) * plotH;
  const r = (v: number): string => v.toFixed(1);
  const parts: string[] = [
    `<text x="${pad}" y="20" class="title">${title.map((l, i) => `<tspan x="${pad}" dy="${i === 0 ? 0 : 19}">${escapeHtml(l)}</tspan>`).join('')}</text>`,
    `<text x="${pad}" y="${captionTop}" class="axis">${caption.map((l, i) => `<tspan x="${pad}" dy="${i === 0 ? 0 : 16}">${escapeHtml(l)}</tspan>`).join('')}</text>`,
  ];
  for (const v of yTicks) {
    parts.push(`<line x1="${r(left)}" x2="${r(left + plotW)}" y1="${r(y(v))}" y2="${r(y(v))}" class="grid"/><text x="${r(left - 6)}" y="${r(y(v) + 4)}" class="axis" text-anchor="end">${escapeHtml(formatValue(v, input.unit))}</text>`);
  }
  for (const t of xTicks) {
    parts.push(`<text x="${r(x(t))}" y="${plotTop + plotH + 18}" class="axis" text-anchor="middle">${clock(t)}</text>`);
  }
  series.forEach((s, i) => {
    // A NaN starts a new sub-path (M) instead of drawing through the gap.
    let d = '';
    let pen = 'M';
    for (const [t, v] of s.points) {
      if (!Number.isFinite(v)) { pen = 'M'; continue; }
      d += `${pen}${r(x(t))},${r(y(v))}`;
      pen = 'L';
    }
    const lx = left + (i % columns) * (legendW / columns);
    const ly = legendTop + Math.floor(i / columns) * 18;
    parts.push(
      `<g class="series" data-series="${escapeHtml(s.name)}"><title>${escapeHtml(s.name)}</title>` +
        `<path d="${d}" fill="none" stroke="${colorOf(i)}" stroke-width="2"/>` +
        `<rect x="${r(lx)}" y="${ly - 10}" width="12" height="12" fill="${colorOf(i)}"/><text x="${r(lx + 16)}" y="${ly}" class="axis">${escapeHtml(shown[i]!)}</text></g>`,
    );
  });
  if (series.length === 0) parts.push(`<text x="${left + plotW / 2}" y="${plotTop + plotH / 2}" class="axis" text-anchor="middle">no data in this range</text>`);
  const style = 'text{font:12px system-ui,sans-serif;fill:#222}.title{font-size:15px;font-weight:600}.axis{fill:#555}.grid{stroke:#ddd}';
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(`${input.title}: ${series.length} series. ${input.caption}`)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><style>${style}</style><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>\n`;
}
