// The pictures people look at, opened in headless Chromium (tests/lib/browser.ts): a report.html of each kind of
// comparison written against this stack (40-compare's), and `make panel`'s SVG drawn now from this stack's
// Prometheus. Each must load with no console error, and every variant, worker and series must be drawn, counted in
// the DOM, inside the picture (tests/lib/pictures.ts). A screenshot of each stays in reports/test-pictures/ for
// people to look at. Last, the same checks on broken copies (a label cut off, a series missing...) must each fail.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ComparisonRow } from '../../tools/compare/src/comparisonRow.js';
import { timeSeriesSvg } from '../../tools/compare/src/timeSeriesChart.js';
import { containersOf, inspect, makeOk } from '../../tools/lib/docker.js';
import { findPanel, loadDashboards } from '../../tools/lib/dashboards.js';
import { repoRoot } from '../../tools/lib/repo.js';
import { runLoad } from '../../tools/loadrunner/src/index.js';
import type { Page } from 'playwright-core';
import { screenshot, startChromium, type Chromium } from '../lib/browser.js';
import { compareReportProblems, panelSvgProblems } from '../lib/pictures.js';
import { baseUrl, liveWorkers, promQuery, SCRAPE_INTERVAL_MS, waitForScrapeAfter } from '../lib/stack.js';

const SHOTS = path.join(repoRoot, 'reports', 'test-pictures');
const PANEL = 'Requests/s per worker';
const SINCE = '2m';

let browser: Chromium;
let controls: string;

before(async () => {
  browser = await startChromium();
  await mkdir(SHOTS, { recursive: true });
  controls = await mkdtemp(path.join(os.tmpdir(), 'scaleout-pictures-'));
});

after(async () => {
  await browser?.close();
  if (controls) await rm(controls, { recursive: true, force: true });
});

/** Opens a file, runs the picture's checks, keeps a screenshot; returns every problem, the browser's first. */
async function look(file: string, checks: (page: Page) => Promise<string[]>, shot?: string): Promise<string[]> {
  const problems = await browser.open(file);
  const found = await checks(browser.page);
  if (shot) await screenshot(browser.page, shot);
  return [...problems, ...found];
}

interface Comparison { readonly kind: string; readonly rows: ComparisonRow[] }
const comparisonOf = async (reportDir: string): Promise<Comparison> => JSON.parse(await readFile(path.join(reportDir, 'comparison.json'), 'utf8')) as Comparison;

/**
 * Of the reports/<folder>/report.html written since this stack's Prometheus started (this stack's comparisons), the
 * one of each kind (strategies, cluster, connections) that draws the most bars: about a second each in Chromium.
 */
async function reportsOfThisStack(): Promise<string[]> {
  const [prometheus] = await containersOf('prometheus');
  assert.ok(prometheus, 'no prometheus container: is the stack up?');
  const since = Date.parse((await inspect(prometheus)).State.StartedAt);
  const root = path.join(repoRoot, 'reports');
  const fresh = readdirSync(root)
    .map((name) => path.join(root, name))
    .filter((dir) => existsSync(path.join(dir, 'report.html')) && existsSync(path.join(dir, 'comparison.json')))
    .filter((dir) => statSync(path.join(dir, 'report.html')).mtimeMs >= since)
    .sort();
  const richest = new Map<string, { dir: string; bars: number }>();
  for (const dir of fresh) {
    const { kind, rows } = await comparisonOf(dir);
    const bars = rows.length * new Set(rows.flatMap((r) => r.perWorker.map((w) => w.name))).size;
    if ((richest.get(kind)?.bars ?? -1) < bars) richest.set(kind, { dir, bars });
  }
  return [...richest.values()].map((r) => r.dir).sort();
}

test('a report.html of each kind renders in Chromium: each variant in the legend, every chart and the table, each worker\'s bars', async () => {
  const dirs = await reportsOfThisStack();
  assert.ok(dirs.length > 0, 'no comparison report written against this stack (40-compare writes them)');
  const problems: string[] = [];
  for (const dir of dirs) {
    const { rows } = await comparisonOf(dir);
    const found = await look(path.join(dir, 'report.html'), (page) => compareReportProblems(page, rows), path.join(SHOTS, `${path.basename(dir)}.png`));
    problems.push(...found.map((p) => `${path.relative(repoRoot, dir)}/report.html: ${p}`));
    console.log(`# ${path.relative(repoRoot, dir)}/report.html: ${rows.length} variants, ${found.length} problems; screenshot reports/test-pictures/${path.basename(dir)}.png`);
  }
  assert.deepEqual(problems, []);
});

/**
 * Every live worker must have served user traffic inside the panel's range, or it draws no line. The tests before
 * this one leave such traffic (90-dashboards' last); alone on a fresh stack, this sends some, as 90-dashboards does.
 */
async function everyWorkerInThePanel(): Promise<string[]> {
  const live = await liveWorkers();
  const expr = findPanel(loadDashboards(), PANEL, SINCE).targets[0]!.expr;
  const serving = new Set((await promQuery(expr)).filter((s) => Number(s.value[1]) > 0).map((s) => `${s.metric.replica}/${s.metric.worker}`));
  if (live.every((w) => serving.has(w))) return live;
  const load = await runLoad({ baseUrl, scenario: { model: 'closed', vus: 8, durationSec: (3 * SCRAPE_INTERVAL_MS) / 1000 }, requests: [{ path: '/whoami' }] });
  assert.equal(load.failed, 0);
  await waitForScrapeAfter(Date.now());
  return live;
}

test(`make panel PANEL="${PANEL}" renders in Chromium: a line and a legend entry per worker, every label inside the picture`, async () => {
  const live = await everyWorkerInThePanel();
  const svg = path.join(SHOTS, 'requests-per-worker.svg');
  const { output } = await makeOk('panel', { PANEL, SINCE, PANEL_OUT: svg });
  // make panel prints "<n> series: api-1/0, api-1/1, ...": the series it drew, which the DOM must hold.
  const printed = /^(\d+) series: (.*)$/m.exec(output);
  assert.ok(printed, `make panel did not say what it drew:\n${output}`);
  const series = printed[2]!.split(', ');
  assert.equal(series.length, Number(printed[1]));
  for (const worker of live) assert.ok(series.includes(worker), `live worker ${worker} drew no line (drawn: ${series.join(', ')})`);
  const problems = await look(svg, (page) => panelSvgProblems(page, series), path.join(SHOTS, 'requests-per-worker.png'));
  assert.deepEqual(problems, []);
  console.log(`# ${path.relative(repoRoot, svg)}: ${series.length} series; screenshot reports/test-pictures/requests-per-worker.png`);
});

test('the SVG generator keeps the hard cases inside the picture: a long title and caption, wide values, long names', async () => {
  // What a real make panel run can produce on another machine or panel: a long hostname and CPU model, a bytes panel,
  // label sets as legends (a query with no legendFormat), and one name wider than the whole legend.
  const names = ['{instance="api-1:3000", job="api", replica="api-1", route="/work", worker="0"}', 'api-slow-1/0 p99', 'W'.repeat(120), 'api-2/1'];
  const svg = timeSeriesSvg({
    title: 'Memory per worker, resident set size of each pm2 worker process (load-distribution.json)',
    caption: 'build-runner-7f9c2d.internal.example (16 × Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz), 2026-12-08 10:00 UTC, last 15m: make panel PANEL="Memory per worker" SINCE=15m',
    unit: 'bytes',
    series: names.map((name, i) => ({ name, points: [[0, (i + 1) * 987_654_321], [60, 1], [120, 123_456_789_012]] as const })),
    range: [0, 120],
  });
  const file = path.join(controls, 'hard-cases.svg');
  await writeFile(file, svg);
  assert.deepEqual(await look(file, (page) => panelSvgProblems(page, names), path.join(SHOTS, 'hard-cases.png')), []);
});

test('negative controls: broken copies of both pictures are each reported', async () => {
  const svg = await readFile(path.join(SHOTS, 'requests-per-worker.svg'), 'utf8');
  const series = [...svg.matchAll(/<g class="series" data-series="([^"]+)"/g)].map((m) => m[1]!);
  const check = async (name: string, text: string, checks: (page: Page) => Promise<string[]>): Promise<string> => {
    const file = path.join(controls, name);
    await writeFile(file, text);
    return (await look(file, checks)).join('\n');
  };
  const panel = (page: Page): Promise<string[]> => panelSvgProblems(page, series);

  // The generator's old right margin (20 px): the last time label is cut off, as in docs/img/ before the fix.
  const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!;
  const left = Number(/<line x1="([\d.]+)"/.exec(svg)![1]);
  const narrow = Math.round(left + 640 + 20);
  const oldMargin = svg.replace(`width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"`, `width="${narrow}" height="${h}" viewBox="0 0 ${narrow} ${h}"`);
  assert.match(await check('old-margin.svg', oldMargin, panel), /<text> "\d\d:\d\d:\d\d" sticks out of its frame \(right by/);
  // A series missing from the picture, and one drawn but hidden.
  const lastSeries = svg.lastIndexOf('<g class="series"');
  const missing = svg.slice(0, lastSeries) + svg.slice(svg.indexOf('</g>', lastSeries) + 4);
  assert.match(await check('missing.svg', missing, panel), new RegExp(`series: drawn .*expected .*${series.at(-1)!.replace('/', '\\/')}`));
  const hidden = svg.replace('<g class="series"', '<g style="visibility:hidden" class="series"');
  assert.match(await check('hidden.svg', hidden, panel), /is hidden/);
  // Not well-formed XML: Chromium shows its error page and logs nothing.
  assert.match(await check('bad.svg', svg.replace('</svg>', ''), panel), /not well-formed/);

  const [dir] = await reportsOfThisStack();
  const html = await readFile(path.join(dir!, 'report.html'), 'utf8');
  const { rows } = await comparisonOf(dir!);
  const report = (page: Page): Promise<string[]> => compareReportProblems(page, rows);
  assert.match(await check('error.html', html.replace('</body>', '<script>console.error("planted")</script></body>'), report), /console error: planted/);
  // A name pushed out of its chart, to the left.
  assert.match(await check('outside.html', html.replace(/(aria-label="throughput by variant"[^>]*>)<text x="[\d.]+"/, '$1<text x="-400"'), report), /sticks out of its frame \(left by/);
  // A variant the report does not draw.
  const extra: ComparisonRow = { ...rows[0]!, variant: 'planted variant' };
  const absent = await check('absent.html', html, (page) => compareReportProblems(page, [...rows, extra]));
  for (const where of ['legend', 'table columns', 'latency bars of planted variant', 'share bars of planted variant']) assert.match(absent, new RegExp(`^${where}: drawn`, 'm'));
});
