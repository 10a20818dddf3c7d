// The figures of the comparisons (README "Seeing the difference"), measured side by side in one run and printed
// as a Markdown table with the machine and the date.
//   make bench-compare          (starts the stack if needed; leaves it as it found it)
// Every measurement is the compare tool itself (compare/src/runComparison.ts), as `make compare` runs it:
//   1. skewed scenario: least_conn p99 ÷ round_robin p99 (goal <= 0.6), RUNS runs, median;
//   2. fairness at 64 connections: worker and replica Jain for round_robin and least_conn, on the uniform route
//      (GET /io?ms=50, goal >= 0.99) and on GET / with every core busy (as measured);
//   3. one replica, /work with 16 connections and no think time: N workers ÷ 1 worker throughput at n = 10^6 and
//      10^7, and SCHED_NONE vs SCHED_RR worker max/min;
//   4. post 000's experiment (1000 VUs, sleep 1 s, 30 s) through the stack: 1 worker vs N workers in one replica;
//   5. connections, not requests: busiest worker per second at 1, 2, 4, 64 connections, and at 1 connection with
//      nginx's upstream keep-alive off (every request a new connection to the app), with its throughput.
import os from 'node:os';
import path from 'node:path';
import { runComparison, runStamp, type ComparisonResult, type ComparisonKind } from '../compare/src/runComparison.js';
import { StackControl } from '../compare/src/stackControl.js';
import { clusterVariants, connectionVariants, strategyVariants, type Variant } from '../compare/src/variants.js';
import { SCENARIOS, describeShape } from '../../k6/lib/scenarios.js';
import type { ScenarioOverrides } from '../loadrunner/src/index.js';
import { stackComposeCommand } from '../lib/docker.js';
import { repoRoot } from '../lib/repo.js';
import { baseUrl } from '../lib/stackUrls.js';

const RUNS = Number(process.env.RUNS ?? 3);
const WORKERS = Number(process.env.API_WORKERS || process.env.API_CPUS || 2);
const compose = stackComposeCommand({ fallback: ['compose.yaml'] });
const log = (line: string): void => void process.stderr.write(`==> ${line}\n`);
const stack = new StackControl({ compose, baseUrl, cwd: repoRoot, log });
const stamp = runStamp();

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const f = (v: number | null | undefined, digits = 2): string => (v === null || v === undefined ? 'n/a' : !Number.isFinite(v) ? 'inf' : v.toFixed(digits));
const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(0)}%`);

async function compare(name: string, kind: ComparisonKind, scenario: string, variants: readonly Variant[], overrides: ScenarioOverrides = {}): Promise<ComparisonResult> {
  return runComparison({
    kind, scenario, variants, overrides, baseUrl, mode: 'offline', stack, log,
    outDir: path.join(repoRoot, 'reports', `${stamp}-bench-${name}`),
  });
}

const row = (r: ComparisonResult, variant: string) => {
  const found = r.rows.find((x) => x.variant === variant);
  if (found === undefined) throw new Error(`no ${variant} in ${r.rows.map((x) => x.variant).join(', ')}`);
  return found;
};

async function main(): Promise<void> {
  const lines: string[] = [];
  const add = (measure: string, runs: string, result: string, goal: string): void => void lines.push(`| ${measure} | ${runs} | ${result} | ${goal} |`);

  // 1. skewed: p99 ratio.
  const ratios: number[] = [];
  const p99s: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await compare(`skewed-${i + 1}`, 'strategies', 'skewed', strategyVariants(['round_robin', 'least_conn']));
    const rr = row(r, 'round_robin');
    const lc = row(r, 'least_conn');
    ratios.push(lc.p99Ms / rr.p99Ms);
    p99s.push(`${lc.p99Ms.toFixed(0)} / ${rr.p99Ms.toFixed(0)} ms`);
    log(`skewed #${i + 1}: least_conn p99 ${lc.p99Ms.toFixed(1)} ms, round_robin ${rr.p99Ms.toFixed(1)} ms, ratio ${ratios.at(-1)!.toFixed(3)}`);
  }
  add('skewed scenario: least_conn p99 ÷ round_robin p99 (500 req/s, one small replica)', `${ratios.map((x) => x.toFixed(3)).join(', ')} (${p99s.join('; ')})`, `**${median(ratios).toFixed(2)}×**`, '≤ 0.6');

  // 2. fairness at 64 connections: on a uniform route (the same wait everywhere, idle cores), then on a CPU-bound one
  //    (every core busy), where least_conn follows whichever replica the scheduler lets answer first.
  for (const [scenario, label] of [['uniform', 'GET /io?ms=50 (uniform cost, idle cores)'], ['distribution', 'GET / (every core busy)']] as const) {
    const jains: Record<string, { worker: number[]; replica: number[] }> = {};
    for (let i = 0; i < RUNS; i++) {
      const r = await compare(`fairness-${scenario}-${i + 1}`, 'strategies', scenario, strategyVariants(['round_robin', 'least_conn']), { vus: 64, durationSec: 10 });
      for (const x of r.rows) {
        const j = (jains[x.variant] ??= { worker: [], replica: [] });
        j.worker.push(x.workerJain ?? 0);
        j.replica.push(x.replicaJain ?? 0);
      }
    }
    for (const [variant, j] of Object.entries(jains)) {
      add(`fairness, ${variant}, 64 connections, ${label}: Jain over workers; over replicas`, `${j.worker.map((x) => x.toFixed(3)).join(', ')}; ${j.replica.map((x) => x.toFixed(3)).join(', ')}`,
        `workers **${median(j.worker).toFixed(3)}**, replicas **${median(j.replica).toFixed(3)}**`, scenario === 'uniform' ? '≥ 0.99' : 'as measured');
    }
  }

  // 3. one replica, saturating /work: N vs 1 worker, SCHED_RR vs SCHED_NONE. Post 000's n = 10^6 (about 2 ms of CPU,
  //    as much as nginx and the load generator spend per request on the same cores), then n = 10^7, where the work
  //    dominates (the size tests/stack/40-compare.test.ts asserts on).
  for (const n of [1_000_000, 10_000_000]) {
    const speedups: number[] = [];
    const rrMaxMin: number[] = [];
    const noneMaxMin: number[] = [];
    const variants = n === 1_000_000 ? clusterVariants(WORKERS) : clusterVariants(WORKERS).filter((v) => !v.name.includes('NONE'));
    for (let i = 0; i < RUNS; i++) {
      const r = await compare(`cluster-n${n}-${i + 1}`, 'cluster', 'post000', variants, { vus: 16, durationSec: 10, sleepMs: 0, path: `/work?n=${n}` });
      const one = row(r, '1 worker');
      const rr = row(r, `${WORKERS} workers, SCHED_RR`);
      speedups.push(rr.throughputRps / one.throughputRps);
      rrMaxMin.push(rr.workerMaxMin ?? Infinity);
      const none = r.rows.find((x) => x.variant === `${WORKERS} workers, SCHED_NONE`);
      if (none !== undefined) noneMaxMin.push(none.workerMaxMin ?? Infinity);
      log(`cluster n=${n} #${i + 1}: ${one.throughputRps.toFixed(0)} -> ${rr.throughputRps.toFixed(0)} req/s (x${speedups.at(-1)!.toFixed(2)}); max/min RR ${f(rrMaxMin.at(-1))}, NONE ${f(noneMaxMin.at(-1))}`);
    }
    add(`one replica through nginx, GET /work?n=${n.toExponential().replace('+', '')}, 16 connections, no sleep: ${WORKERS} workers ÷ 1 worker req/s`, speedups.map((x) => x.toFixed(2)).join(', '), `**${median(speedups).toFixed(2)}×**`, '(≥ 1.7 with wrk: make bench-api)');
    if (noneMaxMin.length > 0) {
      add(`same, worker max/min: SCHED_RR; SCHED_NONE`, `${rrMaxMin.map((x) => f(x)).join(', ')}; ${noneMaxMin.map((x) => f(x)).join(', ')}`, `RR **${f(median(rrMaxMin))}**, NONE **${f(median(noneMaxMin))}**`, 'as measured');
    }
  }

  // 4. post 000 through the stack, once (30 s per variant).
  const post = await compare('post000', 'cluster', 'post000', clusterVariants(WORKERS).filter((v) => !v.name.includes('NONE')));
  const p1 = row(post, '1 worker');
  const pn = row(post, `${WORKERS} workers, SCHED_RR`);
  add(`post 000 (${describeShape(SCENARIOS['post000']!.shape)}), one replica: requests, 1 worker → ${WORKERS} workers`, `${p1.requests} → ${pn.requests}`, `**${(pn.requests / p1.requests).toFixed(2)}×**; p50 ${f(p1.p50Ms, 0)} → ${f(pn.p50Ms, 0)} ms, p95 ${f(p1.p95Ms, 0)} → ${f(pn.p95Ms, 0)} ms`, 'as measured');

  // 5. connections, not requests.
  const conn = await compare('connections', 'connections', 'distribution', connectionVariants(WORKERS), { durationSec: 10 });
  add('one replica, GET /, busiest worker\'s share per second (median): 1, 2, 4, 64 connections; 1 connection with upstream keep-alive off',
    conn.rows.map((r) => r.variant).join(', '), conn.rows.map((r) => `**${pct(r.busiestWorkerSecondShare)}**`).join(', '), `even = ${pct(1 / WORKERS)}`);
  add('same, whole-run worker max/min', '', conn.rows.map((r) => f(r.workerMaxMin)).join(', '), '');
  const on = row(conn, '1 connection');
  const off = row(conn, '1 connection, upstream keep-alive off');
  add('one connection: req/s with upstream keep-alive on; off', '', `${on.throughputRps.toFixed(0)}; ${off.throughputRps.toFixed(0)} (**${(off.throughputRps / on.throughputRps).toFixed(2)}×**)`, 'as measured');

  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  console.log(`\nComparison benchmark, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
    `${process.env.STACK_MODE ?? 'offline'} images, Node load runner on the same cores, ${RUNS} runs where it says so. Reports: reports/${stamp}-bench-*/\n`);
  console.log('| measure | runs | result (median) | goal |\n| --- | --- | --- | --- |');
  for (const l of lines) console.log(l);
}

await main();
