// Which requests were open on a node's replicas when it was lost, from the load's own records and nginx's access log:
// the bound tests/swarm/30-node-loss puts on the failures ("only what was in flight there"), measured, not guessed.
import type { RequestRecord } from '../../tools/loadrunner/src/index.js';

/** What one nginx access-log line (nginx/nginx.conf, log_format json) says about where a request went. */
export interface UpstreamRoute {
  /** Every upstream address nginx tried, in order ("10.0.1.5:3000, 10.0.1.6:3000" on a retry). */
  readonly addresses: readonly string[];
  /** The app's X-Served-By of the answer ("api-3/0/31"), empty when no replica answered. */
  readonly servedBy: string;
}

/** request_id -> route, from nginx's JSON access-log lines; other lines are skipped. */
export function routesFromAccessLog(lines: readonly string[]): Map<string, UpstreamRoute> {
  const routes = new Map<string, UpstreamRoute>();
  for (const line of lines) {
    const json = line.slice(line.indexOf('{'));
    if (!json.startsWith('{')) continue;
    let entry: { request_id?: unknown; upstream_addr?: unknown; served_by?: unknown };
    try {
      entry = JSON.parse(json) as typeof entry;
    } catch {
      continue;
    }
    if (typeof entry.request_id !== 'string' || typeof entry.upstream_addr !== 'string') continue;
    const addresses = entry.upstream_addr.split(/[,:]\s+|,\s*/).map((a) => a.trim()).filter((a) => a !== '' && a !== '-');
    routes.set(entry.request_id, { addresses, servedBy: typeof entry.served_by === 'string' ? entry.served_by : '' });
  }
  return routes;
}

/**
 * The upstream addresses of `replicas` (names as in X-Served-By: "api-3"), from routes those replicas answered. Give
 * `onlyRequests` (the ids answered before the kill): Swarm's replacement task keeps its slot's name, api-3, but gets
 * a new address, which must not count as the lost node's.
 */
export function addressesOfReplicas(routes: ReadonlyMap<string, UpstreamRoute>, replicas: readonly string[], onlyRequests?: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  for (const [id, r] of routes) {
    if (onlyRequests !== undefined && !onlyRequests.has(id)) continue;
    const replica = r.servedBy.split('/')[0] ?? '';
    const last = r.addresses.at(-1);
    if (replicas.includes(replica) && last !== undefined) found.add(last);
  }
  return found;
}

/**
 * The requests open when the node was lost (sent before `lostBeforeMs`, not answered before `lostAfterMs`: the kill
 * happened somewhere in between) whose first try went to one of `addresses`: the most that losing the node can fail.
 */
export function openOnAddresses(
  records: readonly RequestRecord[],
  routes: ReadonlyMap<string, UpstreamRoute>,
  addresses: ReadonlySet<string>,
  window: { readonly lostAfterMs: number; readonly lostBeforeMs: number },
): RequestRecord[] {
  return records.filter((r) => {
    if (r.sentAtMs >= window.lostBeforeMs || r.sentAtMs + r.durationMs <= window.lostAfterMs) return false;
    const first = r.sentRequestId === undefined ? undefined : routes.get(r.sentRequestId)?.addresses[0];
    return first !== undefined && addresses.has(first);
  });
}
