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
