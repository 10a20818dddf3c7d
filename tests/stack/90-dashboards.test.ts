// Every query of every provisioned dashboard, run against the real Prometheus after the load of the
// earlier stack tests, must return data. k6 panels need k6's remote write, which only the online
// stack has (offline, the Node load runner replaces k6 and writes nothing to Prometheus).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { panelQueries } from '../lib/dashboards.js';
import { promQuery, stackMode } from '../lib/stack.js';

for (const q of panelQueries()) {
  const skip = q.needsK6 && stackMode !== 'online' ? 'k6 results exist only online (k6 remote write)' : false;
  test(`${q.dashboard} / ${q.panel}: ${q.expr}`, { skip }, async () => {
    const result = await promQuery(q.expr);
    assert.ok(result.length > 0, `no data for ${q.expr}`);
  });
}
