// make bench-memory's pure half (tools/bench/process-memory.ts): smaps_rollup and docker stats parsed, processes
// told apart, the goal's verdict, and docs/figures.md's block keeping the latest run and the one before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyProcesses, FIGURES_END, FIGURES_START, parseDockerMemUsage, parseSmapsRollup, updateFigures, verdict,
  type ContainerMemory, type RawProcess,
} from '../../tools/bench/process-memory.js';

// The shape of a real /proc/<pid>/smaps_rollup (Linux 6.1), trimmed.
const rollup = (rssKb: number, pssKb: number): string =>
  `55d0c0a00000-7ffd5f3fe000 ---p 00000000 00:00 0                          [rollup]\nRss:              ${rssKb} kB\nPss:              ${pssKb} kB\nPss_Dirty:         1000 kB\nShared_Clean:      2000 kB\n`;

test('parseSmapsRollup reads Rss and Pss in MiB, and names a missing line', () => {
  assert.deepEqual(parseSmapsRollup(rollup(71680, 51200)), { rssMiB: 70, pssMiB: 50 });
  assert.throws(() => parseSmapsRollup('Rss: 1 kB\n'), /without a Pss line/);
});

test('classifyProcesses keeps pm2-runtime and the workers in id order, and leaves out the healthcheck', () => {
  const raw: RawProcess[] = [
    { pid: 40, cmdline: 'node /app/dist/main.js', worker: '1', smapsRollup: rollup(1024, 512) },
    { pid: 1, cmdline: 'node /app/node_modules/pm2/bin/pm2-runtime start ecosystem.config.cjs', worker: null, smapsRollup: rollup(2048, 1024) },
    { pid: 55, cmdline: 'node -e fetch(...)', worker: null, smapsRollup: rollup(4096, 4096) },
    { pid: 30, cmdline: 'node /app/dist/main.js', worker: '0', smapsRollup: rollup(1024, 512) },
  ];
  assert.deepEqual(classifyProcesses(raw).map((p) => [p.role, p.pid]), [['pm2-runtime', 1], ['worker 0', 30], ['worker 1', 40]]);
  assert.throws(() => classifyProcesses(raw.filter((p) => p.pid !== 1)), /PID 1 is not pm2-runtime/);
  assert.throws(() => classifyProcesses(raw.filter((p) => p.worker === null)), /no pm2 worker/);
});

test('parseDockerMemUsage converts docker stats units to MiB and rejects anything else', () => {
  assert.equal(parseDockerMemUsage('151.2MiB / 512MiB'), 151.2);
  assert.equal(parseDockerMemUsage('1.5GiB / 2GiB'), 1536);
  assert.equal(parseDockerMemUsage('512KiB / 512MiB'), 0.5);
  assert.throws(() => parseDockerMemUsage('--'), /unexpected docker stats MemUsage/);
});

test('verdict: met only when every worker idles at or below 70 MiB (pm2-runtime does not count)', () => {
  const container = (workerMiB: number): ContainerMemory => ({
    container: 'c', totalMiB: 0,
    processes: [{ role: 'pm2-runtime', pid: 1, rssMiB: 90, pssMiB: 0 }, { role: 'worker 0', pid: 2, rssMiB: 60, pssMiB: 0 }, { role: 'worker 1', pid: 3, rssMiB: workerMiB, pssMiB: 0 }],
  });
  assert.deepEqual(verdict([container(70)]), { maxWorkerIdleMiB: 70, met: true });
  assert.deepEqual(verdict([container(70), container(70.1)]), { maxWorkerIdleMiB: 70.1, met: false });
});

test('updateFigures keeps the latest run and the one before it, and refuses a file without the block', () => {
  const doc = `# Figures\n\n${FIGURES_START}\n${FIGURES_END}\n\n## Next\n`;
  const one = updateFigures(doc, 'run A');
  const three = updateFigures(updateFigures(one, 'run B'), 'run C');
  assert.match(three, /\*\*Latest run\.\*\* run C[\s\S]*\*\*The run before\.\*\* run B/);
  assert.doesNotMatch(three, /run A/);
  assert.ok(three.endsWith(`${FIGURES_END}\n\n## Next\n`));
  assert.throws(() => updateFigures('# Figures\n', 'run A'), /has no/);
});
