// How many pm2 workers to run, and how much memory each may use, from the container's cgroup limits.
//
// Why not pm2's `instances: 'max'`: pm2 counts the *host's* cores (os.cpus()), so a container limited
// to 2 CPUs on a 64-core host starts 64 workers that fight over 2 CPUs' worth of quota
// (https://github.com/Unitech/pm2/issues/4347). os.availableParallelism() has the same blind spot:
// it sees the cpuset, not the CFS quota that `docker run --cpus` / compose `cpus:` set.
//
// Everything here is pure (file contents in, numbers out) so it is unit-tested without a real cgroup.
// ecosystem.config.cjs loads it from dist/cgroup-limits.cjs (bundled as CommonJS by scripts/bundle.mjs).

import { readFileSync } from 'node:fs';

/** Reads a file and returns its text, or undefined when it does not exist / cannot be read. */
export type ReadTextFile = (path: string) => string | undefined;

export const readTextFileIfPresent: ReadTextFile = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

// Inside a container, Docker mounts the container's own cgroup at /sys/fs/cgroup, so the files at
// the mount root describe this container (v2 always; v1 too unless a privileged setup shares the host's).
export const CGROUP_PATHS = {
  v2CpuMax: '/sys/fs/cgroup/cpu.max',
  v2MemoryMax: '/sys/fs/cgroup/memory.max',
  v1CpuQuota: '/sys/fs/cgroup/cpu/cpu.cfs_quota_us',
  v1CpuPeriod: '/sys/fs/cgroup/cpu/cpu.cfs_period_us',
  v1MemoryLimit: '/sys/fs/cgroup/memory/memory.limit_in_bytes',
} as const;

/** cgroup v2 `cpu.max`: "max 100000" (no limit) or "150000 100000" (1.5 CPUs). */
export function parseCgroupV2CpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max') return undefined;
  return cpusFromQuota(Number(quota), Number(period ?? 100000));
}

/** cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`: quota -1 means no limit. */
export function parseCgroupV1CpuQuota(quotaText: string, periodText: string): number | undefined {
  return cpusFromQuota(Number(quotaText.trim()), Number(periodText.trim()));
}

function cpusFromQuota(quota: number, period: number): number | undefined {
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) return undefined;
  return quota / period;
}

// cgroup v1 reports "no limit" as PAGE_COUNTER_MAX rounded to the page size, e.g.
// 9223372036854771712 on 4 KiB pages. Anything at or above 2^60 bytes (1 EiB) is treated as unlimited.
const UNLIMITED_MEMORY_THRESHOLD = 2 ** 60;

/** cgroup v2 `memory.max`: "max" or a byte count. */
export function parseCgroupV2MemoryMax(text: string): number | undefined {
  const value = text.trim();
  if (value === 'max') return undefined;
  return memoryFromBytes(Number(value));
}

/** cgroup v1 `memory.limit_in_bytes`: a byte count, huge when there is no limit. */
export function parseCgroupV1MemoryLimit(text: string): number | undefined {
  return memoryFromBytes(Number(text.trim()));
}

function memoryFromBytes(bytes: number): number | undefined {
  if (!Number.isFinite(bytes) || bytes <= 0 || bytes >= UNLIMITED_MEMORY_THRESHOLD) return undefined;
  return bytes;
}

export interface ContainerLimits {
  /** CPUs granted by the CFS quota (may be fractional), undefined when unlimited. */
  cpus: number | undefined;
  /** Memory limit in bytes, undefined when unlimited. */
  memoryBytes: number | undefined;
  /** Which cgroup files the limits came from. */
  source: 'cgroup2' | 'cgroup1' | 'none';
}

/** Reads the limits from cgroup v2 if its files exist, else from cgroup v1. */
export function readContainerLimits(read: ReadTextFile = readTextFileIfPresent): ContainerLimits {
  const v2Cpu = read(CGROUP_PATHS.v2CpuMax);
  const v2Memory = read(CGROUP_PATHS.v2MemoryMax);
  if (v2Cpu !== undefined || v2Memory !== undefined) {
    return {
      cpus: v2Cpu === undefined ? undefined : parseCgroupV2CpuMax(v2Cpu),
      memoryBytes: v2Memory === undefined ? undefined : parseCgroupV2MemoryMax(v2Memory),
      source: 'cgroup2',
    };
  }
  const v1Quota = read(CGROUP_PATHS.v1CpuQuota);
  const v1Period = read(CGROUP_PATHS.v1CpuPeriod);
  const v1Memory = read(CGROUP_PATHS.v1MemoryLimit);
  if (v1Quota !== undefined || v1Memory !== undefined) {
    return {
      cpus: v1Quota !== undefined && v1Period !== undefined ? parseCgroupV1CpuQuota(v1Quota, v1Period) : undefined,
      memoryBytes: v1Memory === undefined ? undefined : parseCgroupV1MemoryLimit(v1Memory),
      source: 'cgroup1',
    };
  }
  return { cpus: undefined, memoryBytes: undefined, source: 'none' };
}

/** Default worker count: the CPU limit rounded up (1.5 CPUs -> 2 workers), at least 1; host cores when unlimited. */
export function defaultWorkerCount(cpuLimit: number | undefined, hostCpus: number): number {
  if (cpuLimit !== undefined) return Math.max(1, Math.ceil(cpuLimit));
  return Math.max(1, Math.floor(hostCpus));
}

export interface WorkerMemoryBudget {
  /** pm2 `max_memory_restart` value ("<n>M"), undefined when the container has no memory limit. */
  maxMemoryRestart: string | undefined;
  /** Node's --max-old-space-size in MiB, undefined when the container has no memory limit. */
  maxOldSpaceSizeMb: number | undefined;
}

export interface MemoryRatios {
  /** Share of a worker's slice of the container limit at which pm2 restarts it (RSS). */
  restartRatio: number;
  /** Share of a worker's slice given to V8's old generation (heap), below restartRatio. */
  heapRatio: number;
}

const MIB = 1024 * 1024;

/**
 * Splits the container memory limit evenly between workers. Without a limit we return nothing and
 * let V8 pick its default heap size (derived from the host's memory) and pm2 never restart on memory:
 * a restart threshold guessed from the host would be wrong for every other host.
 */
export function workerMemoryBudget(memoryBytes: number | undefined, workers: number, ratios: MemoryRatios): WorkerMemoryBudget {
  if (memoryBytes === undefined || workers < 1) return { maxMemoryRestart: undefined, maxOldSpaceSizeMb: undefined };
  const perWorkerMb = memoryBytes / workers / MIB;
  return {
    maxMemoryRestart: `${Math.max(32, Math.floor(perWorkerMb * ratios.restartRatio))}M`,
    maxOldSpaceSizeMb: Math.max(16, Math.floor(perWorkerMb * ratios.heapRatio)),
  };
}

export interface WorkerPlan extends WorkerMemoryBudget {
  workers: number;
  limits: ContainerLimits;
}

/** Environment variables the plan honours (all optional). */
export interface WorkerPlanEnv {
  WORKERS?: string | undefined;
  MEMORY_RESTART_RATIO?: string | undefined;
  HEAP_RATIO?: string | undefined;
}

export const DEFAULT_MEMORY_RATIOS: MemoryRatios = { restartRatio: 0.8, heapRatio: 0.6 };

/** Everything ecosystem.config.cjs needs: worker count and per-worker memory settings. */
export function planWorkers(env: WorkerPlanEnv, hostCpus: number, read: ReadTextFile = readTextFileIfPresent): WorkerPlan {
  const limits = readContainerLimits(read);
  const workers = env.WORKERS ? parsePositiveInt('WORKERS', env.WORKERS) : defaultWorkerCount(limits.cpus, hostCpus);
  const ratios: MemoryRatios = {
    restartRatio: env.MEMORY_RESTART_RATIO ? parseRatio('MEMORY_RESTART_RATIO', env.MEMORY_RESTART_RATIO) : DEFAULT_MEMORY_RATIOS.restartRatio,
    heapRatio: env.HEAP_RATIO ? parseRatio('HEAP_RATIO', env.HEAP_RATIO) : DEFAULT_MEMORY_RATIOS.heapRatio,
  };
  return { workers, limits, ...workerMemoryBudget(limits.memoryBytes, workers, ratios) };
}

function parsePositiveInt(name: string, raw: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

function parseRatio(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 1) throw new Error(`${name} must be a number in (0, 1], got "${raw}"`);
  return value;
}
