// One place for every node's logs, and the per-worker metrics still agreeing with the client on a swarm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad } from '../../tools/loadrunner/src/index.js';
import { baseUrl, perWorker, waitForScrapeAfter } from '../lib/stack.js';
import { makeOk, runningTasks } from './swarmStack.js';

const MANAGER = 'node1';

test('make swarm-logs REQUEST_ID=<id> finds the nginx line and the api line of a request served on another node', async () => {
  const tasks = await runningTasks();
  const slotNode = new Map(tasks.map((t) => [`api-${t.name.split('.').at(-1)}`, t.node]));
  let found: { id: string; replica: string; node: string } | undefined;
  for (let i = 0; i < 60 && !found; i++) {
    const id = `swarm-logs-${process.pid}-${i}`;
    const res = await fetch(`${baseUrl}/whoami`, { headers: { 'x-request-id': id } });
    await res.arrayBuffer();
    const replica = res.headers.get('x-served-by')?.split('/')[0] ?? '';
    const node = slotNode.get(replica);
    if (res.ok && node && node !== MANAGER) found = { id, replica, node };
  }
  assert.ok(found, `no request was served off the manager: tasks ${JSON.stringify(tasks)}`);
  // nginx's access log is buffered for up to 1 s (nginx.conf, flush=1s); the daemon ships lines right after.
  await new Promise((r) => setTimeout(r, 2500));
  const { output } = await makeOk('swarm-logs', { REQUEST_ID: found.id });
  const lines = output.split('\n').filter((l) => l.includes(found.id));
  const nginxLine = lines.find((l) => /_nginx\.\d+\.\w+@node\d+/.test(l));
  const apiLine = lines.find((l) => new RegExp(`_api\\.\\d+\\.\\w+@${found.node}\\b`).test(l));
  assert.ok(nginxLine, `no nginx line for ${found.id}:\n${output}`);
  assert.ok(apiLine, `no api line from ${found.node} for ${found.id}:\n${output}`);
  // The api's line is its JSON, naming the same replica the client saw.
  assert.match(apiLine, new RegExp(`"replica":"${found.replica}"`), apiLine);
  console.log(`# request ${found.id}: served by ${found.replica} on ${found.node}; ${lines.length} log lines found`);
});

test('Prometheus per-worker counts equal the client\'s X-Served-By counts on the swarm', async () => {
  const series = 'http_requests_total{job="api", route="/whoami"}';
  await waitForScrapeAfter(Date.now());
  const before = await perWorker(series);
  const result = await runLoad({ baseUrl, scenario: { model: 'closed', vus: 8, durationSec: 6 }, requests: [{ path: '/whoami' }] });
  assert.equal(result.failed, 0);
  await waitForScrapeAfter(Date.now());
  const after = await perWorker(series);
  const rows: string[] = [];
  for (const w of result.distribution.perWorker) {
    const delta = (after.get(w.key) ?? 0) - (before.get(w.key) ?? 0);
    rows.push(`${w.key}: client ${w.requests}, prometheus ${delta}`);
  }
  console.log(`# ${rows.join('; ')}`);
  for (const w of result.distribution.perWorker) {
    const delta = (after.get(w.key) ?? 0) - (before.get(w.key) ?? 0);
    assert.equal(delta, w.requests, `worker ${w.key}: ${rows.join('; ')}`);
  }
  assert.ok(result.distribution.perWorker.length >= 3, `only ${result.distribution.perWorker.length} workers answered`);
});
