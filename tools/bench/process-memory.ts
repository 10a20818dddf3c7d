// The pure half of `make bench-memory` (memory.ts drives the stack): what runs inside an api container to read
// every process's /proc/<pid>/smaps_rollup, how its answer and `docker stats` are parsed, the goal's verdict, and
// the Markdown written to docs/figures.md. Unit-tested in tests/unit/process-memory.test.ts.

/** A worker's idle RSS goal in the image (issue 24), in MiB like the rest of the table. */
export const WORKER_IDLE_RSS_GOAL_MIB = 70;

/**
 * Run by the image's node (`node -e`, no shell needed) inside an api container. Prints one JSON array: for each
 * process but itself, its pid, command line, pm2 worker id (NODE_APP_INSTANCE in the pm2_env JSON pm2 puts in a
 * worker's environment; none for pm2-runtime, PID 1) and raw smaps_rollup. Processes that end while being read (the healthcheck's node) are skipped.
 */
export const READ_PROCESSES_SCRIPT = `
const fs = require('node:fs');
const out = [];
for (const d of fs.readdirSync('/proc')) {
  if (!/^\\d+$/.test(d) || Number(d) === process.pid) continue;
  try {
    const cmdline = fs.readFileSync('/proc/' + d + '/cmdline', 'utf8').split('\\0').filter(Boolean).join(' ');
    const instance = /"NODE_APP_INSTANCE":(\\d+)/.exec(fs.readFileSync('/proc/' + d + '/environ', 'utf8'));
    out.push({ pid: Number(d), cmdline, worker: instance === null ? null : instance[1], smapsRollup: fs.readFileSync('/proc/' + d + '/smaps_rollup', 'utf8') });
  } catch {}
}
console.log(JSON.stringify(out));
`;

export interface RawProcess {
  pid: number;
  cmdline: string;
  worker: string | null;
  smapsRollup: string;
}

export interface ProcessMemory {
  /** "pm2-runtime" or "worker <id>". */
  role: string;
  pid: number;
  rssMiB: number;
  pssMiB: number;
}

/** Rss and Pss of a smaps_rollup text (kB, i.e. KiB, in the kernel's units), in MiB. */
export function parseSmapsRollup(text: string): { rssMiB: number; pssMiB: number } {
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!m) throw new Error(`smaps_rollup without a ${name} line: ${text.slice(0, 200)}`);
    return Number(m[1]) / 1024;
  };
  return { rssMiB: field('Rss'), pssMiB: field('Pss') };
}

/** pm2-runtime (PID 1) and every pm2 worker of one container, workers in id order; other processes are left out. */
export function classifyProcesses(raw: readonly RawProcess[]): ProcessMemory[] {
  const runtime = raw.find((p) => p.pid === 1);
  if (runtime === undefined || !runtime.cmdline.includes('pm2-runtime')) {
    throw new Error(`PID 1 is not pm2-runtime: ${runtime?.cmdline ?? 'not readable'}`);
  }
  const workers = raw.filter((p) => p.worker !== null).sort((a, b) => Number(a.worker) - Number(b.worker));
  if (workers.length === 0) throw new Error('no pm2 worker (no process with NODE_APP_INSTANCE in its pm2_env) in the container');
  return [runtime, ...workers].map((p) => ({ role: p.worker === null ? 'pm2-runtime' : `worker ${p.worker}`, pid: p.pid, ...parseSmapsRollup(p.smapsRollup) }));
}

const UNITS: Record<string, number> = { B: 1 / 2 ** 20, KiB: 1 / 1024, kB: 1 / 1024, MiB: 1, MB: 1, GiB: 1024, GB: 1024 };

/** The used part of `docker stats`' MemUsage ("151.2MiB / 512MiB"), in MiB: cgroup usage minus inactive file cache. */
export function parseDockerMemUsage(memUsage: string): number {
  const m = /^\s*([\d.]+)\s*([A-Za-z]+)\s*\//.exec(memUsage);
  const factor = m ? UNITS[m[2]!] : undefined;
  if (!m || factor === undefined) throw new Error(`unexpected docker stats MemUsage: "${memUsage}"`);
  return Number(m[1]) * factor;
}

export interface ContainerMemory {
  container: string;
  processes: ProcessMemory[];
  /** `docker stats` MemUsage, read with no docker exec running (an exec's process counts in the container's cgroup). */
  totalMiB: number;
}

export interface MemoryRun {
  idle: ContainerMemory[];
  afterLoad: ContainerMemory[];
}

/** Met when every worker of every container idles at or below the goal. */
export function verdict(idle: readonly ContainerMemory[]): { maxWorkerIdleMiB: number; met: boolean } {
  const workers = idle.flatMap((c) => c.processes.filter((p) => p.role.startsWith('worker')));
  const maxWorkerIdleMiB = Math.max(...workers.map((p) => p.rssMiB));
  return { maxWorkerIdleMiB, met: maxWorkerIdleMiB <= WORKER_IDLE_RSS_GOAL_MIB };
}

const f1 = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(1));

/** One Markdown table: a row per process of every container, then its container's total, idle and after the load. */
export function markdownTable(run: MemoryRun): string {
  const rows = ['| container | process | RSS idle | PSS idle | RSS after load | PSS after load |', '| --- | --- | ---: | ---: | ---: | ---: |'];
  for (const c of run.idle) {
    const after = run.afterLoad.find((a) => a.container === c.container);
    for (const p of c.processes) {
      const q = after?.processes.find((x) => x.role === p.role);
      rows.push(`| ${c.container} | ${p.role} | ${f1(p.rssMiB)} | ${f1(p.pssMiB)} | ${f1(q?.rssMiB)} | ${f1(q?.pssMiB)} |`);
    }
    rows.push(`| ${c.container} | **container total** (docker stats) | **${f1(c.totalMiB)}** | | **${f1(after?.totalMiB)}** | |`);
  }
  return rows.join('\n');
}

export const FIGURES_START = '<!-- bench-memory: written by make bench-memory (tools/bench/memory.ts) -->';
export const FIGURES_END = '<!-- /bench-memory -->';
const RUN_SEPARATOR = '<!-- bench-memory run -->';

/**
 * docs/figures.md with this run's section in the block between the markers, and the previous run (if any) kept
 * under it, so the block always shows the latest run and the one before it (e.g. before and after a change).
 */
export function updateFigures(figures: string, runSection: string): string {
  const start = figures.indexOf(FIGURES_START);
  const end = figures.indexOf(FIGURES_END);
  if (start < 0 || end < start) throw new Error(`docs/figures.md has no ${FIGURES_START} ... ${FIGURES_END} block`);
  const old = figures.slice(start + FIGURES_START.length, end).split(RUN_SEPARATOR).map((s) => s.trim()).filter(Boolean);
  const previous = old[0]?.replace(/^\*\*Latest run\.\*\*/, '**The run before.**');
  const block = [FIGURES_START, RUN_SEPARATOR, `**Latest run.** ${runSection.trim()}`, ...(previous ? [RUN_SEPARATOR, previous] : []), FIGURES_END].join('\n\n');
  return figures.slice(0, start) + block + figures.slice(end + FIGURES_END.length);
}
