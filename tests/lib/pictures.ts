// What "every variant and series is visible" means for the two pictures, checked on the page Chromium drew:
// counted in the DOM, each element rendered with a size, and inside the <svg> that holds it (a standalone SVG
// clips at its viewBox; the report's inline charts would spill over the page). Returns the problems found, so a
// test prints them all at once.
import type { Page } from 'playwright-core';
import type { ComparisonRow } from '../../tools/compare/src/comparisonRow.js';
import { drawingProblems, drawnElements, type DrawnElement } from './browser.js';

const sortedNames = (names: Iterable<string>): string[] => [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

function sameList(what: string, seen: readonly string[], expected: readonly string[]): string[] {
  return JSON.stringify(seen) === JSON.stringify(expected) ? [] : [`${what}: drawn ${JSON.stringify(seen)}, expected ${JSON.stringify(expected)}`];
}

/** make panel's SVG (tools/compare/src/timeSeriesChart.ts): one line and one legend entry per series, all text inside. */
export async function panelSvgProblems(page: Page, expectedSeries: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const root = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { localName: string } } }).document.documentElement.localName);
  if (root !== 'svg') return [`the document is <${root}>, not an <svg>`];
  const groups = await drawnElements(page, 'g.series');
  problems.push(...sameList('series', sortedNames(groups.map((g) => g.label)), sortedNames(expectedSeries)));
  // A line may be flat (a worker at 0 req/s is a horizontal line): it needs a length, not an area.
  for (const line of await drawnElements(page, 'g.series > path')) {
    problems.push(...drawingProblems(line, { mustHaveArea: false }));
    if (line.box.width <= 0) problems.push(`the line of a series has no length: ${JSON.stringify(line.box)}`);
  }
  const swatches = await drawnElements(page, 'g.series > rect');
  if (swatches.length !== expectedSeries.length) problems.push(`${swatches.length} legend swatches for ${expectedSeries.length} series`);
  for (const swatch of swatches) problems.push(...drawingProblems(swatch));
  // Title, caption, both axes' labels and the legend's names.
  for (const text of await drawnElements(page, 'text')) problems.push(...drawingProblems(text));
  return problems;
}

/** make compare's report.html (tools/compare/src/htmlReport.ts): every variant in the legend, each chart and the table. */
export async function compareReportProblems(page: Page, rows: readonly ComparisonRow[]): Promise<string[]> {
  const problems: string[] = [];
  const variants = rows.map((r) => r.variant);
  const workers = sortedNames(new Set(rows.flatMap((r) => r.perWorker.map((w) => w.name))));
  const chart = (label: string): string => `svg[role=img][aria-label^="${label}"]`;
  const check = (elements: readonly DrawnElement[], options?: { mustHaveArea?: boolean }): void => {
    for (const e of elements) problems.push(...drawingProblems(e, options));
  };

  const legend = await drawnElements(page, 'p.legend > span');
  problems.push(...sameList('legend', legend.map((e) => e.label), variants));
  check(legend);

  // Share per worker: one bar per variant and worker (a worker a variant did not have is a bar of height 0).
  // A bar's tooltip is "<variant>, <worker>: <share>"; one variant's name can start another's ("1 connection" and
  // "1 connection, upstream keep-alive off"), so a bar belongs to the longest variant its tooltip starts with.
  const bars = await drawnElements(page, `${chart('share of requests per worker')} rect`);
  const variantOf = (label: string): string | undefined =>
    variants.filter((v) => label.startsWith(`${v}, `)).reduce<string | undefined>((a, v) => (a === undefined || v.length > a.length ? v : a), undefined);
  for (const row of rows) {
    const own = bars.filter((b) => variantOf(b.label) === row.variant);
    problems.push(...sameList(`share bars of ${row.variant}`, sortedNames(own.map((b) => b.label.slice(row.variant.length + 2).replace(/: .*$/, ''))), workers));
    for (const bar of own) {
      const share = row.perWorker.find((w) => bar.label.startsWith(`${row.variant}, ${w.name}: `))?.share ?? 0;
      check([bar], { mustHaveArea: share > 0 });
    }
  }
  const shareTexts = await drawnElements(page, `${chart('share of requests per worker')} text`);
  const workerLabels = shareTexts.filter((t) => !t.label.endsWith('%'));
  problems.push(...sameList('worker names under the share bars', sortedNames(workerLabels.map((t) => t.label)), workers));
  check(shareTexts);

  // Latency: p50, p95 and p99 bars per variant, its name under them.
  const latency = await drawnElements(page, `${chart('latency percentiles')} rect`);
  for (const variant of variants) {
    problems.push(...sameList(`latency bars of ${variant}`, latency.filter((b) => b.label.startsWith(`${variant} p`)).map((b) => b.label.slice(variant.length + 1, variant.length + 4)), ['p50', 'p95', 'p99']));
  }
  check(latency);
  const latencyTexts = await drawnElements(page, `${chart('latency percentiles')} text`);
  problems.push(...sameList('variant names under the latency bars', latencyTexts.filter((t) => variants.includes(t.label)).map((t) => t.label), variants));
  check(latencyTexts);

  // Throughput: one bar and one name per variant.
  const throughput = await drawnElements(page, `${chart('throughput')} rect`);
  if (throughput.length !== variants.length) problems.push(`${throughput.length} throughput bars for ${variants.length} variants`);
  check(throughput, { mustHaveArea: false });
  const throughputTexts = await drawnElements(page, `${chart('throughput')} text`);
  problems.push(...sameList('variant names beside the throughput bars', throughputTexts.filter((t) => variants.includes(t.label)).map((t) => t.label), variants));
  check(throughputTexts);

  // The table: a column per variant.
  const header = await drawnElements(page, 'table thead th');
  problems.push(...sameList('table columns', header.slice(1).map((h) => h.label), variants));
  check(header);
  return problems;
}
