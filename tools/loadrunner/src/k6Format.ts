// Number formatting copied in behaviour (not code) from k6's end-of-test summary (k6 jslib summary.js), so a reader
// can put this runner's summary next to a `k6 run` summary and compare the same strings.

/** k6 toFixedNoTrailingZeros: 1.50 -> "1.5", 2.00 -> "2". */
export function toFixedNoTrailingZeros(value: number, precision: number): string {
  return String(parseFloat(value.toFixed(precision)));
}

/** Same, but truncating instead of rounding (k6 does this for durations). */
export function toFixedNoTrailingZerosTrunc(value: number, precision: number): string {
  const mult = 10 ** precision;
  return toFixedNoTrailingZeros(Math.trunc(mult * value) / mult, precision);
}

/** Milliseconds -> "0s", "870ns", "520.57µs", "148.21ms", "3.18s", "1m30s", "1h2m3s" (k6 humanizeGenericDuration). */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 0.001) return `${Math.trunc(ms * 1_000_000)}ns`;
  if (ms < 1) return `${toFixedNoTrailingZerosTrunc(ms * 1000, 2)}µs`;
  if (ms < 1000) return `${toFixedNoTrailingZerosTrunc(ms, 2)}ms`;
  let result = `${toFixedNoTrailingZerosTrunc((ms % 60_000) / 1000, ms > 60_000 ? 0 : 2)}s`;
  let rest = Math.trunc(ms / 60_000);
  if (rest < 1) return result;
  result = `${rest % 60}m${result}`;
  rest = Math.trunc(rest / 60);
  if (rest < 1) return result;
  return `${rest}h${result}`;
}

/** Bytes -> "9 B", "26 kB", "1.8 MB" (decimal units, like k6 humanizeBytes). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  if (bytes < 10) return `${bytes} B`;
  const exponent = Math.min(Math.floor(Math.log(bytes) / Math.log(1000)), units.length - 1);
  const value = Math.floor((bytes / 1000 ** exponent) * 10 + 0.5) / 10;
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[exponent] ?? 'B'}`;
}

/** A 0..1 rate as k6 prints it: truncated to 2 decimals, "0.00%". */
export function formatRatePercent(rate: number): string {
  return `${(Math.trunc(rate * 100 * 100) / 100).toFixed(2)}%`;
}

/** Counter values and per-second rates: up to 6 decimals without trailing zeros ("6.561032"). */
export function formatCount(value: number): string {
  return toFixedNoTrailingZeros(value, 6);
}

/** "0m30.0s" as in k6's `running (0m30.0s), ...` line. */
export function formatRunningTime(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  return `${minutes}m${rest.toFixed(1).padStart(4, '0')}s`;
}
