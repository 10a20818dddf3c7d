// Turns the reverse-DNS name Docker's embedded DNS gives a compose container into its replica name.
//
// Compose names containers `<project>-<service>-<n>` and Docker's DNS (127.0.0.11) answers a PTR query
// for the container's IP with `<container>.<network>`, e.g. `scaleout-api-2.scaleout_default.`.
// We want `api-2`: the same name nginx, Prometheus and Grafana show for that replica.

// `<service>-<n>`: a service name starting with a letter, then the replica number.
const REPLICA_NAME = /^[a-z][a-z0-9_.-]*-\d+$/i;

/**
 * @param ptrName the PTR answer, e.g. `scaleout-api-2.scaleout_default.`
 * @param composeProject COMPOSE_PROJECT_NAME when known; without it we keep the last two dash-separated
 *   parts, which is right unless the service name itself contains a dash.
 * @returns the replica name (`api-2`), or undefined when the name does not look like a compose container.
 */
export function replicaFromReverseDns(ptrName: string, composeProject?: string): string | undefined {
  const container = ptrName.trim().replace(/\.$/, '').split('.')[0] ?? '';
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

/**
 * `172.20.0.5` -> `5.0.20.172.in-addr.arpa`. We query the PTR record directly (resolvePtr) instead of
 * dns.reverse(): c-ares' reverse() consults /etc/hosts first, where Docker maps our own IP to the
 * container id, and so never asks Docker's DNS.
 */
export function ipv4ArpaName(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}
