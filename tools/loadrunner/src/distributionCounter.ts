// Counts responses per replica/worker from X-Served-By and turns the counts into shares and fairness numbers.
// record() runs once per response, so it caches by the raw header value: a run sees a handful of distinct values
// (one per worker pid), and a Map hit is far cheaper than splitting the string every time.
import { jainFairnessIndex, maxMinRatio } from './fairness.js';
import { compareNatural, parseServedBy } from './servedBy.js';
import type { Distribution, ExpectedTopology, FairnessStats, ReplicaCount, WorkerCount } from './types.js';

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
 * Adds a 0 row for every expected replica/worker pair that served nothing (api-1..api-R x 0..W-1, the api's
 * naming contract). Pairs outside the expected grid stay listed: unlike k6, the runner sees every response.
 */
export function withExpectedTopology(tallies: readonly WorkerTallyInput[], expected: ExpectedTopology): WorkerTallyInput[] {
  const seen = new Set(tallies.map((t) => `${t.replica}/${t.worker}`));
  const missing: WorkerTallyInput[] = [];
  for (let r = 1; r <= expected.replicas; r++) {
    for (let w = 0; w < expected.workers; w++) {
      if (!seen.has(`api-${r}/${w}`)) missing.push({ replica: `api-${r}`, worker: String(w), requests: 0, pids: [] });
    }
  }
  return [...tallies, ...missing];
}

function fairnessOf(counts: readonly number[]): FairnessStats {
  return { jainFairness: jainFairnessIndex(counts), maxMinRatio: maxMinRatio(counts) };
}

/** Pure: per-worker tallies -> sorted per-worker and per-replica counts, shares and fairness. */
export function buildDistribution(tallies: readonly WorkerTallyInput[], unattributed: number): Distribution {
  const attributed = tallies.reduce((sum, t) => sum + t.requests, 0);
  const shareOf = (n: number): number => (attributed === 0 ? 0 : n / attributed);
  const perWorker: WorkerCount[] = tallies
    .map((t) => ({
      key: `${t.replica}/${t.worker}`,
      replica: t.replica,
      worker: t.worker,
      requests: t.requests,
      share: shareOf(t.requests),
      pids: [...t.pids],
    }))
    .sort((a, b) => compareNatural(a.replica, b.replica) || compareNatural(a.worker, b.worker));

  const replicas = new Map<string, { requests: number; workers: number }>();
  for (const w of perWorker) {
    const r = replicas.get(w.replica) ?? { requests: 0, workers: 0 };
    r.requests += w.requests;
    r.workers += 1;
    replicas.set(w.replica, r);
  }
  const perReplica: ReplicaCount[] = [...replicas.entries()]
    .map(([replica, r]) => ({ replica, requests: r.requests, share: shareOf(r.requests), workers: r.workers }))
    .sort((a, b) => compareNatural(a.replica, b.replica));

  return {
    attributed,
    unattributed,
    perWorker,
    perReplica,
    workerFairness: fairnessOf(perWorker.map((w) => w.requests)),
    replicaFairness: fairnessOf(perReplica.map((r) => r.requests)),
    restartedWorkers: perWorker.filter((w) => w.pids.length > 1).map((w) => w.key),
  };
}
