// Memory per worker with 1,000 idle websockets (issue 12's closing note), side by side in one run:
//   make bench-ws        (needs make up; recreates nginx with a raised per-address limit, and restores it at the end)
// Reads every worker's resident memory (process_resident_memory_bytes) and open sockets (ws_connections) from
// Prometheus, opens SOCKETS (1,000) idle socket.io clients through nginx with transports: ['websocket'], waits two
// scrapes, reads again, closes them, and prints a Markdown table per worker: RSS before, with the sockets, the
// difference, and KiB per socket. The sockets are idle: only socket.io's heartbeat (every 25 s) flows.
// Memory is not a timing, but the machine is shared: other helpers' load moves the heap a few MiB either way.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import { repoRoot } from '../lib/repo.js';
import { baseUrl, prometheusUrl } from '../lib/stackUrls.js';

const SOCKETS = Number(process.env.SOCKETS ?? 1000);
const BATCH = 50;
/** prometheus/prometheus.yml's scrape interval, twice, plus a margin. */
const SETTLE_MS = 12_000;
const base = (process.env.COMPOSE_STACK ?? 'docker compose -f compose.yaml').split(/\s+/).filter(Boolean);
const log = (msg: string): void => void process.stderr.write(`==> ${msg}\n`);

function composeRun(extra: string[], args: string[]): void {
  execFileSync(base[0]!, [...base.slice(1), ...extra, ...args], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function perWorker(expr: string): Promise<Map<string, number>> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(`sum by (replica, worker) (${expr})`)}`);
  const body = (await res.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  return new Map(body.data.result.map((s) => [`${s.metric.replica}/${s.metric.worker}`, Number(s.value[1])]));
}

/** Live workers only: series sampled in the last 15 s (replicas replaced earlier keep answering for 5 min). */
const rss = (): Promise<Map<string, number>> => perWorker('process_resident_memory_bytes{job="api"} and on (replica, worker) (timestamp(process_resident_memory_bytes{job="api"}) > time() - 15)');
const sockets = (): Promise<Map<string, number>> => perWorker('ws_connections{job="api"} and on (replica, worker) (timestamp(ws_connections{job="api"}) > time() - 15)');

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(baseUrl, { transports: ['websocket'], reconnection: false, timeout: 20_000 });
    s.once('hello', () => resolve(s));
    s.once('connect_error', (err) => reject(err));
  });
}

async function main(): Promise<void> {
  const opened: Socket[] = [];
  try {
    log('recreating nginx with the per-address websocket limit raised (tools/bench/compose.ws-limit-off.yaml)');
    composeRun(['-f', 'tools/bench/compose.ws-limit-off.yaml'], ['up', '-d', '--wait', '--no-deps', '--force-recreate', 'nginx']);
    await sleep(SETTLE_MS);
    const before = await rss();
    log(`opening ${SOCKETS} idle websockets through nginx, ${BATCH} at a time`);
    for (let i = 0; i < SOCKETS; i += BATCH) {
      opened.push(...(await Promise.all(Array.from({ length: Math.min(BATCH, SOCKETS - i) }, open))));
      if ((i + BATCH) % 250 === 0) log(`  ${opened.length} open`);
    }
    log(`${opened.length} open; waiting ${SETTLE_MS / 1000} s for two scrapes`);
    await sleep(SETTLE_MS);
    const during = await rss();
    const count = await sockets();

    const rows = [...before.keys()].sort().map((worker) => {
      const b = before.get(worker)! / 2 ** 20;
      const d = (during.get(worker) ?? NaN) / 2 ** 20;
      const n = count.get(worker) ?? 0;
      const perSocket = n > 0 ? ((d - b) * 1024) / n : NaN;
      return `| ${worker} | ${n} | ${b.toFixed(1)} | ${d.toFixed(1)} | ${(d - b).toFixed(1)} | ${Number.isFinite(perSocket) ? perSocket.toFixed(1) : '-'} |`;
    });
    const total = [...count.values()].reduce((a, b) => a + b, 0);
    console.log(`\n### ${SOCKETS} idle websockets through nginx: resident memory per worker (${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)})\n`);
    console.log('| worker | sockets | RSS before (MiB) | RSS with sockets (MiB) | difference (MiB) | KiB per socket |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    console.log(rows.join('\n'));
    console.log(`\n${total} sockets counted by ws_connections. RSS includes garbage not yet collected; a shared machine moves it a few MiB.`);
  } finally {
    for (const s of opened) s.close();
    log('restoring nginx (the stack\'s own limit)');
    composeRun([], ['up', '-d', '--wait', '--no-deps', '--force-recreate', 'nginx']);
  }
  log('Next: the Websockets row of the Grafana dashboard (Load distribution) shows the sockets arrive and leave');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
