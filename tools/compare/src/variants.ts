// The two kinds of comparison `make compare` and `make compare-cluster` run. A variant says how to put the
// running stack into its state and what it is called in the table; everything else (scenario, load, report) is
// the same for every variant of a comparison, so the columns differ only by what the variant names.
import type { ScenarioOverrides } from '../../loadrunner/src/index.js';
import type { StackControl } from './stackControl.js';
import { strategyNames } from '../../lib/strategies.js';

export interface Variant {
  /** Column header, and the STRATEGY / variant tag of the run. */
  readonly name: string;
  /** The nginx strategy in force during this variant (the k6 `strategy` tag). */
  readonly strategy?: string;
  /** replica/worker pairs that must be the only ones serving before the variant is measured (after a recreate). */
  readonly expectedWorkers?: number;
  readonly apply: (stack: StackControl) => Promise<void>;
  /** Applied on top of the comparison's own overrides, for variants that differ in the load itself (connections). */
  readonly overrides?: ScenarioOverrides;
  /** True when apply() recreates the api replicas: the comparison then restores the stack's own topology after. */
  readonly recreatesApi?: boolean;
  /** True when apply() recreates nginx with another config: the comparison recreates it as the stack has it after. */
  readonly recreatesNginx?: boolean;
}

export function strategyVariants(names: readonly string[]): Variant[] {
  const known = strategyNames();
  for (const name of names) {
    if (!known.includes(name)) throw new Error(`unknown strategy "${name}"; known: ${known.join(', ')}`);
  }
  return names.map((name) => ({
    name,
    strategy: name,
    // No topology to wait for: nothing is recreated between strategies (and ip_hash may use one replica only).
    apply: (stack) => stack.switchStrategy(name),
  }));
}

/**
 * Post 000's question inside one container: 1 worker vs N workers (N = the container's CPUs), and Node's two
 * ways of handing connections to those N workers: SCHED_RR (the primary accepts and deals them round-robin,
 * Node's default on Linux) and SCHED_NONE (the workers race for accept() and the kernel decides). One replica,
 * like the post's single container, so the CPUs the workers compete for are the container's, not other replicas'.
 */
export function clusterVariants(workersPerReplica: number): Variant[] {
  const one: Variant = {
    name: '1 worker',
    strategy: 'round_robin',
    expectedWorkers: 1,
    recreatesApi: true,
    apply: (stack) => stack.recreateApi({ API_REPLICAS: '1', API_WORKERS: '1', API_SCHED_POLICY: 'rr' }),
  };
  const many = (policy: 'rr' | 'none'): Variant => ({
    name: `${workersPerReplica} workers, SCHED_${policy === 'rr' ? 'RR' : 'NONE'}`,
    strategy: 'round_robin',
    expectedWorkers: workersPerReplica,
    recreatesApi: true,
    apply: (stack) => stack.recreateApi({ API_REPLICAS: '1', API_WORKERS: String(workersPerReplica), API_SCHED_POLICY: policy }),
  });
  return [one, many('rr'), many('none')];
}

/**
 * Node's cluster deals out CONNECTIONS, not requests, and nginx's upstream keep-alive turns many requests into a few
 * long-lived connections, reused most-recent-first. So how evenly the workers of one replica share the load
 * depends on how many connections are in flight: one replica with N workers (SCHED_RR), the same requests over
 * 1, 2, 4 and 64 client connections through nginx. The first variant recreates the replica; the others reuse it.
 * The last one is 1 connection again with nginx's upstream keep-alive off: every request is a new connection to
 * the app, so the primary deals out requests, and the spread evens out at the price of a handshake per request.
 */
export function connectionVariants(workersPerReplica: number, connections: readonly number[] = [1, 2, 4, 64]): Variant[] {
  const withKeepalive: Variant[] = connections.map((c, i) => ({
    name: `${c} connection${c === 1 ? '' : 's'}`,
    strategy: 'round_robin',
    overrides: { vus: c },
    ...(i === 0
      ? {
          expectedWorkers: workersPerReplica,
          recreatesApi: true,
          apply: (stack: StackControl) => stack.recreateApi({ API_REPLICAS: '1', API_WORKERS: String(workersPerReplica), API_SCHED_POLICY: 'rr' }),
        }
      : { apply: async () => undefined }),
  }));
  const keepaliveOff: Variant = {
    name: '1 connection, upstream keep-alive off',
    strategy: 'round_robin',
    overrides: { vus: 1 },
    expectedWorkers: workersPerReplica,
    recreatesNginx: true,
    apply: (stack) => stack.setUpstreamKeepalive(false),
  };
  return [...withKeepalive, keepaliveOff];
}
