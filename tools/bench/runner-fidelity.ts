// The Node load runner's fidelity to k6 (issue 11, part 2): post 000's scenario (1000 VUs, 30 s, GET /work?n=1e6 then
// sleep 1 s) through nginx, by the Node runner and by k6 in its compose service, side by side in one run, on the
// running stack. Prints requests, p50, p95 and each generator's own CPU, per run and as medians, with the machine and
// the date.
//   make bench-runner [RUNS=1]       (make up first; online only for the k6 half: offline it is skipped, and said)
// The runner runs in this process (its CPU is process.cpuUsage()); k6 runs in its container, whose cgroup CPU counter
// is polled until it exits. Runs alternate runner, k6, runner, k6... so drift on a shared machine hits both alike.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildScenario, runLoad } from '../loadrunner/src/index.js';
import { HOST_REPORTS_DIR, runK6 } from '../lib/k6Compose.js';

const RUNS = Number(process.env.RUNS ?? 1);
const HTTP_PORT = process.env.HTTP_PORT ?? '8080';
const MODE = process.env.STACK_MODE ?? 'offline';
const compose = (process.env.COMPOSE_STACK ?? 'docker compose -f compose.yaml').split(/\s+/).filter(Boolean);
const SCRIPT = '02-post000-cluster';

interface Row {
  generator: string;
  requests: number;
  failed: number;
  p50Ms: number;
  p95Ms: number;
  cpuCores: number;
}

const log = (msg: string): void => void process.stderr.write(`==> ${msg}\n`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function runner(): Promise<Row> {
  const def = buildScenario('post000');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runLoad({ baseUrl: `http://127.0.0.1:${HTTP_PORT}`, scenario: def.scenario, requests: def.requests });
  const cpu = process.cpuUsage(cpu0);
  const wallUs = (performance.now() - t0) * 1000;
  return { generator: 'Node runner (host)', requests: r.requests, failed: r.failed, p50Ms: r.latency.medMs, p95Ms: r.latency.p95Ms, cpuCores: (cpu.user + cpu.system) / wallUs };
}

/** The k6 container's cumulative CPU in µs (cgroup v2 cpu.stat, else v1 cpuacct.usage), or undefined once it is gone. */
function containerCpuMicros(name: string): number | undefined {
  try {
    const out = execFileSync('docker', ['exec', name, 'sh', '-c',
      'if [ -f /sys/fs/cgroup/cpu.stat ]; then echo v2 $(grep usage_usec /sys/fs/cgroup/cpu.stat); else echo v1 $(cat /sys/fs/cgroup/cpuacct/cpuacct.usage); fi'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split(/\s+/);
    return out[0] === 'v2' ? Number(out[2]) : Number(out[1]) / 1000;
  } catch {
    return undefined;
  }
}

async function k6(run: number): Promise<Row> {
  const runId = `fidelity-${Date.now()}-${run}`;
  const name = `${process.env.COMPOSE_PROJECT_NAME ?? 'scaleout'}-fidelity-k6-${run}`;
  const t0 = performance.now();
  // The repo's one k6 invocation (tools/lib/k6Compose.ts: no deps restarted, as this user, report checked), under a
  // container name of ours so its cgroup CPU can be read while it runs.
  let done = false;
  const exited = runK6(compose, { script: SCRIPT, runId, reportDir: HOST_REPORTS_DIR, env: {} }, { thresholdsMayFail: true, runArgs: ['--name', name] })
    .finally(() => (done = true));
  exited.catch(() => undefined); // handled below, after the polling: not an unhandled rejection meanwhile
  let lastCpu = 0;
  while (!done) {
    lastCpu = containerCpuMicros(name) ?? lastCpu;
    await sleep(500);
  }
  const wallUs = (performance.now() - t0) * 1000;
  // k6 exits 99 when thresholds fail; the figures are still what we compare.
  const { reportFile } = await exited;
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    k6: { metrics: Record<string, { values: Record<string, number> }> };
  };
  const m = report.k6.metrics;
  return {
    generator: 'k6 (compose service)',
    requests: m.http_reqs!.values.count!,
    failed: Math.round((m.http_req_failed?.values.rate ?? 0) * m.http_reqs!.values.count!),
    p50Ms: m.http_req_duration!.values.med!,
    p95Ms: m.http_req_duration!.values['p(95)']!,
    // The last sample is up to 0.5 s before exit, and the wall time includes the container's start: a lower bound.
    cpuCores: lastCpu / wallUs,
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const online = MODE === 'online';
  if (!online) log('offline mode: k6 cannot run here (no registry, and k6 is not packaged), so only the Node runner half runs');
  for (let i = 1; i <= RUNS; i++) {
    log(`run ${i}/${RUNS}: Node runner, post000 (1000 VUs, 30 s)`);
    rows.push(await runner());
    log(`  ${JSON.stringify(rows.at(-1))}`);
    if (online) {
      log(`run ${i}/${RUNS}: k6 ${SCRIPT}.js in its compose service`);
      rows.push(await k6(i));
      log(`  ${JSON.stringify(rows.at(-1))}`);
    }
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  console.log(`\nRunner fidelity, ${new Date().toISOString()}, ${os.cpus().length} cores (${cpu}), ${MODE} images, post 000's scenario ` +
    `(1000 VUs, 30 s, GET /work?n=1000000 + sleep 1 s) through nginx on the running stack, ${RUNS} run(s) per generator, alternating.\n`);
  console.log('| generator | requests | failed | p50 | p95 | generator CPU (cores) |\n| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(`| ${r.generator} | ${r.requests} | ${r.failed} | ${r.p50Ms.toFixed(0)} ms | ${r.p95Ms.toFixed(0)} ms | ${r.cpuCores.toFixed(2)} |`);
  }
  for (const g of new Set(rows.map((r) => r.generator))) {
    const mine = rows.filter((r) => r.generator === g);
    if (mine.length > 1) {
      console.log(`| **median, ${g}** | ${median(mine.map((r) => r.requests))} | | ${median(mine.map((r) => r.p50Ms)).toFixed(0)} ms | ${median(mine.map((r) => r.p95Ms)).toFixed(0)} ms | ${median(mine.map((r) => r.cpuCores)).toFixed(2)} |`);
    }
  }
  if (!online) {
    console.log('\nk6: SKIPPED, offline mode (no registry answers here, and k6 is not packaged): the table above has the Node runner only, ' +
      'so it is NOT the real-k6-vs-runner fidelity table.');
    console.log('To get it: on a machine that can pull grafana/k6 (the pin is in compose.yaml), run `make up OFFLINE=0 && make bench-runner OFFLINE=0`; ' +
      'the k6 rows then come next to the runner\'s, same stack, same run. docs/load-generators.md says where the table goes.');
  }
  console.log('\nNext: docs/load-generators.md says what the difference means.');
}

await main();
