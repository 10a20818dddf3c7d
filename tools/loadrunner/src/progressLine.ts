// The progress line written to stderr every few seconds, modelled on k6's
// `running (0m12.0s), 1000/1000 VUs, 9876 complete and 0 interrupted iterations`, plus what this project watches.
import { formatDurationMs, formatRatePercent } from '../../../k6/lib/summary.js';
import type { ProgressSnapshot } from './types.js';

/** "0m30.0s" as in k6's `running (0m30.0s), ...` line. */
export function formatRunningTime(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  return `${minutes}m${rest.toFixed(1).padStart(4, '0')}s`;
}

export function formatProgressLine(p: ProgressSnapshot): string {
  const width = String(p.maxVus).length;
  const parts = [
    `running (${formatRunningTime(p.elapsedSec)}), ${String(p.activeVus).padStart(width, '0')}/${p.maxVus} VUs, ` +
      `${p.iterations} complete and ${p.interruptedIterations} interrupted iterations`,
    `${p.intervalRps.toFixed(1)} req/s`,
    `failed ${formatRatePercent(p.requests === 0 ? 0 : p.failed / p.requests)}`,
    `p99 ${p.intervalP99Ms === null ? '-' : formatDurationMs(p.intervalP99Ms)}`,
  ];
  if (p.droppedIterations > 0) parts.push(`dropped ${p.droppedIterations}`);
  return parts.join(' | ');
}
