import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeExpositions, seriesKey } from '../../src/metrics/merge-expositions.js';

const worker = (id: string, requests: number): string =>
  [
    '# HELP http_requests_total Requests.',
    '# TYPE http_requests_total counter',
    `http_requests_total{method="GET",route="/work",status="200",replica="api-1",worker="${id}"} ${requests}`,
    '',
    '# HELP http_request_duration_seconds Duration.',
    '# TYPE http_request_duration_seconds histogram',
    `http_request_duration_seconds_bucket{le="0.1",route="/work",replica="api-1",worker="${id}"} ${requests}`,
    `http_request_duration_seconds_bucket{le="+Inf",route="/work",replica="api-1",worker="${id}"} ${requests}`,
    `http_request_duration_seconds_sum{route="/work",replica="api-1",worker="${id}"} 0.5`,
    `http_request_duration_seconds_count{route="/work",replica="api-1",worker="${id}"} ${requests}`,
    '',
    '# HELP process_start_time_seconds Start time.',
    '# TYPE process_start_time_seconds gauge',
    `process_start_time_seconds{replica="api-1",worker="${id}"} 1700000000`,
    '',
  ].join('\n');

describe('mergeExpositions', () => {
  it('emits one HELP/TYPE per family with every worker\'s samples under it', () => {
    const merged = mergeExpositions([worker('0', 5), worker('1', 7)]);
    const lines = merged.trimEnd().split('\n');
    assert.equal(lines.filter((l) => l === '# TYPE http_requests_total counter').length, 1);
    assert.equal(lines.filter((l) => l === '# TYPE http_request_duration_seconds histogram').length, 1);
    // Samples of a family follow its TYPE line, before the next family starts.
    const typeIndex = lines.indexOf('# TYPE http_requests_total counter');
    assert.match(lines[typeIndex + 1] ?? '', /worker="0"\} 5$/);
    assert.match(lines[typeIndex + 2] ?? '', /worker="1"\} 7$/);
    assert.equal(lines[typeIndex + 3], '# HELP http_request_duration_seconds Duration.');
    const histogramType = lines.indexOf('# TYPE http_request_duration_seconds histogram');
    const histogramSamples = lines.slice(histogramType + 1, histogramType + 9);
    assert.ok(histogramSamples.every((l) => l.startsWith('http_request_duration_seconds_')), histogramSamples.join('\n'));
    assert.ok(merged.endsWith('\n'));
  });

  it('keeps the first of duplicate series (a duplicate would fail the whole scrape)', () => {
    const merged = mergeExpositions([worker('0', 5), worker('0', 9)]);
    assert.equal(merged.match(/^http_requests_total\{/gm)?.length, 1);
    assert.match(merged, /worker="0"\} 5\n/);
  });

  it('handles families missing in some texts and samples without headers', () => {
    const merged = mergeExpositions(['# TYPE a counter\na_total 1\n', 'b 2\n', '# TYPE a counter\na_total{worker="1"} 3\n']);
    assert.equal(merged, '# TYPE a counter\na_total 1\na_total{worker="1"} 3\nb 2\n');
  });

  it('returns an empty string for nothing', () => {
    assert.equal(mergeExpositions([]), '');
    assert.equal(mergeExpositions(['', '\n']), '');
  });
});

describe('seriesKey', () => {
  it('ignores value and timestamp, respects quoted braces', () => {
    assert.equal(seriesKey('up 1'), 'up');
    assert.equal(seriesKey('x{a="1"} 2 1700000000'), 'x{a="1"}');
    assert.equal(seriesKey('x{a="}\\" {"} 2'), 'x{a="}\\" {"}');
  });
});
