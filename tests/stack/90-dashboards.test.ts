// Every query of every provisioned dashboard, run against the real Prometheus after the load of the
// earlier stack tests, must return data. k6 panels need k6's remote write, which only the online
// stack has (offline, the Node load runner replaces k6 and writes nothing to Prometheus).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad } from '../../tools/loadrunner/src/index.js';
import { panelQueries } from '../lib/dashboards.js';
import { baseUrl, promQuery, stackMode, SCRAPE_INTERVAL_MS, waitForScrapeAfter } from '../lib/stack.js';

// The tests before this one may have just replaced every api container (the cluster comparison does): their new
// series then hold one or two samples, and rate()[1m] needs two. So: traffic for a few scrape intervals, then one
// more scrape, and every panel's window has the new containers' samples in it.
before(async () => {
  const load = await runLoad({
    baseUrl,
    scenario: { model: 'closed', vus: 8, durationSec: (3 * SCRAPE_INTERVAL_MS) / 1000 },
    requests: [{ path: '/whoami' }, { path: '/work?n=10000' }],
  });
  assert.equal(load.failed, 0);
  await waitForScrapeAfter(Date.now());
});

for (const q of panelQueries()) {
  const skip = q.needsK6 && stackMode !== 'online' ? 'k6 results exist only online (k6 remote write)' : false;
  test(`${q.dashboard} / ${q.panel}: ${q.expr}`, { skip }, async () => {
    const result = await promQuery(q.expr);
    assert.ok(result.length > 0, `no data for ${q.expr}`);
  });
}
