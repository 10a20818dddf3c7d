// Append-only Float64 storage for latency samples. Keeping every sample costs 8 bytes each (1 M requests = 8 MB)
// and gives exact percentiles; appending is a typed-array store, which keeps the hot path cheap.

/** Past this many samples the buffer stops growing and counts the overflow instead (≈ 160 MB at 8 bytes). */
export const MAX_SAMPLES = 20_000_000;

export class SampleBuffer {
  private values = new Float64Array(1024);
  private size = 0;
  /** Samples not stored because MAX_SAMPLES was reached. */
  dropped = 0;

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    if (this.size === this.values.length) {
      if (this.size >= MAX_SAMPLES) {
        this.dropped++;
        return;
      }
      const grown = new Float64Array(Math.min(this.values.length * 2, MAX_SAMPLES));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = value;
  }

  /** Sorted copy of samples [start, end). The buffer itself stays in arrival order (the time series needs it). */
  sortedCopy(start = 0, end = this.size): Float64Array {
    return this.values.slice(start, end).sort();
  }
}
