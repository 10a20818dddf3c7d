// Turns the reverse-DNS name Docker's embedded DNS gives a compose container into its replica name.
//
// Compose names containers `<project>-<service>-<n>` and Docker's DNS (127.0.0.11) answers a PTR query
// for the container's IP with `<container>.<network>`, e.g. `scaleout-api-2.scaleout_default.`.
// We want `api-2`: the same name nginx, Prometheus and Grafana show for that replica.
//
// On Docker Swarm a task's container is `<stack>_<service>.<slot>.<task id>` and the PTR answer is that name
// plus the network, e.g. `scaleout_api.2.18gq624qms5wt4abhvo2ub9fc.scaleout_default.`. There the replica is
// `api-<slot>`: a task that replaces another (a rolling update, a crash) keeps its slot, so the name carries on.

// `<service>-<n>`: a service name starting with a letter, then the replica number.
const REPLICA_NAME = /^[a-z][a-z0-9_.-]*-\d+$/i;

/**
 * @param ptrName the PTR answer, e.g. `scaleout-api-2.scaleout_default.`
 * @param composeProject COMPOSE_PROJECT_NAME when known; without it we keep the last two dash-separated
 *   parts, which is right unless the service name itself contains a dash.
 * @returns the replica name (`api-2`), or undefined when the name does not look like a compose container.
 */
export function replicaFromReverseDns(ptrName: string, composeProject?: string): string | undefined {
  const name = ptrName.trim().replace(/\.$/, '');
  const swarm = replicaFromSwarmTask(name, composeProject);
  if (swarm) return swarm;
  const container = name.split('.')[0] ?? '';
  if (composeProject) {
    const prefix = `${composeProject}-`;
    if (container.startsWith(prefix)) {
      const candidate = container.slice(prefix.length);
      return REPLICA_NAME.test(candidate) ? candidate : undefined;
    }
  }
  const parts = container.split('-');
  if (parts.length < 3) return undefined; // needs at least <project>-<service>-<n>
  const candidate = parts.slice(-2).join('-');
  return REPLICA_NAME.test(candidate) ? candidate : undefined;
}

// `<stack>_<service>.<slot>.<task id: 25 lowercase letters and digits>`, then the network.
const SWARM_TASK = /^([a-z0-9][a-z0-9-]*)_([a-z][a-z0-9_-]*)\.(\d+)\.[a-z0-9]{25}(?:\.|$)/i;

/**
 * A Swarm task's PTR name -> `<service>-<slot>` (`api-2`), or undefined for anything else (a global service's
 * tasks carry a node id instead of a slot). The stack name is COMPOSE_PROJECT_NAME when known: the stack file is
 * generated from compose.yaml with the stack's name as the project (tools/swarm).
 */
export function replicaFromSwarmTask(ptrName: string, stack?: string): string | undefined {
  const m = SWARM_TASK.exec(ptrName);
  if (!m) return undefined;
  let [, prefix, service, slot] = m;
  if (stack && `${prefix}_${service}`.startsWith(`${stack}_`)) service = `${prefix}_${service}`.slice(stack.length + 1);
  return service && slot && /^[a-z][a-z0-9-]*$/i.test(service) ? `${service}-${slot}` : undefined;
}

/**
 * `172.20.0.5` -> `5.0.20.172.in-addr.arpa`. We query the PTR record directly (resolvePtr) instead of
 * dns.reverse(): c-ares' reverse() consults /etc/hosts first, where Docker maps our own IP to the
 * container id, and so never asks Docker's DNS.
 */
export function ipv4ArpaName(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}
