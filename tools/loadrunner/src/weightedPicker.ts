// Picks one request spec per iteration according to its weight (cumulative weights + one Math.random()).

export interface Weighted {
  readonly weight?: number;
}

export function createWeightedPicker<T extends Weighted>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('the request mix is empty: give at least one request');
  const cumulative: number[] = [];
  let total = 0;
  for (const item of items) {
    const weight = item.weight ?? 1;
    if (!Number.isFinite(weight) || weight < 0) throw new Error(`request weight must be a finite number >= 0 (got ${weight})`);
    total += weight;
    cumulative.push(total);
  }
  if (total === 0) throw new Error('all request weights are 0');
  const only = items[0] as T;
  if (items.length === 1) return () => only;
  return () => {
    const r = Math.random() * total;
    for (let i = 0; i < cumulative.length; i++) {
      if (r < (cumulative[i] ?? 0)) return items[i] as T;
    }
    return items[items.length - 1] as T;
  };
}
