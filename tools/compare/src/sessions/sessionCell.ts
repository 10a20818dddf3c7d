// What one cell of `make compare-sessions` found: of its clients, how many saw their count run 1..N without a reset,
// and how many replicas and workers served each client. Pure, unit-tested (tools/compare/test/sessions.test.ts).
import type { Visit } from './sessionClient.js';

export interface SessionCell {
  readonly store: 'memory' | 'redis';
  readonly strategy: string;
  readonly workers: number;
}

export interface SessionCellResult extends SessionCell {
  readonly clients: number;
  readonly calls: number;
  /** Clients whose counts were exactly 1, 2, ..., calls. */
  readonly held: number;
  /** Clients whose count started over (or failed) at least once. */
  readonly reset: number;
  readonly failedCalls: number;
  /** Median over clients of the distinct replicas / replica-workers that served one client. */
  readonly replicasPerClient: number;
  readonly workersPerClient: number;
}

/** True when the client saw 1, 2, ..., n: its session survived every call. */
export function heldEveryVisit(visits: readonly Visit[]): boolean {
  return visits.length > 0 && visits.every((v, i) => v.visits === i + 1);
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export function summarizeCell(cell: SessionCell, perClient: ReadonlyArray<readonly Visit[]>): SessionCellResult {
  const held = perClient.filter(heldEveryVisit).length;
  return {
    ...cell,
    clients: perClient.length,
    calls: perClient[0]?.length ?? 0,
    held,
    reset: perClient.length - held,
    failedCalls: perClient.reduce((n, visits) => n + visits.filter((v) => v.visits === null).length, 0),
    replicasPerClient: median(perClient.map((visits) => new Set(visits.map((v) => v.servedBy.split('/')[0])).size)),
    workersPerClient: median(perClient.map((visits) => new Set(visits.map((v) => v.servedBy)).size)),
  };
}

export const cellName = (c: SessionCell): string => `${c.store} / ${c.strategy} / ${c.workers} worker${c.workers === 1 ? '' : 's'}`;
