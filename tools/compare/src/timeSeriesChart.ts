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

/** A line per series over a shared time axis, y from 0; the legend names each series in its colour. */
export function timeSeriesSvg(input: TimeSeriesChartInput): string {
  const series = [...input.series].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const all = series.flatMap((s) => s.points).filter(([, v]) => Number.isFinite(v));
  // No point at all (an idle range): an empty plot that says so, on a nominal axis.
  const t0 = input.range?.[0] ?? (all.length ? Math.min(...all.map(([t]) => t)) : 0);
  const t1 = Math.max(t0 + 1, input.range?.[1] ?? Math.max(...all.map(([t]) => t)));
  const top = Math.max(...all.map(([, v]) => v), 0) * 1.1 || 1;
  const left = 78;
  const plotW = 640;
  const plotH = 240;
  const plotTop = 52;
  const legendTop = plotTop + plotH + 40;
  const legendRows = Math.ceil(series.length / 4);
  const width = left + plotW + 20;
  const height = legendTop + legendRows * 18 + 8;
  const x = (t: number): number => left + ((t - t0) / (t1 - t0)) * plotW;
  const y = (v: number): number => plotTop + plotH - (v / top) * plotH;
  const r = (v: number): string => v.toFixed(1);
  const parts: string[] = [
    `<text x="${left}" y="20" class="title">${escapeHtml(input.title)}</text>`,
    `<text x="${left}" y="38" class="axis">${escapeHtml(input.caption)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${r(y(v))}" y2="${r(y(v))}" class="grid"/><text x="${left - 6}" y="${r(y(v) + 4)}" class="axis" text-anchor="end">${escapeHtml(formatValue(v, input.unit))}</text>`);
  }
  for (let i = 0; i <= 4 && (all.length || input.range); i++) {
    const t = t0 + ((t1 - t0) * i) / 4;
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
    const lx = left + (i % 4) * (plotW / 4);
    const ly = legendTop + Math.floor(i / 4) * 18;
    parts.push(
      `<g class="series" data-series="${escapeHtml(s.name)}"><title>${escapeHtml(s.name)}</title>` +
        `<path d="${d}" fill="none" stroke="${colorOf(i)}" stroke-width="2"/>` +
        `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${colorOf(i)}"/><text x="${lx + 16}" y="${ly}" class="axis">${escapeHtml(s.name)}</text></g>`,
    );
  });
  if (series.length === 0) parts.push(`<text x="${left + plotW / 2}" y="${plotTop + plotH / 2}" class="axis" text-anchor="middle">no data in this range</text>`);
  const style = 'text{font:12px system-ui,sans-serif;fill:#222}.title{font-size:15px;font-weight:600}.axis{fill:#555}.grid{stroke:#ddd}';
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(`${input.title}: ${series.length} series. ${input.caption}`)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><style>${style}</style><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>\n`;
}
