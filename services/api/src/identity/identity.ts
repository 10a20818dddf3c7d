// Who is answering: replica (container), worker (pm2 instance) and pid. Shown by /whoami, the
// X-Served-By header, every log line and every metric series, so load distribution is visible everywhere.

import { promises as dns } from 'node:dns';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { ApiConfig } from '../config/api-config.js';
import { ipv4ArpaName, replicaFromReverseDns } from './replica-name.js';

export interface Identity {
  replica: string;
  worker: string;
  pid: number;
  hostname: string;
  version: string;
  /** `<replica>/<worker>/<pid>`, the X-Served-By header value. */
  servedBy: string;
}

export interface IdentityView {
  replica: string;
  worker: string;
  pid: number;
  hostname: string;
  version: string;
  uptimeSeconds: number;
}

export function identityView(identity: Identity): IdentityView {
  const { replica, worker, pid, hostname, version } = identity;
  return { replica, worker, pid, hostname, version, uptimeSeconds: Math.round(process.uptime()) };
}

/** The container's own IPv4 on a non-internal interface (the address Docker's DNS knows it by). */
export function ownIpv4(): string | undefined {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return undefined;
}

/**
 * Asks Docker's embedded DNS (127.0.0.11) for the PTR record of our own IP. Bounded by `timeoutMs` because outside
 * Docker the PTR query may go to a slow or silent resolver, and startup must not wait on it.
 */
export async function replicaFromDocker(composeProject: string | undefined, timeoutMs: number): Promise<string | undefined> {
  const ip = ownIpv4();
  if (!ip) return undefined;
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      resolver.cancel();
      resolve(undefined);
    }, timeoutMs);
  });
  try {
    const names = await Promise.race([resolver.resolvePtr(ipv4ArpaName(ip)), timeout]);
    for (const name of names ?? []) {
      const replica = replicaFromReverseDns(name, composeProject);
      if (replica) return replica;
    }
    return undefined;
  } catch {
    return undefined; // NXDOMAIN, no resolver, cancelled: fall back to the hostname
  } finally {
    clearTimeout(timer);
  }
}

/** Version from our package.json, found by walking up from this module (dist/main.js, or the test build). */
export function packageVersion(): string {
  for (const relative of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'scaleout-api' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0';
}

export async function resolveIdentity(config: ApiConfig, dnsTimeoutMs = 500): Promise<Identity> {
  const hostname = os.hostname();
  const replica = config.replicaOverride ?? (await replicaFromDocker(config.composeProject, dnsTimeoutMs)) ?? hostname;
  const worker = config.worker;
  const pid = process.pid;
  return {
    replica,
    worker,
    pid,
    hostname,
    version: config.appVersion ?? packageVersion(),
    servedBy: `${replica}/${worker}/${pid}`,
  };
}
