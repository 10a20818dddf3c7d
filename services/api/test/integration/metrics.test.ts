// /metrics in-process: series, labels, monotonic counters, sibling merge, METRICS_ENABLED=false.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { duplicateTypeLines, findSamples } from '../helpers/exposition.js';
import { httpRequest } from '../helpers/http.js';
import { startTestApi, type TestApi } from '../helpers/in-process-api.js';

describe('metrics (METRICS_ENABLED=true)', () => {
  let t: TestApi;
  let fakeSibling: Server;
  before(async () => {
    t = await startTestApi({ WORKERS: '3' });
    // Pretend worker 1 is alive on its internal port (worker 2 is "dead": nothing listens).
    fakeSibling = createServer((_req, res) => {
      res.end(
        [
          '# HELP http_requests_total HTTP requests answered by this worker, by method, route template and status.',
          '# TYPE http_requests_total counter',
          'http_requests_total{method="GET",route="/work",status="200",replica="test-1",worker="1"} 42',
          '',
        ].join('\n'),
      );
    });
    await new Promise<void>((resolve) => fakeSibling.listen({ host: '127.0.0.1', port: t.metricsPortBase + 1 }, resolve));
  });
  after(async () => {
    fakeSibling.close();
    await t.close();
  });

  it('exposes the contract series with replica and worker on every sample', async () => {
    await httpRequest(t.port, '/whoami');
    await httpRequest(t.port, '/work?n=10');
    await httpRequest(t.port, '/nope');
    const res = await httpRequest(t.port, '/metrics');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = res.text;
    assert.deepEqual(duplicateTypeLines(text), []);
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'http_requests_in_flight',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'api_build_info',
      'api_metrics_workers_scraped',
    ]) {
      assert.ok(findSamples(text, name).length > 0, `missing ${name}`);
    }
    assert.match(text, /# TYPE nodejs_gc_duration_seconds histogram/);
    const own = findSamples(text, 'http_requests_total', { worker: '0' });
    assert.ok(own.every((s) => s.labels.replica === 'test-1'));
    assert.ok(findSamples(text, 'http_requests_total', { route: '/whoami', status: '200', method: 'GET' })[0]);
    assert.ok(findSamples(text, 'http_requests_total', { route: 'unmatched', status: '404' })[0], 'unknown paths are route="unmatched"');
    assert.equal(findSamples(text, 'api_build_info', { version: '9.9.9' })[0]?.value, 1);
    const buckets = findSamples(text, 'http_request_duration_seconds_bucket', { route: '/work' }).map((s) => s.labels.le);
    assert.deepEqual(buckets, ['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf']);
  });

  it('merges the live sibling, skips the dead one, and says how many answered', async () => {
    const text = (await httpRequest(t.port, '/metrics')).text;
    assert.equal(findSamples(text, 'http_requests_total', { worker: '1', route: '/work' })[0]?.value, 42);
    assert.equal(findSamples(text, 'api_metrics_workers_scraped')[0]?.value, 2);
    assert.equal(findSamples(text, 'api_metrics_workers_expected')[0]?.value, 3);
    assert.deepEqual(duplicateTypeLines(text), []);
  });

  it('counts exactly the requests made, and counters never go down between scrapes', async () => {
    const count = async () =>
      findSamples((await httpRequest(t.port, '/metrics')).text, 'http_requests_total', { route: '/healthz', worker: '0' })[0]?.value ?? 0;
    const first = await count();
    for (let i = 0; i < 25; i++) await httpRequest(t.port, '/healthz');
    const second = await count();
    assert.equal(second - first, 25, `expected +25 /healthz, saw ${first} -> ${second}`);
  });

  it('labels body-parser errors with the route they were sent to', async () => {
    await httpRequest(t.port, '/echo', { method: 'POST', body: '{bad', headers: { 'content-type': 'application/json' } });
    const text = (await httpRequest(t.port, '/metrics')).text;
    assert.ok(findSamples(text, 'http_requests_total', { route: '/echo', status: '400' })[0], text.split('\n').filter((l) => l.startsWith('http_requests_total')).join('\n'));
  });
});

describe('metrics (METRICS_ENABLED=false)', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi({ METRICS_ENABLED: 'false' });
  });
  after(() => t.close());

  it('records no request metrics, /metrics still answers with the process metrics', async () => {
    await httpRequest(t.port, '/whoami');
    const res = await httpRequest(t.port, '/metrics');
    assert.equal(res.status, 200);
    assert.equal(findSamples(res.text, 'http_requests_total').length, 0);
    assert.ok(findSamples(res.text, 'process_start_time_seconds').length > 0);
  });
});
