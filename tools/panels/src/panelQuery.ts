// A dashboard panel's queries sent to a running Prometheus over a time range (/api/v1/query_range), as the
// series Grafana would draw: one per returned label set, named by the target's legendFormat.
import { legendOf, type FoundPanel } from '../../lib/dashboards.js';
import type { TimeSeries } from '../../compare/src/timeSeriesChart.js';

interface RangeResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
}

/** About 120 points across the range, never finer than Prometheus' 5 s scrape (prometheus/prometheus.yml). */
export function stepFor(rangeSeconds: number): number {
  return Math.max(5, Math.ceil(rangeSeconds / 120));
}

/** Pure: a query_range answer -> named series (values parsed; "NaN" stays NaN, a gap in the line). */
export function seriesOf(body: RangeResponse, legendFormat: string, expr: string): TimeSeries[] {
  if (body.status !== 'success' || body.data === undefined) throw new Error(`Prometheus rejected ${expr}: ${body.error ?? body.status}`);
  if (body.data.resultType !== 'matrix') throw new Error(`expected a matrix for ${expr}, got ${body.data.resultType}`);
  return body.data.result.map((s) => ({ name: legendOf(legendFormat, s.metric), points: s.values.map(([t, v]) => [Number(t), Number(v)] as const) }));
}

export async function queryPanel(prometheusUrl: string, found: FoundPanel, startS: number, endS: number): Promise<TimeSeries[]> {
  const step = stepFor(endS - startS);
  const out: TimeSeries[] = [];
  for (const { expr, legendFormat } of found.targets) {
    const qs = new URLSearchParams({ query: expr, start: String(startS), end: String(endS), step: String(step) });
    const res = await fetch(`${prometheusUrl}/api/v1/query_range?${qs}`).catch((e: unknown) => {
      throw new Error(`cannot reach Prometheus at ${prometheusUrl} (${e instanceof Error ? e.message : String(e)}); is the stack up (make up)?`);
    });
    out.push(...seriesOf((await res.json()) as RangeResponse, legendFormat, expr));
  }
  return out;
}

/** `90s`, `5m`, `1h` -> seconds; anything else is a usage error. */
export function parseSince(text: string): number {
  const m = /^(\d+)([smh])$/.exec(text.trim());
  if (!m || Number(m[1]) === 0) throw new Error(`SINCE must look like 90s, 5m or 1h, got "${text}"`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}
