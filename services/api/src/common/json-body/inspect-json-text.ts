// Checks a raw JSON body *before* JSON.parse sees it: nesting depth and dangerous keys.
//
// - Depth: JSON.parse itself copes with deep nesting, but anything that walks the result recursively
//   (validators, loggers, serializers) can blow the stack on a 100k-deep `[[[[...]]]]`. One linear scan
//   with a counter rejects it without recursion and stops at the first level too deep.
// - Keys `__proto__`, `constructor`, `prototype`: JSON.parse makes them plain own properties, but a later
//   merge/spread/assign into another object can then pollute Object.prototype. Rejecting them anywhere
//   is simpler than proving no code path ever merges. Keys are decoded when they contain escapes, so
//   "\u005f\u005fproto__" is caught too.
// Malformed JSON is left for JSON.parse to report (400 "Malformed JSON body").

export const FORBIDDEN_JSON_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonTextProblem = { kind: 'too_deep'; maxDepth: number } | { kind: 'forbidden_key'; key: string };

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const COLON = 0x3a; // :

function isJsonWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

export function inspectJsonText(text: string, maxDepth: number): JsonTextProblem | undefined {
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      depth++;
      if (depth > maxDepth) return { kind: 'too_deep', maxDepth };
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      depth--;
    } else if (code === QUOTE) {
      const start = i;
      let hasEscape = false;
      i++;
      while (i < length) {
        const c = text.charCodeAt(i);
        if (c === BACKSLASH) {
          hasEscape = true;
          i += 2;
          continue;
        }
        if (c === QUOTE) break;
        i++;
      }
      if (i >= length) return undefined; // unterminated string: malformed, JSON.parse reports it
      const end = i; // index of the closing quote
      let next = end + 1;
      while (next < length && isJsonWhitespace(text.charCodeAt(next))) next++;
      if (text.charCodeAt(next) !== COLON) continue; // a value, not a key
      const key = hasEscape ? decodeJsonString(text.slice(start, end + 1)) : text.slice(start + 1, end);
      if (key !== undefined && FORBIDDEN_JSON_KEYS.has(key)) return { kind: 'forbidden_key', key };
    }
  }
  return undefined;
}

function decodeJsonString(quoted: string): string | undefined {
  try {
    const value: unknown = JSON.parse(quoted);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
