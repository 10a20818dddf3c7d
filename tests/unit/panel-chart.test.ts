// make panel's pure parts: finding a panel's queries by title in the real dashboards, turning a query_range answer
// into named series, and drawing them (tools/lib/dashboards.ts, tools/panels/, tools/compare/src/timeSeriesChart.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPanel, legendOf, loadDashboards } from '../../tools/lib/dashboards.js';
import { parseSince, seriesOf, stepFor } from '../../tools/panels/src/panelQuery.js';
import { formatValue, timeSeriesSvg, wrapWords } from '../../tools/compare/src/timeSeriesChart.js';
import { countSvgSeries, parseCheck } from '../lib/labText.js';

const dashboards = loadDashboards();

test('findPanel reads the panel\'s own PromQL from grafana/dashboards/, variables substituted', () => {
  const found = findPanel(dashboards, 'Requests/s per worker');
  assert.equal(found.dashboard, 'load-distribution.json');
  assert.equal(found.targets.length, 1);
  assert.match(found.targets[0]!.expr, /^sum by \(replica, worker\) \(rate\(http_requests_total\{/);
  assert.doesNotMatch(found.targets[0]!.expr, /\$/, 'no Grafana variable left for Prometheus to reject');
  assert.equal(found.targets[0]!.legendFormat, '{{replica}}/{{worker}}');
  assert.equal(findPanel(dashboards, 'Latency p50 / p95 / p99').targets.length, 3, 'every target of the panel');
  assert.match(findPanel(dashboards, 'Worker restarts (time range)', '2m').targets[0]!.expr, /\[2m\]/, '$__range is the range drawn');
});

test('findPanel names the titles there are when the title is wrong, and refuses a panel with no query', () => {
  assert.throws(() => findPanel(dashboards, 'Requests per worker'), /no panel titled "Requests per worker".*"Requests\/s per worker"/s);
  assert.throws(() => findPanel(dashboards, 'Overview'), /has no PromQL target/);
});

test('legendOf follows Grafana\'s {{label}} legend, and names the labels when there is none', () => {
  assert.equal(legendOf('{{replica}}/{{worker}}', { replica: 'api-2', worker: '1' }), 'api-2/1');
  assert.equal(legendOf('{{ replica }} p99', { replica: 'api-1' }), 'api-1 p99');
  assert.equal(legendOf('', { __name__: 'up', job: 'api' }), '{job="api"}');
});

test('seriesOf parses a matrix answer, keeps NaN as a gap, and fails loudly on an error', () => {
  const body = { status: 'success', data: { resultType: 'matrix', result: [{ metric: { replica: 'api-1', worker: '0' }, values: [[100, '1.5'], [105, 'NaN']] as Array<[number, string]> }] } };
  const [s] = seriesOf(body, '{{replica}}/{{worker}}', 'q');
  assert.equal(s!.name, 'api-1/0');
  assert.deepEqual(s!.points[0], [100, 1.5]);
  assert.ok(Number.isNaN(s!.points[1]![1]));
  assert.throws(() => seriesOf({ status: 'error', error: 'parse error' }, '', 'bad{'), /Prometheus rejected bad\{: parse error/);
});

test('stepFor and parseSince: about 120 points, never under the scrape interval; bad SINCE is a usage error', () => {
  assert.equal(stepFor(60), 5);
  assert.equal(stepFor(3600), 30);
  assert.equal(parseSince('90s'), 90);
  assert.equal(parseSince('5m'), 300);
  assert.throws(() => parseSince('5 minutes'), /SINCE must look like/);
  assert.throws(() => parseSince('0m'), /SINCE must look like/);
});

test('timeSeriesSvg draws one series group per series, escapes names, and breaks the line at a gap', () => {
  const svg = timeSeriesSvg({
    title: 'Requests/s per worker',
    caption: 'vm, 2 cores, 2026-12-02: make panel',
    unit: 'reqps',
    series: [
      { name: 'api-2/0', points: [[0, 1], [5, 2], [10, NaN], [15, 3]] },
      { name: 'api-1/<0>', points: [[0, 0], [15, 4]] },
    ],
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, 'a standalone file');
  assert.equal(countSvgSeries(svg), 2);
  assert.match(svg, /api-1\/&lt;0&gt;/);
  assert.ok(svg.indexOf('api-1/&lt;0&gt;') < svg.indexOf('data-series="api-2/0"'), 'series in worker order');
  const path2 = /data-series="api-2\/0">.*?<path d="([^"]+)"/.exec(svg)![1]!;
  assert.equal(path2.match(/M/g)!.length, 2, 'the NaN starts a new sub-path');
  assert.match(svg, /vm, 2 cores, 2026-12-02: make panel/);
  assert.equal(countSvgSeries(timeSeriesSvg({ title: 't', caption: 'c', series: [] })), 0);
  // The time axis is the range asked for (Grafana's time picker), not the span of the points: a series that
  // starts halfway starts halfway across.
  const late = timeSeriesSvg({ title: 't', caption: 'c', series: [{ name: 'a', points: [[50, 1], [100, 1]] }], range: [0, 100] });
  assert.match(late, /<path d="M398\.0,/, 'x = 78 + 640 * 50/100');
});

test('formatValue speaks the panel\'s unit', () => {
  assert.equal(formatValue(12.5, 'reqps'), '12.5 req/s');
  assert.equal(formatValue(0.25, 's'), '250 ms');
  assert.equal(formatValue(50, 'percent'), '50%');
});

test('the labs can check an SVG\'s series: svg <kind> series', () => {
  const c = parseCheck('svg panel series == output /(\\d+) workers live now/');
  assert.equal(c.kind, 'compare');
  assert.deepEqual(c.kind === 'compare' && c.left, { kind: 'svg', report: 'panel' });
  assert.throws(() => parseCheck('svg panel lines == 6'), /expected a value/);
});

test('wrapWords breaks at spaces within the width, and cuts a word wider than a line', () => {
  const caption = 'vm (2 × AMD EPYC), 2026-12-02 02:54 UTC, last 2m: make panel PANEL="Requests/s per worker" SINCE=2m';
  assert.deepEqual(wrapWords(caption, 2000), [caption], 'one line when it fits');
  const lines = wrapWords(caption, 200);
  assert.ok(lines.length >= 3, `${lines.length} lines`);
  assert.equal(lines.join(' '), caption, 'nothing lost, nothing added');
  assert.deepEqual(wrapWords('a   b', 200), ['a b']);
  const [word] = wrapWords('x'.repeat(100), 100);
  assert.match(word!, /^x+…$/);
  assert.ok(word!.length < 100);
});

test('timeSeriesSvg makes room for its labels: the last time label, wide values, a long caption, long names', () => {
  const size = (svg: string): [number, number] => { const m = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)!; return [Number(m[1]), Number(m[2])]; };
  const plain = timeSeriesSvg({ title: 't', caption: 'c', series: [{ name: 'a', points: [[0, 1], [60, 1]] }], range: [0, 60] });
  const [width] = size(plain);
  // The last time label is centred on the plot's right edge (78 + 640): half of it must fit in the margin.
  assert.ok(width - (78 + 640) >= 40, `right margin ${width - 718} px: half a label of 8 characters (about 27 px in DejaVu Sans) and 12 px`);
  const wide = timeSeriesSvg({ title: 't', caption: 'c', unit: 'reqps', series: [{ name: 'a', points: [[0, 123456], [60, 1]] }] });
  assert.match(wide, /<path d="M(\d+\.\d),/);
  assert.ok(Number(/<path d="M([\d.]+),/.exec(wide)![1]) > 78, 'a wider value label pushes the plot right');
  const long = timeSeriesSvg({ title: 't', caption: 'word '.repeat(60), series: [{ name: 'x'.repeat(200), points: [[0, 1], [60, 1]] }] });
  assert.ok((long.match(/<tspan /g) ?? []).length >= 1 + 3, 'the caption wraps onto lines');
  assert.match(long, /<title>x{200}<\/title>/, 'the full name stays in the tooltip');
  assert.match(long, />x+…<\/text>/, 'the legend cuts it');
  assert.equal(size(long)[0], width, 'the picture keeps its width');
});
