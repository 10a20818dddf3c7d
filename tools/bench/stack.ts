// Stack benchmark (issue: the stack, part 10). Prints a Markdown table with the machine and date.
//   make bench-stack            (the stack must NOT be running; it is started and stopped here)
// Measures, side by side in one run:
//   1. `make up` from built images to every service healthy (median of RUNS).
//   2. Proxy efficiency: trivial-route throughput through nginx ÷ directly to the same single replica.
//   3. Fairness (Jain's index over all workers, and max/min share) per strategy at 64 connections.
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { runLoad, type LoadResult } from '../loadrunner/src/index.js';
import { compose as composeRun, docker, makeOk, stackComposeCommand } from '../lib/docker.js';
import { baseUrl } from '../lib/stackUrls.js';

const RUNS = Number(process.env.RUNS ?? 3);
const DURATION_SEC = Number(process.env.DURATION_SEC ?? 10);
const DIRECT_PORT = process.env.DIRECT_API_PORT ?? '18080';
const MODE = process.env.STACK_MODE ?? 'offline';
const compose = stackComposeCommand({ fallback: ['compose.yaml'] });

/** The stack's compose command with more arguments, its progress shown as it comes. */
const sh = (args: readonly string[], argv: readonly string[] = compose): Promise<string> => composeRun(argv, args, {}, { echoStderr: true });
const make = async (target: string): Promise<void> => void (await makeOk(target, {}, {}, { echo: true }));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const log = (msg: string): void => void process.stderr.write(`==> ${msg}\n`);

async function load(baseUrl: string, path: string, vus: number): Promise<LoadResult> {
  return runLoad({ baseUrl, scenario: { model: 'closed', vus, durationSec: DURATION_SEC }, requests: [{ path }] });
}

async function main(): Promise<void> {
  const rows: string[] = [];

  // 1. Time to healthy, images already built (`make up` builds them once first).
  log('make up once to build the images');
  await make('up');
  const upTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await make('down');
    const t0 = Date.now();
    await sh(['up', '-d', '--wait', '--wait-timeout', '180']);
    upTimes.push((Date.now() - t0) / 1000);
    log(`up #${i + 1}: ${upTimes.at(-1)!.toFixed(1)} s`);
  }
  rows.push(`| \`make up\` (built images) to all healthy | ${upTimes.map((t) => t.toFixed(1)).join(', ')} s | median **${median(upTimes).toFixed(1)} s** | ≤ 30 s |`);

  // 3. Fairness per strategy, on the default topology (3 replicas x 2 workers).
  for (const strategy of ['round_robin', 'least_conn', 'random']) {
    await sh(['exec', '-T', 'nginx', 'switch-lb-strategy', strategy]);
    await sleep(1000);
    const jains: number[] = [];
    const maxMins: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await load(baseUrl, '/', 64);
      jains.push(r.distribution.workerFairness.jainFairness ?? 0);
      maxMins.push(r.distribution.workerFairness.maxMinRatio ?? Infinity);
      log(`${strategy} #${i + 1}: ${r.throughputRps.toFixed(0)} req/s, jain ${jains.at(-1)!.toFixed(4)}, max/min ${maxMins.at(-1)!.toFixed(2)}, failed ${r.failed}`);
    }
    rows.push(`| fairness, ${strategy}, 64 connections, 3×2 workers | Jain ${jains.map((j) => j.toFixed(4)).join(', ')}; max/min ${maxMins.map((m) => m.toFixed(2)).join(', ')} | median Jain **${median(jains).toFixed(4)}**, max/min **${median(maxMins).toFixed(2)}** | ${strategy === 'round_robin' ? 'Jain ≥ 0.99' : '—'} |`);
  }
  await sh(['exec', '-T', 'nginx', 'switch-lb-strategy', 'round_robin']);

  // 2. Proxy efficiency: one replica, published directly on loopback for this measurement only.
  log('proxy efficiency: 1 replica, through nginx vs direct');
  const direct = [...compose, '-f', 'tools/bench/compose.direct.yaml'];
  await sh(['up', '-d', '--wait', '--scale', 'api=1'], direct);
  await sleep(3000); // nginx's resolver (valid=2s) drops the removed replicas
  const ratios: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const viaNginx = await load(baseUrl, '/whoami', 32);
    const straight = await load(`http://127.0.0.1:${DIRECT_PORT}`, '/whoami', 32);
    ratios.push(viaNginx.throughputRps / straight.throughputRps);
    log(`#${i + 1}: nginx ${viaNginx.throughputRps.toFixed(0)} req/s, direct ${straight.throughputRps.toFixed(0)} req/s, ratio ${ratios.at(-1)!.toFixed(3)}`);
  }
  rows.push(`| proxy efficiency: /whoami through nginx ÷ direct, same replica, 32 connections | ${ratios.map((r) => r.toFixed(3)).join(', ')} | median **${median(ratios).toFixed(3)}** | ≥ 0.8 |`);
  await make('down');

  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  const engine = (await docker(['version', '--format', '{{.Server.Version}}'])).trim();
  console.log(`\nStack benchmark, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
    `Docker ${engine}, ${MODE} images, load from the Node load runner on the same cores, ${DURATION_SEC} s per run, ${RUNS} runs.\n`);
  console.log('| measure | runs | result | goal |\n| --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
}

await main();
