// How evenly load was spread. Jain's index is the usual single number for it
// (R. Jain, D. Chiu, W. Hawe, "A Quantitative Measure of Fairness...", DEC-TR-301, 1984):
// J = (Σx)² / (n·Σx²), 1 when every x is equal, 1/n when one of n gets everything.

/** Jain's fairness index of non-negative counts; null for an empty list or all zeros. */
export function jainFairnessIndex(counts: readonly number[]): number | null {
  let sum = 0;
  let sumOfSquares = 0;
  for (const x of counts) {
    sum += x;
    sumOfSquares += x * x;
  }
  if (counts.length === 0 || sumOfSquares === 0) return null;
  return (sum * sum) / (counts.length * sumOfSquares);
}

/** max/min of the counts; Infinity when the smallest is 0, null for an empty list. */
export function maxMinRatio(counts: readonly number[]): number | null {
  if (counts.length === 0) return null;
  const max = Math.max(...counts);
  const min = Math.min(...counts);
  if (min === 0) return max === 0 ? null : Infinity;
  return max / min;
}

/** Each count divided by the total (all 0 when the total is 0). */
export function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((x) => (total === 0 ? 0 : x / total));
}
