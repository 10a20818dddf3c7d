// The two kinds of comparison `make compare` and `make compare-cluster` run. A variant says how to put the
// running stack into its state and what it is called in the table; everything else (scenario, load, report) is
// the same for every variant of a comparison, so the columns differ only by what the variant names.
import type { StackControl } from './stackControl.js';

export interface Variant {
  /** Column header, and the STRATEGY / variant tag of the run. */
  readonly name: string;
  /** The nginx strategy in force during this variant (the k6 `strategy` tag). */
  readonly strategy?: string;
  /** replica/worker pairs that must be the only ones serving before the variant is measured (after a recreate). */
  readonly expectedWorkers?: number;
  readonly apply: (stack: StackControl) => Promise<void>;
}

export const STRATEGIES = ['round_robin', 'least_conn', 'ip_hash', 'hash', 'random'] as const;

export function strategyVariants(names: readonly string[]): Variant[] {
  for (const name of names) {
    if (!(STRATEGIES as readonly string[]).includes(name)) throw new Error(`unknown strategy "${name}"; known: ${STRATEGIES.join(', ')}`);
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
    apply: (stack) => stack.recreateApi({ API_REPLICAS: '1', API_WORKERS: '1', API_SCHED_POLICY: 'rr' }),
  };
  const many = (policy: 'rr' | 'none'): Variant => ({
    name: `${workersPerReplica} workers, SCHED_${policy === 'rr' ? 'RR' : 'NONE'}`,
    strategy: 'round_robin',
    expectedWorkers: workersPerReplica,
    apply: (stack) => stack.recreateApi({ API_REPLICAS: '1', API_WORKERS: String(workersPerReplica), API_SCHED_POLICY: policy }),
  });
  return [one, many('rr'), many('none')];
}
