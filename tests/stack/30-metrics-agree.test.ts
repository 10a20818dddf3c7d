// Prometheus' per-worker request counts (one scrape per container returns every worker) must agree
// with what the client counted from X-Served-By, within 5%. A scrape that landed on one worker only,
// or counters that reset between scrapes, would break this.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad } from '../../tools/loadrunner/src/index.js';
import { baseUrl, perWorker, waitForScrapeAfter } from '../lib/stack.js';

const TOLERANCE = 0.05;
const SERIES = 'http_requests_total{job="api", route="/whoami"}';

test('per-worker http_requests_total agrees with the client count within 5%', async () => {
  await waitForScrapeAfter(Date.now());
  const before = await perWorker(SERIES);
  const result = await runLoad({
    baseUrl,
    scenario: { model: 'closed', vus: 32, durationSec: 8 },
    requests: [{ path: '/whoami' }],
  });
  assert.equal(result.failed, 0);
  await waitForScrapeAfter(Date.now());
  const after = await perWorker(SERIES);

  const rows: string[] = [];
  let serverTotal = 0;
  for (const w of result.distribution.perWorker) {
    const delta = (after.get(w.key) ?? 0) - (before.get(w.key) ?? 0);
    serverTotal += delta;
    rows.push(`${w.key}: client ${w.requests}, prometheus ${delta}`);
    assert.ok(Math.abs(delta - w.requests) <= TOLERANCE * w.requests, `worker ${w.key}: ${rows.at(-1)}`);
  }
  console.log(`# ${rows.join('; ')}`);
  const clientTotal = result.distribution.attributed;
  assert.ok(Math.abs(serverTotal - clientTotal) <= TOLERANCE * clientTotal, `total: client ${clientTotal}, prometheus ${serverTotal}`);
});

test('a worker\'s counters never go down between scrapes', async () => {
  const first = await perWorker('http_requests_total{job="api"}');
  await waitForScrapeAfter(Date.now());
  const second = await perWorker('http_requests_total{job="api"}');
  for (const [key, value] of first) {
    assert.ok((second.get(key) ?? 0) >= value, `${key} went from ${value} to ${second.get(key)}`);
  }
});
