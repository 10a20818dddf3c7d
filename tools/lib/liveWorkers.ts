// The one definition of "the workers the stack has right now": the api workers Prometheus scrapes a fresh sample
// of, restricted to the api containers that run. The stack tests (tests/lib/stack.ts) and `make loadtest`
// (tools/loadrunner/src/liveTopology.ts, which hands it to the Node runner and to k6 as EXPECTED_REPLICAS /
// EXPECTED_WORKERS) both read it here, so a worker that serves nothing fails the run's spread thresholds without a
// hand-kept count: replica numbers grow across deploys (api-4..api-6 after a rolling update), so no fixed
// default can be right.
import { setTimeout as sleep } from 'node:timers/promises';
import { containersOf, projectName } from './docker.js';

/** Only series sampled in the last 15 s (3 scrapes, prometheus/prometheus.yml scrapes every 5 s). */
const LIVE_WINDOW_S = 15;

/**
 * The workers Prometheus currently scrapes, as sorted `replica/worker` keys. Only series sampled in the last 15 s:
 * after a restart of Prometheus (its volume survives `make down`), series of containers that are gone keep
 * answering instant queries for the 5-minute lookback, because no stale marker was written for them.
 */
export async function liveWorkers(prometheusUrl: string): Promise<string[]> {
  const expr = `sum by (replica, worker) (timestamp(process_start_time_seconds{job="api"}) > time() - ${LIVE_WINDOW_S})`;
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: Array<{ metric: Record<string, string> }> } };
  if (body.status !== 'success' || body.data === undefined) throw new Error(`Prometheus rejected ${expr}: ${body.error ?? res.status}`);
  return body.data.result.map((s) => `${s.metric.replica}/${s.metric.worker}`).sort();
}

export interface LiveTopology {
  /** Replica names, in replica order (api-4, api-5, api-6). */
  readonly replicas: string[];
  /** pm2 workers per replica: the most any replica shows (a replica with fewer has a missing worker). */
  readonly workers: number;
  /** The `replica/worker` keys seen. */
  readonly seen: string[];
}

/** Pure: `replica/worker` keys -> the replicas and the workers per replica. */
export function topologyOf(keys: readonly string[]): LiveTopology {
  const byReplica = new Map<string, Set<string>>();
  for (const key of keys) {
    const [replica, worker] = key.split('/');
    if (replica === undefined || worker === undefined) continue;
    byReplica.set(replica, (byReplica.get(replica) ?? new Set()).add(worker));
  }
  const replicas = [...byReplica.keys()].sort((a, b) => Number(a.split('-').pop()) - Number(b.split('-').pop()) || a.localeCompare(b));
  const workers = Math.max(0, ...[...byReplica.values()].map((w) => w.size));
  return { replicas, workers, seen: [...keys].sort() };
}

/** The replica names of the running api containers of this compose project (`<project>-api-4` -> api-4). */
export async function runningReplicas(): Promise<string[]> {
  return (await containersOf('api')).map((name) => name.startsWith(`${projectName}-`) ? name.slice(projectName.length + 1) : name);
}

/**
 * The live topology once Prometheus has a fresh sample from every running api container (up to `timeoutMs`:
 * right after `make up` Prometheus needs up to ~10 s, DNS discovery every 5 s plus a scrape). Replicas whose
 * container is gone are left out even while their series are still fresh. Returns what it saw last, with
 * `missing` naming running replicas Prometheus has no worker of.
 */
export async function waitForLiveTopology(prometheusUrl: string, timeoutMs = 30_000): Promise<LiveTopology & { missing: string[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = new Set(await runningReplicas());
    const live = (await liveWorkers(prometheusUrl)).filter((key) => running.has(key.split('/')[0] ?? ''));
    const topology = topologyOf(live);
    const missing = [...running].filter((r) => !topology.replicas.includes(r)).sort();
    if ((missing.length === 0 && topology.replicas.length > 0) || Date.now() > deadline) return { ...topology, missing };
    await sleep(1_000);
  }
}
