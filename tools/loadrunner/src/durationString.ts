// k6-style duration strings ("30s", "1m30s", "500ms", "1h") so the CLI takes the same values as `k6 run --duration`.

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "1m30s" / "500ms" / "2.5s" / "30" (bare number = seconds, as k6 accepts) into milliseconds. */
export function parseDurationMs(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(trimmed); match !== null; match = part.exec(trimmed)) {
    const [whole, value, unit] = match;
    total += Number(value) * (UNIT_MS[unit ?? ''] ?? NaN);
    consumed += whole.length;
  }
  if (consumed === 0 || consumed !== trimmed.length || !Number.isFinite(total)) {
    throw new Error(`invalid duration ${JSON.stringify(text)} (expected e.g. 30s, 1m30s, 500ms)`);
  }
  return total;
}
