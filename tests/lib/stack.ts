// What the end-to-end tests need to drive the running stack: its URLs, Prometheus queries, and
// nginx strategy switches through the same command `make lb` runs.
import { setTimeout as sleep } from 'node:timers/promises';
import { compose, docker, projectName, stackComposeCommand } from '../../tools/lib/docker.js';
import { liveWorkers as liveWorkersOf } from '../../tools/lib/liveWorkers.js';
import { prometheusUrl } from '../../tools/lib/stackUrls.js';

// The URLs from the one module that holds the ports' defaults.
export { baseUrl, httpsUrl, prometheusUrl } from '../../tools/lib/stackUrls.js';

export const stackMode = process.env.STACK_MODE ?? 'offline';
/** Prometheus' scrape interval in prometheus/prometheus.yml. */
export const SCRAPE_INTERVAL_MS = 5_000;

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export async function promQuery(expr: string): Promise<PromSample[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
  if (body.status !== 'success') throw new Error(`Prometheus rejected ${expr}: ${body.error ?? res.status}`);
  const { resultType, result } = body.data!;
  if (resultType === 'scalar') return [{ metric: {}, value: result as [number, string] }];
  return result as PromSample[];
}

/** Per replica/worker sums of an expression, keyed `api-1/0`. */
export async function perWorker(expr: string): Promise<Map<string, number>> {
  const samples = await promQuery(`sum by (replica, worker) (${expr})`);
  return new Map(samples.map((s) => [`${s.metric.replica}/${s.metric.worker}`, Number(s.value[1])]));
}

/** The workers Prometheus currently scrapes, as `replica/worker` keys (one definition: tools/lib/liveWorkers.ts). */
export async function liveWorkers(): Promise<string[]> {
  return liveWorkersOf(prometheusUrl);
}

/**
 * The live workers once Prometheus sees at least `min` of them, polling for up to `timeoutMs`. Right after
 * `make up --wait` a replica can still be missing: Prometheus finds replicas by DNS every 5 s and scrapes every
 * 5 s, so a fresh stack needs up to ~10 s before every worker has a recent sample. Returns what it saw last.
 */
export async function waitForLiveWorkers(min: number, timeoutMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const workers = await liveWorkers();
    if (workers.length >= min || Date.now() > deadline) return workers;
    await sleep(1_000);
  }
}

/** Waits until every api target has been scraped after `since` (ms epoch): the data then covers it. */
export async function waitForScrapeAfter(since: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${prometheusUrl}/api/v1/targets?state=active`);
    const body = (await res.json()) as { data: { activeTargets: Array<{ labels: { job: string }; lastScrape: string; health: string }> } };
    const api = body.data.activeTargets.filter((t) => t.labels.job === 'api');
    if (api.length > 0 && api.every((t) => t.health === 'up' && Date.parse(t.lastScrape) > since)) return;
    if (Date.now() > deadline) throw new Error(`api targets not all scraped since ${new Date(since).toISOString()}: ${JSON.stringify(api)}`);
    await sleep(500);
  }
}

/** Switches nginx's strategy the way `make lb` does (relink, nginx -t, reload). */
export async function switchStrategy(strategy: string): Promise<void> {
  const out = await compose(stackComposeCommand(), ['exec', '-T', 'nginx', 'switch-lb-strategy', strategy]);
  if (!out.includes(strategy)) throw new Error(`switch-lb-strategy ${strategy} said: ${out}`);
  // Old nginx workers finish their requests and close their keep-alive connections; give them a moment.
  await sleep(1_000);
}

/** The stack's session store container (Valkey), which the store-down tests pause, stop and start. */
export const sessionStoreContainer = `${projectName}-valkey-1`;

/** docker pause, retried: cgroup v1's freezer sometimes answers "unable to freeze" on a busy machine. */
export async function pauseContainer(name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await docker(['pause', name]);
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
      await sleep(500);
    }
  }
}

/** Unpauses and starts a container whatever state a failed test left it in (an after() hook's clean-up). */
export async function resumeContainer(name: string): Promise<void> {
  await docker(['unpause', name]).catch(() => undefined);
  await docker(['start', name]).catch(() => undefined);
}
