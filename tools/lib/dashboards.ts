// Reads the provisioned Grafana dashboards (grafana/dashboards/*.json): the one place that knows their shape, so
// the tests that send every panel query to a real Prometheus (tests/lib/dashboards.ts) and `make panel`
// (tools/panels/, the offline picture of a panel) read the same PromQL and never keep a copy of it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './repo.js';

export interface Target {
  expr?: string;
  legendFormat?: string;
  datasource?: { uid?: string } | string;
}

export interface Panel {
  id?: number;
  title?: string;
  type?: string;
  description?: string;
  datasource?: { type?: string; uid?: string } | string | null;
  targets?: Target[];
  fieldConfig?: { defaults?: { unit?: string } };
  panels?: Panel[];
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: Array<{ name: string; datasource?: { uid?: string } | string; query?: unknown }> };
}

export const dashboardDir = path.join(repoRoot, 'grafana', 'dashboards');

export function loadDashboards(dir = dashboardDir): Array<{ file: string; dashboard: Dashboard }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Dashboard }));
}

/** Panels and the panels inside collapsed rows, depth first. */
export function allPanels(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/**
 * Grafana's built-in and dashboard variables, as they would be on a view of everything over `range` (Grafana's
 * default 5 minutes): `$__rate_interval` 1m, four scrapes of prometheus/prometheus.yml's 15 s at the least.
 */
export function substituteVariables(expr: string, range = '5m'): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', range)
    .replace(/\$\{?(replica|worker|testid|strategy|run)(?::\w+)?\}?/g, '.*');
}

export interface FoundPanel {
  readonly dashboard: string;
  readonly panel: Panel;
  /** The panel's PromQL targets, variables substituted. */
  readonly targets: ReadonlyArray<{ readonly expr: string; readonly legendFormat: string }>;
}

/** The panel titled exactly `title`; throws naming the titles there are when none is, or when two dashboards share it. */
export function findPanel(dashboards: ReadonlyArray<{ file: string; dashboard: Dashboard }>, title: string, range = '5m'): FoundPanel {
  const hits = dashboards.flatMap(({ file, dashboard }) => allPanels(dashboard.panels).filter((p) => p.title === title).map((panel) => ({ file, panel })));
  if (hits.length === 0) {
    const titles = dashboards.flatMap(({ dashboard }) => allPanels(dashboard.panels).filter((p) => p.targets?.length).map((p) => `"${p.title}"`));
    throw new Error(`no panel titled "${title}" in grafana/dashboards/; panels with queries: ${titles.join(', ')}`);
  }
  if (hits.length > 1) throw new Error(`${hits.length} panels are titled "${title}" (${hits.map((h) => h.file).join(', ')}); titles must be unique`);
  const { file, panel } = hits[0]!;
  const targets = (panel.targets ?? []).filter((t): t is Target & { expr: string } => Boolean(t.expr)).map((t) => ({ expr: substituteVariables(t.expr, range), legendFormat: t.legendFormat ?? '' }));
  if (targets.length === 0) throw new Error(`panel "${title}" (${file}) has no PromQL target`);
  return { dashboard: file, panel, targets };
}

/** Grafana's `{{label}}` legend: `{{replica}}/{{worker}}` -> `api-1/0`; empty -> the labels as `{k="v"}`. */
export function legendOf(format: string, metric: Readonly<Record<string, string>>): string {
  if (format.trim()) return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => metric[k] ?? '');
  const labels = Object.entries(metric).filter(([k]) => k !== '__name__');
  return labels.length ? `{${labels.map(([k, v]) => `${k}="${v}"`).join(', ')}}` : 'value';
}
