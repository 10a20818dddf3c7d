// Parses a bounded, non-negative integer query parameter (`/work?n=`, `/io?ms=`, `/chaos/leak?mb=`).
// Strict on purpose: "1e9", "12abc", "-1", "1.5" and repeated parameters (`?n=1&n=2` arrives as an
// array) are rejected instead of being coerced by Number() or parseInt() into something unintended.

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

export interface BoundedIntOptions {
  name: string;
  defaultValue: number;
  min?: number;
  max: number;
}

// 16 digits are more than any bound we use and keep the string short before Number() sees it.
const NON_NEGATIVE_INT = /^\d{1,16}$/;

export function parseBoundedInt(raw: unknown, options: BoundedIntOptions): ParseResult<number> {
  const { name, defaultValue, min = 0, max } = options;
  if (raw === undefined) return { ok: true, value: defaultValue };
  if (typeof raw !== 'string' || !NON_NEGATIVE_INT.test(raw)) {
    return { ok: false, message: `${name} must be a non-negative integer` };
  }
  const value = Number(raw);
  if (value < min || value > max) return { ok: false, message: `${name} must be between ${min} and ${max}` };
  return { ok: true, value };
}
