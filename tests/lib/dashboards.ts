// Reads the provisioned Grafana dashboards and turns every panel query into plain PromQL that can
// be sent to Prometheus' HTTP API: Grafana's template variables replaced by concrete values.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/lib/repo.js';

export interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
  /** k6 results exist only when k6 pushed them by remote write (never in offline mode). */
  needsK6: boolean;
}

interface Panel {
  title?: string;
  type?: string;
  description?: string;
  datasource?: { type?: string; uid?: string } | string | null;
  targets?: Array<{ expr?: string; datasource?: { uid?: string } | string }>;
  panels?: Panel[];
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: Array<{ name: string; datasource?: { uid?: string } | string; query?: unknown }> };
}

export const dashboardDir = path.join(repoRoot, 'grafana', 'dashboards');

export function loadDashboards(): Array<{ file: string; dashboard: Dashboard }> {
  return readdirSync(dashboardDir)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(path.join(dashboardDir, file), 'utf8')) as Dashboard }));
}

export function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Grafana's built-in and dashboard variables, as they would be on a 5-minute view of everything. */
export function substituteVariables(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', '5m')
    .replace(/\$\{?(replica|worker|testid|strategy|run)(?::\w+)?\}?/g, '.*');
}

export function panelQueries(): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const { file, dashboard } of loadDashboards()) {
    for (const panel of allPanels(dashboard.panels)) {
      for (const target of panel.targets ?? []) {
        if (!target.expr) continue;
        out.push({
          dashboard: file,
          panel: panel.title ?? '(untitled)',
          expr: substituteVariables(target.expr),
          needsK6: /k6 remote write/i.test(panel.description ?? '') || /\bk6_/.test(target.expr),
        });
      }
    }
  }
  return out;
}
