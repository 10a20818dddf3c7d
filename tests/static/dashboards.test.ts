// Dashboards are code: valid JSON, a fixed uid, the datasource referenced by uid everywhere (never
// by name), and provisioned read-only. That every query returns data is checked against the real
// Prometheus in tests/stack/90-dashboards.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/lib/repo.js';
import { allPanels, loadDashboards, panelQueries } from '../lib/dashboards.js';

const DATASOURCE_UID = 'prometheus';

test('the Load distribution dashboard exists with its fixed uid', () => {
  const uids = loadDashboards().map((d) => d.dashboard.uid);
  assert.ok(uids.includes('load-distribution'), `dashboard uids: ${uids.join(', ')}`);
  assert.equal(new Set(uids).size, uids.length, 'duplicate dashboard uid');
});

test("panel ids are unique within a dashboard (Grafana's links and viewPanel pick a panel by its id)", () => {
  for (const { file, dashboard } of loadDashboards()) {
    const seen = new Map<number, string>();
    for (const p of allPanels(dashboard.panels)) {
      assert.equal(typeof p.id, 'number', `${file}: panel "${p.title}" has no id`);
      assert.ok(!seen.has(p.id!), `${file}: id ${p.id} is both "${seen.get(p.id!)}" and "${p.title}"`);
      seen.set(p.id!, p.title ?? '');
    }
  }
});

test('every panel and variable references the datasource by its fixed uid', () => {
  for (const { file, dashboard } of loadDashboards()) {
    const refs = [
      ...allPanels(dashboard.panels).flatMap((p) => [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)]),
      ...(dashboard.templating?.list ?? []).map((v) => v.datasource),
    ].filter((d) => d !== undefined && d !== null);
    for (const ref of refs) {
      assert.equal(typeof ref, 'object', `${file}: datasource referenced by name (${String(ref)})`);
      const uid = (ref as { uid?: string }).uid;
      assert.ok(uid === DATASOURCE_UID || uid === '-- Grafana --' || uid === 'grafana', `${file}: datasource uid ${uid}`);
    }
  }
});

test('the dashboard has the panels the README promises', () => {
  const titles = loadDashboards()
    .flatMap((d) => allPanels(d.dashboard.panels))
    .map((p) => (p.title ?? '').toLowerCase())
    .join(' | ');
  for (const word of ['requests/s', 'share', 'in-flight', 'p99', 'event-loop', 'heap', 'restart', 'nginx', 'k6', 'fairness']) {
    assert.ok(titles.includes(word), `no panel title mentions "${word}": ${titles}`);
  }
  assert.ok(panelQueries().length >= 20);
});

test('provisioning: fixed datasource uid, dashboards read-only, no anonymous admin', () => {
  const ds = readFileSync(path.join(repoRoot, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8');
  assert.match(ds, /uid:\s*prometheus\b/);
  const provider = readFileSync(path.join(repoRoot, 'grafana/provisioning/dashboards/dashboards.yml'), 'utf8');
  assert.match(provider, /allowUiUpdates:\s*false/);
  const ini = readFileSync(path.join(repoRoot, 'grafana/grafana.ini'), 'utf8');
  assert.match(ini, /\[auth\.anonymous\][^[]*enabled\s*=\s*false/);
  assert.doesNotMatch(ini, /^admin_password\s*=/m, 'an admin password is written in grafana.ini');
});
