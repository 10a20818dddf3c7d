import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CGROUP_PATHS,
  defaultWorkerCount,
  parseCgroupV1CpuQuota,
  parseCgroupV1MemoryLimit,
  parseCgroupV2CpuMax,
  parseCgroupV2MemoryMax,
  planWorkers,
  readContainerLimits,
  workerMemoryBudget,
  type ReadTextFile,
} from '../../src/runtime-limits/cgroup-limits.js';

const files = (contents: Record<string, string>): ReadTextFile => (path) => contents[path];
const MIB = 1024 * 1024;

describe('cgroup v2 parsing', () => {
  it('reads cpu.max', () => {
    assert.equal(parseCgroupV2CpuMax('max 100000\n'), undefined);
    assert.equal(parseCgroupV2CpuMax('150000 100000\n'), 1.5);
    assert.equal(parseCgroupV2CpuMax('200000 100000'), 2);
    assert.equal(parseCgroupV2CpuMax('50000 100000'), 0.5);
    assert.equal(parseCgroupV2CpuMax('garbage'), undefined);
  });
  it('reads memory.max', () => {
    assert.equal(parseCgroupV2MemoryMax('max\n'), undefined);
    assert.equal(parseCgroupV2MemoryMax('536870912\n'), 512 * MIB);
  });
});

describe('cgroup v1 parsing', () => {
  it('reads cfs quota and period', () => {
    assert.equal(parseCgroupV1CpuQuota('-1\n', '100000\n'), undefined);
    assert.equal(parseCgroupV1CpuQuota('150000\n', '100000\n'), 1.5);
    assert.equal(parseCgroupV1CpuQuota('100000', '0'), undefined);
  });
  it('treats the huge page-rounded sentinel as no limit', () => {
    assert.equal(parseCgroupV1MemoryLimit('9223372036854771712\n'), undefined);
    assert.equal(parseCgroupV1MemoryLimit('268435456\n'), 256 * MIB);
  });
});

describe('readContainerLimits', () => {
  it('prefers cgroup v2 files when present', () => {
    const limits = readContainerLimits(files({ [CGROUP_PATHS.v2CpuMax]: '150000 100000', [CGROUP_PATHS.v2MemoryMax]: '1073741824' }));
    assert.deepEqual(limits, { cpus: 1.5, memoryBytes: 1024 * MIB, source: 'cgroup2' });
  });
  it('falls back to cgroup v1', () => {
    const limits = readContainerLimits(
      files({
        [CGROUP_PATHS.v1CpuQuota]: '200000',
        [CGROUP_PATHS.v1CpuPeriod]: '100000',
        [CGROUP_PATHS.v1MemoryLimit]: '9223372036854771712',
      }),
    );
    assert.deepEqual(limits, { cpus: 2, memoryBytes: undefined, source: 'cgroup1' });
  });
  it('reports none without cgroup files', () => {
    assert.deepEqual(readContainerLimits(files({})), { cpus: undefined, memoryBytes: undefined, source: 'none' });
  });
});

describe('worker count and memory budget', () => {
  it('rounds the CPU limit up, at least 1, host cores when unlimited', () => {
    assert.equal(defaultWorkerCount(1.5, 64), 2);
    assert.equal(defaultWorkerCount(0.25, 64), 1);
    assert.equal(defaultWorkerCount(undefined, 8), 8);
    assert.equal(defaultWorkerCount(undefined, 0), 1);
  });
  it('splits the memory limit between workers with the given ratios', () => {
    assert.deepEqual(workerMemoryBudget(1024 * MIB, 2, { restartRatio: 0.8, heapRatio: 0.6 }), {
      maxMemoryRestart: '409M',
      maxOldSpaceSizeMb: 307,
    });
    assert.deepEqual(workerMemoryBudget(undefined, 2, { restartRatio: 0.8, heapRatio: 0.6 }), {
      maxMemoryRestart: undefined,
      maxOldSpaceSizeMb: undefined,
    });
  });
  it('planWorkers: WORKERS overrides the CPU limit, ratios come from env', () => {
    const read = files({ [CGROUP_PATHS.v2CpuMax]: '400000 100000', [CGROUP_PATHS.v2MemoryMax]: String(512 * MIB) });
    const auto = planWorkers({}, 32, read);
    assert.equal(auto.workers, 4, 'a 4-CPU container on a 32-core host runs 4 workers, not 32 (pm2 #4347)');
    assert.equal(auto.maxMemoryRestart, '102M');
    const forced = planWorkers({ WORKERS: '2', MEMORY_RESTART_RATIO: '0.5', HEAP_RATIO: '0.25' }, 32, read);
    assert.deepEqual([forced.workers, forced.maxMemoryRestart, forced.maxOldSpaceSizeMb], [2, '128M', 64]);
  });
  it('planWorkers rejects nonsense', () => {
    assert.throws(() => planWorkers({ WORKERS: 'two' }, 2, files({})), /WORKERS/);
    assert.throws(() => planWorkers({ WORKERS: '0' }, 2, files({})), /WORKERS/);
    assert.throws(() => planWorkers({ HEAP_RATIO: '1.5' }, 2, files({})), /HEAP_RATIO/);
  });
});
