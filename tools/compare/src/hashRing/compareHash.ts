// make compare-hash: 1,000 client ids (X-Client-Id), mapped to replicas by nginx under `hash` (plain) and
// `hash_consistent` (the ketama ring over one server line per ring slot), at N=3, then N=4 (make scale), then with
// every replica recreated (same names, new containers), then back at N=3 (make scale), then after `make deploy`
// (every container replaced by a new one under a new name, each taking over its predecessor's ring slot). Prints
// how many ids moved, and where.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StackControl } from '../stackControl.js';
import { keyMoves, keyMovesAcrossRenames, shares, type KeyMap, type KeyMoves, type RenamedKeyMoves } from './keyMoves.js';

export const HASH_STRATEGIES = ['hash_consistent', 'hash'] as const;
export type HashStrategy = (typeof HASH_STRATEGIES)[number];

/**
 * GET /whoami as one id. Retried once when the connection closes under it: the strategy switch just before
 * reloads nginx, whose old workers close their idle keep-alive client connections, and fetch can pick one of
 * them in that instant ("other side closed", seen in make test-labs). A GET, so a second try is safe.
 */
async function whoami(baseUrl: string, id: string): Promise<Response> {
  const get = (): Promise<Response> => fetch(`${baseUrl}/whoami`, { headers: { 'x-client-id': id }, signal: AbortSignal.timeout(10_000) });
  try {
    return await get();
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return get();
  }
}

/** Which replica answers each id now (GET /whoami with X-Client-Id), `concurrency` at a time. */
async function mapIds(baseUrl: string, ids: readonly string[], concurrency = 16): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const res = await whoami(baseUrl, id);
        if (!res.ok) throw new Error(`GET /whoami for ${id}: ${res.status}`);
        map.set(id, ((await res.json()) as { replica: string }).replica);
      }
    }),
  );
  return map;
}

/**
 * The ids' map once nginx has settled: `replicas` replicas hold a share, and a second map a second later is the same.
 * After a change (a switch of strategy, a slot changing hands), each nginx worker re-resolves the names and rebuilds
 * its ring on its own, so for a moment two requests can meet two rings (tests/ops/25-deploy-hash-ring's map right after
 * the switch took 3 rounds to settle). Returns the map and how many rounds it took.
 */
export async function mapIdsSettled(baseUrl: string, ids: readonly string[], replicas: number, timeoutMs = 20_000): Promise<{ map: Map<string, string>; rounds: number }> {
  const deadline = Date.now() + timeoutMs;
  let previous: Map<string, string> | undefined;
  for (let rounds = 1; ; rounds++) {
    const map = await mapIds(baseUrl, ids);
    const full = new Set(map.values()).size === replicas;
    if (full && previous && ids.every((id) => previous!.get(id) === map.get(id))) return { map, rounds };
    previous = full ? map : undefined;
    if (Date.now() > deadline) throw new Error(`the ids' map did not settle on ${replicas} replicas within ${timeoutMs} ms`);
    await sleep(1000);
  }
}

export interface HashStage {
  readonly stage: string;
  readonly maps: Record<HashStrategy, KeyMap>;
}

export interface HashComparison {
  readonly ids: number;
  readonly stages: readonly HashStage[];
  /**
   * Per strategy: N=3 -> 4, 4 -> recreated, recreated -> back to 3 vs the first N=3, and back to 3 -> after the
   * deploy, where every replica has a new name (keyMovesAcrossRenames: did each replica's keys stay together?).
   */
  readonly moves: Record<HashStrategy, { scaleUp: KeyMoves; recreate: KeyMoves; restored: KeyMoves; deploy?: RenamedKeyMoves }>;
  /** The version `make deploy` rolled out (the same code under another tag), when the deploy stage ran. */
  readonly deployedVersion?: string;
}

export interface CompareHashOptions {
  readonly stack: StackControl;
  readonly baseUrl: string;
  readonly ids: number;
  readonly log: (line: string) => void;
  /**
   * The tag `make deploy` rolls out in the last stage: the stack's own code, built under this tag. Unset: no deploy
   * stage (tests/stack/60-hash-ring, because tests/ops/25-deploy-hash-ring proves the deploy under load).
   */
  readonly deployVersion?: string;
}

/** Waits until exactly n replicas serve through nginx (probed under round_robin: a hash would pin the probe). */
async function settle(stack: StackControl, n: number): Promise<void> {
  await stack.switchStrategy('round_robin');
  // nginx re-resolves every name every 2 s; wait until every replica serves, and only those.
  await stack.waitForTopology(n * Number(await workersPerReplica(stack)));
  await sleep(2500);
}

async function workersPerReplica(stack: StackControl): Promise<number> {
  const out = await stack.compose(['exec', '-T', 'api', 'node', '-e', "fetch('http://127.0.0.1:3000/metrics').then(r=>r.text()).then(t=>console.log((t.match(/^api_metrics_workers_expected\\{[^}]*\\} (\\d+)/m)||[])[1]||''))"]);
  const n = Number(out.trim());
  if (!Number.isInteger(n) || n < 1) throw new Error(`could not read the worker count of an api replica: "${out.trim()}"`);
  return n;
}

/** A stage: once exactly `replicas` replicas serve (settle), the ids' map under each hash strategy. */
async function mapBoth(stack: StackControl, baseUrl: string, ids: readonly string[], replicas: number, stage: string, log: (l: string) => void): Promise<HashStage> {
  await settle(stack, replicas);
  const maps = {} as Record<HashStrategy, KeyMap>;
  for (const strategy of HASH_STRATEGIES) {
    await stack.switchStrategy(strategy);
    maps[strategy] = (await mapIdsSettled(baseUrl, ids, replicas)).map;
    log(`${stage.padEnd(22)} ${strategy.padEnd(16)} ${shares(maps[strategy]).map((s) => `${s.replica}=${(s.share * 100).toFixed(1)}%`).join(' ')}`);
  }
  return { stage, maps };
}

export async function compareHash(options: CompareHashOptions): Promise<HashComparison> {
  const { stack, baseUrl, log } = options;
  const ids = Array.from({ length: options.ids }, (_, i) => `client-${i}`);
  const strategyBefore = await stack.activeStrategy();
  const stages: HashStage[] = [];
  try {
    log('N=3: recreating the api replicas as api-1..3 (ring slots 1..3)');
    await stack.switchStrategy('round_robin');
    await stack.recreateApi({ API_REPLICAS: '3' });
    stages.push(await mapBoth(stack, baseUrl, ids, 3, 'N=3', log));
    log('N=4: make scale N=4 adds api-4 (ring slot 4)');
    await stack.scale(4);
    stages.push(await mapBoth(stack, baseUrl, ids, 4, 'N=4', log));
    log('N=4, every replica recreated (same names, new containers and addresses)');
    await stack.compose(['up', '-d', '--wait', '--wait-timeout', '180', '--no-deps', '--force-recreate', '--scale', 'api=4', 'api'], { API_REPLICAS: '4' });
    await stack.syncRing();
    stages.push(await mapBoth(stack, baseUrl, ids, 4, 'N=4 recreated', log));
    log('N=3: make scale N=3 drains api-4');
    await stack.scale(3);
    stages.push(await mapBoth(stack, baseUrl, ids, 3, 'back to N=3', log));
    if (options.deployVersion !== undefined) {
      log(`make deploy VERSION=${options.deployVersion}: every replica replaced by a newly numbered one, which takes over its ring slot`);
      await stack.compose(['build', '--quiet', 'api'], { API_VERSION: options.deployVersion });
      await stack.deploy(options.deployVersion);
      stages.push(await mapBoth(stack, baseUrl, ids, 3, 'after make deploy', log));
    }
  } finally {
    await stack.switchStrategy(strategyBefore);
  }
  const [n3, n4, recreated, back, deployed] = stages as [HashStage, HashStage, HashStage, HashStage, HashStage | undefined];
  const movesOf = (s: HashStrategy) => ({
    scaleUp: keyMoves(n3.maps[s], n4.maps[s]),
    recreate: keyMoves(n4.maps[s], recreated.maps[s]),
    restored: keyMoves(n3.maps[s], back.maps[s]),
    ...(deployed ? { deploy: keyMovesAcrossRenames(back.maps[s], deployed.maps[s]) } : {}),
  });
  return {
    ids: options.ids,
    stages,
    moves: { hash_consistent: movesOf('hash_consistent'), hash: movesOf('hash') },
    ...(deployed ? { deployedVersion: options.deployVersion } : {}),
  };
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export function formatHashComparison(c: HashComparison): string {
  const lines = [`${c.ids} client ids (X-Client-Id)`, '', 'shares per replica:'];
  for (const stage of c.stages) {
    for (const s of HASH_STRATEGIES) lines.push(`  ${stage.stage.padEnd(16)} ${s.padEnd(16)} ${shares(stage.maps[s]).map((x) => `${x.replica} ${pct(x.share)}`).join('  ')}`);
  }
  lines.push('', 'ids moved:', `  ${'strategy'.padEnd(16)} ${'N=3 -> 4'.padEnd(50)} ${'recreate all (N=4)'.padEnd(20)} ${'back to N=3: as first N=3'.padEnd(27)} make deploy (new names)`);
  for (const s of HASH_STRATEGIES) {
    const m = c.moves[s];
    const to = Object.entries(m.scaleUp.movedTo).map(([r, n]) => `${r}:${n}`).join(' ');
    lines.push(`  ${s.padEnd(16)} ${`${pct(m.scaleUp.movedShare)} (to ${to || 'none'})`.padEnd(50)} ${pct(m.recreate.movedShare).padEnd(20)} ${pct(m.restored.keptShare).padEnd(27)} ${m.deploy ? pct(m.deploy.movedShare) : 'not run'}`);
  }
  if (c.deployedVersion) lines.push('', `The replicas now run ${c.deployedVersion} (the same code under the tag make deploy rolled out).`);
  return lines.join('\n');
}

export function writeHashReport(outDir: string, c: HashComparison): void {
  mkdirSync(outDir, { recursive: true });
  const json = {
    ids: c.ids,
    stages: c.stages.map((s) => ({ stage: s.stage, shares: Object.fromEntries(HASH_STRATEGIES.map((k) => [k, shares(s.maps[k])])) })),
    moves: c.moves,
  };
  writeFileSync(path.join(outDir, 'comparison.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'summary.md'), `# Consistent vs plain hash\n\n\`\`\`\n${formatHashComparison(c)}\n\`\`\`\n`);
}
