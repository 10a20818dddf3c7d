// What a comparison does to the running stack between two variants, through the same compose command the
// Makefile uses (COMPOSE_STACK): switch nginx's strategy live, recreate the api replicas with other settings
// (worker count, cluster scheduling policy), start or remove the one slow replica, and wait until nginx routes to
// exactly the topology asked for before any load is measured.
import { setTimeout as sleep } from 'node:timers/promises';
import { compose, opsScript } from '../../lib/docker.js';
import { runLoad } from '../../loadrunner/src/index.js';

export interface StackControlOptions {
  /** argv of the compose command, e.g. ['docker', 'compose', '-f', 'compose.yaml', '-f', 'compose.offline.yaml']. */
  readonly compose: readonly string[];
  readonly baseUrl: string;
  readonly cwd: string;
  readonly log: (line: string) => void;
}

/** The api settings a cluster variant changes; anything unset keeps the stack's own value (.env or defaults). */
export interface ApiSettings {
  readonly API_REPLICAS?: string;
  readonly API_WORKERS?: string;
  readonly API_SCHED_POLICY?: 'rr' | 'none';
  /** express-session's store (make compare-sessions). */
  readonly SESSION_STORE?: 'memory' | 'redis';
  /** socket.io's adapter (tests/stack/65-websockets' negative control). */
  readonly SOCKET_ADAPTER?: 'memory' | 'redis';
  /** Features off: their code is not even loaded (tests/stack/65-websockets checks the stack still serves). */
  readonly WEBSOCKETS_ENABLED?: 'true' | 'false';
  readonly SESSIONS_ENABLED?: 'true' | 'false';
}

/** The compose override of the keep-alive-off variant, relative to the repository root (the compose working directory). */
export const KEEPALIVE_OFF_COMPOSE_FILE = 'tools/compare/compose.upstream-keepalive-off.yaml';

export class StackControl {
  constructor(private readonly options: StackControlOptions) {}

  /** The stack's compose command, for what runs it itself (tools/lib/k6Compose.ts runK6). */
  get composeArgv(): readonly string[] {
    return this.options.compose;
  }

  /** The stack's compose command with more arguments (tools/lib/docker.ts runs it); its stdout. */
  async compose(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
    return compose(this.options.compose, args, env, { cwd: this.options.cwd });
  }

  async activeStrategy(): Promise<string> {
    return (await this.compose(['exec', '-T', 'nginx', 'switch-lb-strategy', '--show'])).trim();
  }

  /** The same relink + nginx -t + graceful reload as `make lb`. */
  async switchStrategy(strategy: string): Promise<void> {
    const out = await this.compose(['exec', '-T', 'nginx', 'switch-lb-strategy', strategy]);
    if (!out.includes(`active: ${strategy}`)) throw new Error(`switch-lb-strategy ${strategy} said: ${out}`);
    // The old nginx workers finish their requests and close their upstream connections: don't measure them.
    await sleep(1000);
  }

  /**
   * Replaces the api replicas with new ones started with `settings`, returning when they are healthy. Requests
   * sent meanwhile fail: a comparison changes the stack between measurements, never during one. The settings reach compose as variables, exactly as a user's .env would.
   */
  async recreateApi(settings: ApiSettings): Promise<void> {
    this.options.log(`recreating the api replicas with ${JSON.stringify(settings)}`);
    // Remove first: scaling 3 -> 1 -> 3 in place keeps whichever container survived (api-2, say) and numbers the new
    // ones after it, so the replica names would drift away from api-1..N in every table and dashboard.
    await this.compose(['rm', '--stop', '--force', 'api']);
    await this.compose(['up', '-d', '--wait', '--wait-timeout', '180', 'api'], { ...settings });
    await this.syncRing();
  }

  /**
   * Gives every api container without a slot on hash_consistent's ring the lowest free one (tools/ops/ring.sh sync,
   * as make up does): a container compose creates starts off the ring. Every method here that creates api containers
   * ends with it; call it after creating them any other way.
   */
  async syncRing(): Promise<void> {
    await opsScript(this.options.compose, 'ring.sh', ['sync']);
  }

  /** make scale N=<n>: new replicas gated on /readyz and put on the ring, removed ones drained. */
  async scale(replicas: number): Promise<void> {
    await opsScript(this.options.compose, 'scale.sh', [String(replicas)]);
  }

  /** make deploy VERSION=<v>: each replica replaced by one of version v, which takes over its ring slot. */
  async deploy(version: string): Promise<void> {
    await opsScript(this.options.compose, 'deploy.sh', [version]);
  }

  /**
   * Recreates nginx with upstream keep-alive off (tools/compare/compose.upstream-keepalive-off.yaml) or back with the
   * stack's own snippet. Only nginx is recreated (--no-deps); its strategy comes back as LB_STRATEGY says, so the
   * comparison restores the strategy it found after this.
   */
  async setUpstreamKeepalive(on: boolean): Promise<void> {
    this.options.log(`recreating nginx with upstream keep-alive ${on ? 'on (the stack\'s own config)' : 'off'}`);
    const override = on ? [] : ['-f', KEEPALIVE_OFF_COMPOSE_FILE];
    await this.compose([...override, 'up', '-d', '--wait', '--wait-timeout', '60', '--no-deps', '--force-recreate', 'nginx']);
  }

  async startSlowReplica(): Promise<void> {
    this.options.log('starting the slow replica api-slow-1 (compose profile "skewed")');
    await this.compose(['--profile', 'skewed', 'up', '-d', '--wait', '--wait-timeout', '180', '--no-recreate', 'api-slow']);
  }

  async removeSlowReplica(): Promise<void> {
    this.options.log('removing the slow replica');
    await this.compose(['--profile', 'skewed', 'rm', '--stop', '--force', 'api-slow']);
  }

  /** 1.5 s of GET /whoami over 16 connections: which replicas and workers answer now. */
  private probe() {
    return runLoad({ baseUrl: this.options.baseUrl, scenario: { model: 'closed', vus: 16, durationSec: 1.5 }, requests: [{ path: '/whoami' }] });
  }

  /** Probes until a replica whose name starts with `prefix` answers (nginx re-resolves `api` every 2 s). */
  async waitForReplica(prefix: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const probe = await this.probe();
      if (probe.distribution.perReplica.some((r) => r.replica.startsWith(prefix) && r.requests > 0)) return;
      if (Date.now() > deadline) throw new Error(`no replica named ${prefix}* answered within ${timeoutMs} ms`);
      await sleep(1000);
    }
  }

  /**
   * Sends a short burst of traffic until every response comes from `expectedWorkers` distinct replica/worker pairs
   * (and no other): nginx re-resolves the replicas every 2 s, and Node's cluster hands out connections one by one,
   * so a new topology takes a moment to be the only one serving. Returns the pairs seen.
   */
  async waitForTopology(expectedWorkers: number, timeoutMs = 60_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let seen: string[] = [];
    for (;;) {
      const probe = await this.probe();
      seen = probe.distribution.perWorker.filter((w) => w.requests > 0).map((w) => w.key).sort();
      if (probe.failed === 0 && seen.length === expectedWorkers) return seen;
      if (Date.now() > deadline) {
        throw new Error(`expected ${expectedWorkers} serving workers, saw ${seen.length} (${seen.join(' ')}), ${probe.failed} failed probes`);
      }
      await sleep(1000);
    }
  }
}
