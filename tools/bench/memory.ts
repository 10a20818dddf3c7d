// Memory of the api containers (issue 24): RSS and PSS of pm2-runtime and of every worker, idle and after post 000.
//   make bench-memory        (starts the stack itself and ends with make down; about 3 minutes)
// Needs the stack down (it measures freshly started workers). `make up`, IDLE_SECONDS (30) idle, then each api
// container's processes are read from /proc/<pid>/smaps_rollup by the image's own node (docker exec), and each
// container's total from `docker stats` once that exec has ended (an exec'd process counts in the container's
// cgroup). Then post 000 through `make loadtest` (k6 online, the Node runner offline), SETTLE_SECONDS (5) later the
// same readings again. Prints the table and met / not met against the worker goal, and writes the table with the
// machine, date and command (no commit: history lives in git) into docs/figures.md (the latest run and the one before it).
// Memory is not a timing, but the machine is shared: a contended load test moves the after-load figures.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { containersOf, docker, make, makeOk, nodeInContainer } from '../lib/docker.js';
import { repoRoot } from '../lib/repo.js';
import {
  classifyProcesses, markdownTable, parseDockerMemUsage, READ_PROCESSES_SCRIPT, updateFigures, verdict,
  WORKER_IDLE_RSS_GOAL_MIB, type ContainerMemory, type RawProcess,
} from './process-memory.js';

const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? 30);
const SETTLE_SECONDS = Number(process.env.SETTLE_SECONDS ?? 5);
const MODE = process.env.STACK_MODE ?? 'offline';
const FIGURES = path.join(repoRoot, 'docs/figures.md');
const log = (msg: string): void => void process.stderr.write(`==> ${msg}\n`);
const loadAverage = (): string => os.loadavg().map((x) => x.toFixed(1)).join(' ');

async function readContainers(): Promise<ContainerMemory[]> {
  const containers = await containersOf('api');
  const processes = new Map<string, ReturnType<typeof classifyProcesses>>();
  for (const c of containers) processes.set(c, classifyProcesses(JSON.parse(await nodeInContainer(c, READ_PROCESSES_SCRIPT)) as RawProcess[]));
  // One `docker stats` for all, after every exec above has ended.
  const stats = await docker(['stats', '--no-stream', '--format', '{{.Name}}\t{{.MemUsage}}', ...containers]);
  const totals = new Map(stats.trim().split('\n').map((line) => line.split('\t') as [string, string]));
  return containers.map((c) => {
    const usage = totals.get(c);
    if (usage === undefined) throw new Error(`docker stats said nothing about ${c}: ${stats}`);
    return { container: c, processes: processes.get(c)!, totalMiB: parseDockerMemUsage(usage) };
  });
}

async function main(): Promise<void> {
  if ((await containersOf('api')).length > 0) {
    console.error(`the stack (project ${process.env.COMPOSE_PROJECT_NAME ?? 'scaleout'}) is running: make bench-memory measures freshly started workers, so run make down first`);
    process.exit(2);
  }
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'services/api', 'compose.yaml'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
  try {
    log(`make up; load average ${loadAverage()}`);
    await makeOk('up', {}, {}, { echo: true });
    log(`${IDLE_SECONDS} s idle`);
    await sleep(IDLE_SECONDS * 1000);
    const idle = await readContainers();
    const loadBefore = loadAverage();
    log('post 000: make loadtest');
    // Its thresholds may fail on a contended machine (exit 99): the workers were loaded all the same, which is what
    // this measures. Any other failure means no load was run.
    const load = await make('loadtest', {}, {}, { echo: true });
    // make itself exits 2 and names the recipe's code.
    const thresholdsCrossed = load.code !== 0 && /\bloadtest\] Error 99\b/.test(load.output);
    if (load.code !== 0 && !thresholdsCrossed) throw new Error(`make loadtest exited ${load.code}:\n${load.output.slice(-2000)}`);
    await sleep(SETTLE_SECONDS * 1000);
    const afterLoad = await readContainers();
    const { maxWorkerIdleMiB, met } = verdict(idle);

    const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
    const table = markdownTable({ idle, afterLoad });
    const goal = `worker idle RSS ≤ ${WORKER_IDLE_RSS_GOAL_MIB} MiB: max ${maxWorkerIdleMiB.toFixed(1)} MiB, **${met ? 'met ✓' : 'NOT met ✗'}**`;
    const section = [
      `\`make bench-memory\`${dirty ? ' (with uncommitted changes in services/api or compose.yaml)' : ''}, ` +
        `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${os.cpus().length} cores (${cpu}), ` +
        `${Math.round(os.totalmem() / 2 ** 30)} GiB, ${MODE} images; idle = ${IDLE_SECONDS} s after \`make up\`, after load = ` +
        `${SETTLE_SECONDS} s after post 000 (\`make loadtest\`${thresholdsCrossed ? ', its thresholds crossed' : ''}); load average (1/5/15 min) ${loadBefore} before the load, ` +
        `${loadAverage()} after. MiB (2^20 bytes).`,
      table,
      goal,
    ].join('\n\n');
    console.log(`\n${section}\n`);
    writeFileSync(FIGURES, updateFigures(readFileSync(FIGURES, 'utf8'), section));
    log('written to docs/figures.md ("Worker memory in the image")');
  } finally {
    log('make down');
    await makeOk('down');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
