// Every query of every provisioned dashboard must return data from a real Prometheus:
//   - the stack's panels from the stack's Prometheus, after the load of the earlier stack tests;
//   - the k6 panels from k6's own series: what a real k6 remote-wrote against this stack (tests/fixtures/k6/), loaded
//     into a Prometheus of their own (tests/lib/recordedK6Prometheus.ts) and queried at a time inside the recording,
//     in every mode; online, also from this run's k6 (make test-stack runs 01-smoke through the k6 service first).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad } from '../../tools/loadrunner/src/index.js';
import { loadDashboards, panelQueries } from '../lib/dashboards.js';
import { startRecordedK6Prometheus, type RecordedK6Prometheus } from '../lib/recordedK6Prometheus.js';
import { baseUrl, promQuery, stackMode, SCRAPE_INTERVAL_MS, waitForScrapeAfter } from '../lib/stack.js';

// The run the k6 panels are read at: post 000, mid-run (every k6 series of it has samples in the last minute).
const RECORDED_RUN = '02-post000-cluster';

let recorded: RecordedK6Prometheus | undefined;
let at = 0;

// The tests before this one may have just replaced every api container (the cluster comparison does): their new
// series then hold one or two samples, and rate()[1m] needs two. So: traffic for a few scrape intervals, then one
// more scrape, and every panel's window has the new containers' samples in it. The recorded series' Prometheus
// starts meanwhile.
before(async () => {
  const [load, started] = await Promise.all([
    runLoad({
      baseUrl,
      scenario: { model: 'closed', vus: 8, durationSec: (3 * SCRAPE_INTERVAL_MS) / 1000 },
      requests: [{ path: '/whoami' }, { path: '/work?n=10000' }],
    }),
    startRecordedK6Prometheus(),
  ]);
  recorded = started;
  const { start, end } = recorded.window(RECORDED_RUN);
  at = (start + end) / 2;
  assert.equal(load.failed, 0);
  await waitForScrapeAfter(Date.now());
});

after(async () => {
  await recorded?.stop();
});

const k6Queries = panelQueries().filter((q) => q.needsK6);

test('the dashboard has k6 panels, and each is checked below against k6\'s own series', () => {
  assert.ok(k6Queries.length >= 10, `${k6Queries.length} k6 queries`);
});

for (const q of panelQueries()) {
  if (!q.needsK6) {
    test(`${q.dashboard} / ${q.panel}: ${q.expr}`, async () => {
      const result = await promQuery(q.expr);
      assert.ok(result.length > 0, `no data for ${q.expr}`);
    });
    continue;
  }
  test(`${q.dashboard} / ${q.panel}, over k6's recorded series: ${q.expr}`, async () => {
    const result = await recorded!.query(q.expr, at);
    assert.ok(result.length > 0, `no data for ${q.expr} at ${new Date(at * 1000).toISOString()} (mid ${RECORDED_RUN})`);
  });
  if (stackMode === 'online') {
    test(`${q.dashboard} / ${q.panel}, over this run's k6: ${q.expr}`, async () => {
      const result = await promQuery(q.expr);
      assert.ok(result.length > 0, `no data for ${q.expr}`);
    });
  }
}

test("the k6 run variable (label_values over k6's series) lists the recorded runs", async () => {
  const variables = loadDashboards().flatMap(({ dashboard }) => dashboard.templating?.list ?? []);
  const k6Variables = variables.flatMap((v) => {
    const query = typeof v.query === 'string' ? v.query : (v.query as { query?: string } | undefined)?.query ?? '';
    const m = /^label_values\((k6_\w+)\s*,\s*(\w+)\)$/.exec(query);
    return m ? [{ name: v.name, metric: m[1]!, label: m[2]! }] : [];
  });
  assert.deepEqual(k6Variables.map((v) => v.name), ['testid']);
  const { start, end } = recorded!.window(RECORDED_RUN);
  for (const v of k6Variables) assert.ok((await recorded!.labelValues(v.label, v.metric, start, end)).includes(RECORDED_RUN), v.name);
});

test('negative control: before the recording, the same k6 queries find nothing (the check above can fail)', async () => {
  const before = recorded!.window(RECORDED_RUN).start - 3600;
  for (const q of k6Queries) {
    const result = await recorded!.query(q.expr, before);
    assert.deepEqual(result, [], `${q.expr} answered an hour before any k6 sample`);
  }
});
