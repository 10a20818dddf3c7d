// Counts responses per replica/worker from X-Served-By and turns the counts into shares and fairness numbers.
// record() runs once per response, so it caches by the raw header value: a run sees a handful of distinct values
// (one per worker pid), and a Map hit is far cheaper than splitting the string every time.
import { buildDistribution as buildK6Distribution, parseServedBy } from '../../../k6/lib/fairness.js';
import type { Distribution, ExpectedTopology } from './types.js';

interface WorkerTally {
  readonly replica: string;
  readonly worker: string;
  requests: number;
  readonly pids: number[];
}

export class DistributionCounter {
  private readonly byHeaderValue = new Map<string, WorkerTally | null>();
  private readonly byWorkerKey = new Map<string, WorkerTally>();
  private unattributed = 0;

  record(headerValue: string | string[] | undefined): void {
    if (typeof headerValue !== 'string') {
      if (headerValue === undefined) {
        this.unattributed++;
        return;
      }
      headerValue = headerValue[0] ?? '';
    }
    let tally = this.byHeaderValue.get(headerValue);
    if (tally === undefined) {
      tally = this.tallyFor(headerValue);
      this.byHeaderValue.set(headerValue, tally);
    }
    if (tally === null) this.unattributed++;
    else tally.requests++;
  }

  private tallyFor(headerValue: string): WorkerTally | null {
    const parsed = parseServedBy(headerValue);
    if (parsed === null) return null;
    const key = `${parsed.replica}/${parsed.worker}`;
    let tally = this.byWorkerKey.get(key);
    if (tally === undefined) {
      tally = { replica: parsed.replica, worker: parsed.worker, requests: 0, pids: [] };
      this.byWorkerKey.set(key, tally);
    }
    if (!tally.pids.includes(parsed.pid)) tally.pids.push(parsed.pid);
    return tally;
  }

  snapshot(expected?: ExpectedTopology): Distribution {
    const tallies: WorkerTallyInput[] = [...this.byWorkerKey.values()].map((t) => ({ replica: t.replica, worker: t.worker, requests: t.requests, pids: t.pids }));
    return buildDistribution(expected === undefined ? tallies : withExpectedTopology(tallies, expected), this.unattributed);
  }
}

export interface WorkerTallyInput {
  readonly replica: string;
  readonly worker: string;
  readonly requests: number;
  readonly pids: readonly number[];
}

/**
 * Adds a 0 row for every expected replica/worker pair that served nothing (the named replicas x workers 0..W-1). Pairs outside the expected grid stay listed: unlike k6, the runner sees every response.
 */
export function withExpectedTopology(tallies: readonly WorkerTallyInput[], expected: ExpectedTopology): WorkerTallyInput[] {
  const seen = new Set(tallies.map((t) => `${t.replica}/${t.worker}`));
  const missing: WorkerTallyInput[] = [];
  for (const replica of expected.replicas) {
    for (let w = 0; w < expected.workers; w++) {
      if (!seen.has(`${replica}/${w}`)) missing.push({ replica, worker: String(w), requests: 0, pids: [] });
    }
  }
  return [...tallies, ...missing];
}

/**
 * Pure: per-worker tallies -> sorted per-worker and per-replica counts, shares and fairness: k6/lib/fairness.js
 * buildDistribution(), plus the pids the runner sees (a worker answering from two pids restarted).
 */
export function buildDistribution(tallies: readonly WorkerTallyInput[], unattributed: number): Distribution {
  const d = buildK6Distribution([...tallies], { unattributed });
  const pidsOf = new Map(tallies.map((t) => [`${t.replica}/${t.worker}`, [...t.pids]]));
  const perWorker = d.perWorker.map((w) => ({ ...w, pids: pidsOf.get(w.key) ?? [] }));
  return {
    attributed: d.attributed,
    unattributed: d.unattributed,
    perWorker,
    perReplica: d.perReplica,
    workerFairness: d.workerFairness,
    replicaFairness: d.replicaFairness,
    restartedWorkers: perWorker.filter((w) => w.pids.length > 1).map((w) => w.key),
  };
}
