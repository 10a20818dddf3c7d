// make compare-sessions: for every cell of store {memory, redis} x strategy {round_robin, ip_hash, hash on
// X-Client-Id} x workers per replica {1, 2}, `clients` cookie-jar clients each make `calls` POST /session/visits at
// once, and the cell counts how many saw 1..calls without a reset. The api replicas are recreated for each store and
// worker count (the strategy switches live); the stack is put back as it was found at the end.
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { StackControl } from '../stackControl.js';
import { cellName, summarizeCell, type SessionCell, type SessionCellResult } from './sessionCell.js';
import { runSessionClient, type Visit } from './sessionClient.js';
import { formatSessionsMarkdown, formatSessionsText, renderSessionsHtml } from './sessionReport.js';

export const SESSION_STORES = ['memory', 'redis'] as const;
export const SESSION_STRATEGIES = ['round_robin', 'ip_hash', 'hash'] as const;
export const SESSION_WORKERS = [1, 2] as const;

export interface SessionRunOptions {
  readonly baseUrl: string;
  readonly clients: number;
  readonly calls: number;
  /** Distinct per run, so a re-run never finds the previous run's sessions by X-Client-Id alone. */
  readonly runId: string;
}

/** All clients of one cell at once: their requests share nginx's upstream keep-alive connections, as real traffic does. */
export async function runCell(cell: SessionCell, options: SessionRunOptions): Promise<SessionCellResult> {
  const perClient: Visit[][] = await Promise.all(
    Array.from({ length: options.clients }, (_, i) =>
      runSessionClient({ baseUrl: options.baseUrl, calls: options.calls, clientId: `${options.runId}-${cell.store}-${cell.strategy}-${cell.workers}-${i}` }),
    ),
  );
  return summarizeCell(cell, perClient);
}

export async function replicaCount(stack: StackControl): Promise<number> {
  return (await stack.compose(['ps', '-q', 'api'])).split('\n').filter(Boolean).length;
}

/** Recreates the api replicas with this store and worker count, and waits until exactly those workers serve. */
export async function useStoreAndWorkers(stack: StackControl, store: SessionCell['store'], workers: number, replicas: number): Promise<void> {
  // The topology probe needs requests spread over every replica: under a sticky strategy one client sees one.
  await stack.switchStrategy('round_robin');
  await stack.recreateApi({ SESSION_STORE: store, API_WORKERS: String(workers), API_REPLICAS: String(replicas) });
  await stack.waitForTopology(replicas * workers);
}

export interface CompareSessionsOptions extends SessionRunOptions {
  readonly stack: StackControl;
  readonly outDir: string;
  readonly log: (line: string) => void;
  readonly stores?: readonly SessionCell['store'][];
  readonly strategies?: readonly string[];
  readonly workers?: readonly number[];
}

export async function compareSessions(options: CompareSessionsOptions): Promise<SessionCellResult[]> {
  const { stack, log } = options;
  const strategyBefore = await stack.activeStrategy();
  const replicas = await replicaCount(stack);
  const results: SessionCellResult[] = [];
  try {
    for (const store of options.stores ?? SESSION_STORES) {
      for (const workers of options.workers ?? SESSION_WORKERS) {
        await useStoreAndWorkers(stack, store, workers, replicas);
        for (const strategy of options.strategies ?? SESSION_STRATEGIES) {
          await stack.switchStrategy(strategy);
          const result = await runCell({ store, strategy, workers }, options);
          log(`${cellName(result).padEnd(32)} ${result.held}/${result.clients} clients held 1..${result.calls}`);
          results.push(result);
        }
      }
    }
  } finally {
    log(`restoring the stack: its own SESSION_STORE and worker count, ${replicas} replicas, strategy ${strategyBefore}`);
    await stack.recreateApi({ API_REPLICAS: String(replicas) });
    await stack.switchStrategy(strategyBefore);
  }
  const title = `Sessions: ${options.clients} clients x ${options.calls} POST /session/visits per cell, ${replicas} replicas`;
  const notes = [
    'held: the client saw its count run 1..N, so every call found its session. reset: at least once it started over.',
    'memory: express-session\'s MemoryStore, one per worker. redis: the shared store (valkey). hash: on X-Client-Id.',
    'A sticky strategy picks the replica only: inside it, pm2\'s cluster primary deals each new connection to the next worker, and nginx\'s keep-alive connections carry many clients, so 2 workers break a memory session (docs/state.md).',
  ];
  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(path.join(options.outDir, 'comparison.json'), `${JSON.stringify({ title, results }, null, 2)}\n`);
  writeFileSync(path.join(options.outDir, 'summary.md'), formatSessionsMarkdown(title, results, notes));
  writeFileSync(path.join(options.outDir, 'report.html'), renderSessionsHtml(title, new Date().toISOString(), results, notes));
  process.stdout.write(`\n${title}\n\n${formatSessionsText(results)}\n\n`);
  return results;
}
