// Pure: how two key -> replica maps differ (make compare-hash). Unit-tested in tools/compare/test/hashRing.test.ts.

export type KeyMap = ReadonlyMap<string, string>;

export interface KeyMoves {
  readonly keys: number;
  readonly moved: number;
  readonly movedShare: number;
  /** Where the moved keys went: replica -> count. */
  readonly movedTo: Readonly<Record<string, number>>;
  /** Keys that kept their replica, as a share of all keys. */
  readonly keptShare: number;
}

export function keyMoves(before: KeyMap, after: KeyMap): KeyMoves {
  let moved = 0;
  const movedTo: Record<string, number> = {};
  for (const [key, replica] of before) {
    const now = after.get(key);
    if (now === undefined) throw new Error(`key ${key} is missing from the second map`);
    if (now !== replica) {
      moved++;
      movedTo[now] = (movedTo[now] ?? 0) + 1;
    }
  }
  const keys = before.size;
  return { keys, moved, movedShare: keys === 0 ? 0 : moved / keys, movedTo, keptShare: keys === 0 ? 1 : (keys - moved) / keys };
}

/** Share of the keys per replica, in natural name order (api-2 before api-10). */
export function shares(map: KeyMap): Array<{ replica: string; share: number }> {
  const counts = new Map<string, number>();
  for (const replica of map.values()) counts.set(replica, (counts.get(replica) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([replica, n]) => ({ replica, share: n / map.size }));
}

export interface RenamedKeyMoves extends KeyMoves {
  /** Old replica -> the new one that took its keys. */
  readonly successors: Readonly<Record<string, string>>;
}

/**
 * Like keyMoves, across a change that renames every replica (make deploy: api-1..3 are replaced by api-4..6, each
 * new one taking an old one's place). Each old replica's successor is the new replica that received most of its
 * keys, matched one to one, largest flows first; a key moved if it did not go to its replica's successor. 0 means
 * every group of keys stayed together, on a replica of its own: nothing changed but the names.
 * `movedTo` counts the moved keys by new replica; `successors` maps old -> new.
 */
export function keyMovesAcrossRenames(before: KeyMap, after: KeyMap): RenamedKeyMoves {
  const flows = new Map<string, { from: string; to: string; keys: number }>();
  for (const [key, from] of before) {
    const to = after.get(key);
    if (to === undefined) throw new Error(`key ${key} is missing from the second map`);
    const flow = flows.get(`${from}\0${to}`) ?? { from, to, keys: 0 };
    flow.keys++;
    flows.set(`${from}\0${to}`, flow);
  }
  const successors: Record<string, string> = {};
  const claimed = new Set<string>();
  const ordered = [...flows.values()].sort((a, b) => b.keys - a.keys || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  for (const { from, to } of ordered) {
    if (from in successors || claimed.has(to)) continue;
    successors[from] = to;
    claimed.add(to);
  }
  let moved = 0;
  const movedTo: Record<string, number> = {};
  for (const [key, from] of before) {
    const to = after.get(key)!;
    if (to !== successors[from]) {
      moved++;
      movedTo[to] = (movedTo[to] ?? 0) + 1;
    }
  }
  const keys = before.size;
  return { keys, moved, movedShare: keys === 0 ? 0 : moved / keys, movedTo, keptShare: keys === 0 ? 1 : (keys - moved) / keys, successors };
}

/**
 * What is wrong with a ring's spread over `replicas` (empty when nothing is): a replica that holds no key (or less
 * than `minShare` of them), or a key on a replica that is not one of them. Names only the values on the map, so a
 * ring where one name has no points shows up here rather than as a plausible-looking map of the others.
 */
export function ringShareProblems(map: KeyMap, replicas: readonly string[], minShare: number): string[] {
  const byReplica = new Map(shares(map).map((s) => [s.replica, s.share]));
  const problems: string[] = [];
  for (const replica of replicas) {
    const share = byReplica.get(replica) ?? 0;
    if (share < minShare) problems.push(`${replica} holds ${(share * 100).toFixed(1)}% of the keys (at least ${(minShare * 100).toFixed(1)}% expected)`);
  }
  for (const replica of byReplica.keys()) if (!replicas.includes(replica)) problems.push(`${replica} holds keys but is not one of ${replicas.join(', ')}`);
  return problems;
}
