// Peer-to-peer load balancing (post 004, docs/labs/10-scale-cube.md): a client that spreads its own requests
// over the api replicas, with no nginx in between. It finds them the way nginx does, through Docker's DNS (the
// service name answers every replica's address), round-robins over the addresses, and notices a dead replica
// only when a request to it fails (it then retries the request on the next address and stops using that one
// until DNS gives it back). Node built-ins only, so it runs in the api image on the stack's network:
//   make p2p [DURATION=10] [STOP=2]   (tools/p2p/run.sh starts it; STOP=<n> stops replica n partway)
import { promises as dns } from 'node:dns';
import { setTimeout as sleep } from 'node:timers/promises';

interface Options {
  readonly service: string;
  readonly port: number;
  readonly durationSec: number;
  readonly concurrency: number;
  readonly resolveEveryMs: number;
}

interface Tally {
  sent: number;
  failed: number;
  retried: number;
  perReplica: Map<string, number>;
  dead: Map<string, number>;
  addressesSeen: Set<string>;
}

function optionsFromEnv(env: NodeJS.ProcessEnv): Options {
  const num = (name: string, fallback: number): number => {
    const raw = env[name];
    const n = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${raw} is not a positive number`);
    return n;
  };
  return {
    service: env.P2P_SERVICE ?? 'api',
    port: num('P2P_PORT', 3000),
    durationSec: num('DURATION', 10),
    concurrency: num('P2P_CONCURRENCY', 4),
    resolveEveryMs: num('P2P_RESOLVE_MS', 1000),
  };
}

/** Round-robin over the addresses DNS gave last, minus the ones that failed since (until DNS drops or re-adds them). */
class PeerList {
  private addresses: string[] = [];
  private next = 0;
  private readonly failedAt = new Map<string, number>();

  constructor(private readonly tally: Tally) {}

  update(resolved: readonly string[]): void {
    for (const a of resolved) this.tally.addressesSeen.add(a);
    // An address DNS no longer lists is forgotten; one it lists again after a failure gets another chance
    // after 5 s (a recreated replica can reuse an address).
    for (const [a, at] of this.failedAt) if (!resolved.includes(a) || Date.now() - at > 5000) this.failedAt.delete(a);
    this.addresses = [...resolved].sort();
  }

  pick(): string | undefined {
    const live = this.addresses.filter((a) => !this.failedAt.has(a));
    if (!live.length) return undefined;
    return live[this.next++ % live.length];
  }

  markFailed(address: string): void {
    this.failedAt.set(address, Date.now());
    this.tally.dead.set(address, (this.tally.dead.get(address) ?? 0) + 1);
  }
}

async function requestOnce(address: string, port: number): Promise<string> {
  const res = await fetch(`http://${address}:${port}/whoami`, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return (res.headers.get('x-served-by') ?? 'unknown').split('/')[0]!;
}

async function run(options: Options): Promise<Tally> {
  const tally: Tally = { sent: 0, failed: 0, retried: 0, perReplica: new Map(), dead: new Map(), addressesSeen: new Set() };
  const peers = new PeerList(tally);
  const resolve = async (): Promise<void> => {
    try {
      peers.update(await dns.resolve4(options.service));
    } catch (e) {
      peers.update([]); // no replica at all: every request fails until one is back
      console.log(`dns: ${(e as Error).message}`);
    }
  };
  await resolve();
  const endAt = Date.now() + options.durationSec * 1000;
  const resolver = (async () => {
    while (Date.now() < endAt) {
      await sleep(options.resolveEveryMs);
      await resolve();
    }
  })();
  const worker = async (): Promise<void> => {
    while (Date.now() < endAt) {
      tally.sent++;
      let ok = false;
      // One retry on another address: what nginx's proxy_next_upstream does for a GET.
      for (let attempt = 0; attempt < 2 && !ok; attempt++) {
        const address = peers.pick();
        if (!address) break;
        if (attempt > 0) tally.retried++;
        try {
          const replica = await requestOnce(address, options.port);
          tally.perReplica.set(replica, (tally.perReplica.get(replica) ?? 0) + 1);
          ok = true;
        } catch {
          peers.markFailed(address);
        }
      }
      if (!ok) tally.failed++;
    }
  };
  await Promise.all([resolver, ...Array.from({ length: options.concurrency }, worker)]);
  return tally;
}

const options = optionsFromEnv(process.env);
console.log(`p2p: ${options.concurrency} loops for ${options.durationSec} s over the addresses of "${options.service}" (Docker DNS, re-resolved every ${options.resolveEveryMs} ms)`);
const t = await run(options);
console.log(`p2p requests: ${t.sent}`);
console.log(`p2p failed: ${t.failed}`);
console.log(`p2p retried on another replica: ${t.retried}`);
console.log(`p2p addresses seen: ${t.addressesSeen.size}`);
console.log(`p2p replicas that served: ${t.perReplica.size}`);
for (const [replica, n] of [...t.perReplica].sort()) console.log(`  ${replica.padEnd(10)} ${n}`);
console.log(`p2p failed attempts per address (the client's only way to notice a dead replica): ${[...t.dead].map(([a, n]) => `${a}:${n}`).join(' ') || 'none'}`);
