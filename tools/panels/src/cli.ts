// make panel PANEL="<title>" [SINCE=5m]: a Grafana panel of grafana/dashboards/ drawn offline, as an SVG file.
// The queries are the panel's own (read by title, never copied), sent to the running Prometheus over the last
// SINCE; prints the file it wrote, the series it drew, and how many api workers Prometheus scrapes right now, so
// a lab can check "one line per worker" (docs/labs/, `svg panel series`).
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findPanel, loadDashboards } from '../../lib/dashboards.js';
import { liveWorkers } from '../../lib/liveWorkers.js';
import { repoRoot } from '../../lib/repo.js';
import { runStamp, slug } from '../../compare/src/runComparison.js';
import { timeSeriesSvg } from '../../compare/src/timeSeriesChart.js';
import { parseSince, queryPanel } from './panelQuery.js';
import { prometheusUrl } from '../../lib/stackUrls.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      panel: { type: 'string' },
      since: { type: 'string', default: '5m' },
      prometheus: { type: 'string', default: prometheusUrl },
      out: { type: 'string' },
      command: { type: 'string', default: 'make panel' },
    },
  });
  if (!values.panel) throw new Error('name the panel: make panel PANEL="Requests/s per worker" [SINCE=5m]');
  const since = parseSince(values.since);
  const found = findPanel(loadDashboards(), values.panel, values.since.trim());
  const end = Math.floor(Date.now() / 1000);
  const series = await queryPanel(values.prometheus, found, end - since, end);
  const live = await liveWorkers(values.prometheus);
  const date = new Date(end * 1000).toISOString().slice(0, 16).replace('T', ' ');
  const caption = `${os.hostname()} (${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}), ${date} UTC, last ${values.since}: ${values.command}`;
  const svg = timeSeriesSvg({ title: `${values.panel} (${found.dashboard})`, caption, unit: found.panel.fieldConfig?.defaults?.unit, series, range: [end - since, end] });
  const file = path.resolve(values.out ?? path.join(repoRoot, 'reports', `${runStamp()}-panel`, `${slug(values.panel)}.svg`));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, svg);
  console.log(`${series.length} series: ${series.map((s) => s.name).sort().join(', ') || '(none: no data in the range)'}`);
  console.log(`${live.length} workers live now: ${live.join(', ')}`);
  console.log(`wrote ${path.relative(repoRoot, file)}`);
}

main().catch((e: unknown) => {
  console.error(`make panel: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});
