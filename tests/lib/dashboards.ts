// Reads the provisioned Grafana dashboards and turns every panel query into plain PromQL that can
// be sent to Prometheus' HTTP API: Grafana's template variables replaced by concrete values.
import { allPanels, loadDashboards, substituteVariables } from '../../tools/lib/dashboards.js';

export { allPanels, dashboardDir, loadDashboards, substituteVariables, type Dashboard } from '../../tools/lib/dashboards.js';

export interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
  /** k6 results exist only when k6 pushed them by remote write: tests run these over k6's recorded series (tests/fixtures/k6). */
  needsK6: boolean;
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
