// Reads a workshop lab (docs/labs/NN-<topic>.md) into what `make test-labs` runs and checks, so the text an
// attendee reads and the test cannot disagree. Pure: no I/O; tests/labs/ runs the steps, tests/unit/ tests this.
//
// The marks, all fenced blocks (docs/labs/README.md, "How a lab is written", says the same for lab authors):
//   ```sh step      commands the attendee types and the test runs, in order (bash -eu -o pipefail)
//   ```sh manual    commands the attendee types and the test does not run (a swarm, a kind cluster: minutes each)
//   ```sh cleanup   the lab's clean-up; make test-labs tears its one shared stack down once, at the end
//   ```env fast     KEY=value (or KEY="a b") lines: the lab's fast path, set in the environment of its steps by make test-labs
//   ```expect       one check per line on the step just above it (grammar below); `#` starts a comment
//
// Check grammar:
//   output matches /re/            the step's output (stdout + stderr) matches
//   output lacks /re/              ... does not match
//   panel "<title>"                a Grafana panel with this title exists in grafana/dashboards/ (the lab names it)
//   <value> in <lo>..<hi>          a number in a closed range
//   <value> <op> <value>           op: < <= > >= == !=
// where <value> is a number, `output /re/` (the first capture group of the first match, as a number),
// `count /re/` (how many lines of the output match), or `report <kind> <path>`: a field of comparison.json in the
// newest reports/*-<kind>/ written by this step. <path> is dot-separated keys, `[n]` an index, `[key=value]` the
// array element whose key equals value, `[key~text]` the first whose key contains text; `&` joins conditions:
// `[store=redis&workers=2]`. `svg <kind> series` is how many series (`<g class="series">`, one per line drawn)
// the newest reports/*-<kind>/*.svg written by this step holds (`make panel`, tools/panels/).
export type Op = '<' | '<=' | '>' | '>=' | '==' | '!=';

export type Value =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'output'; readonly pattern: RegExp }
  | { readonly kind: 'count'; readonly pattern: RegExp }
  | { readonly kind: 'report'; readonly report: string; readonly path: readonly PathSegment[] }
  | { readonly kind: 'svg'; readonly report: string };

export type PathSegment =
  | { readonly key: string }
  | { readonly index: number }
  | { readonly where: readonly Condition[] };

/** `field=value` (equals) or `field~text` (contains); a selector joins several with `&`. */
export interface Condition {
  readonly field: string;
  readonly op: '=' | '~';
  readonly value: string;
}

export type Check =
  | { readonly kind: 'matches' | 'lacks'; readonly pattern: RegExp; readonly text: string }
  | { readonly kind: 'panel'; readonly title: string; readonly text: string }
  | { readonly kind: 'range'; readonly value: Value; readonly lo: number; readonly hi: number; readonly text: string }
  | { readonly kind: 'compare'; readonly left: Value; readonly op: Op; readonly right: Value; readonly text: string };

export interface Step {
  readonly commands: string;
  /** Line of the opening fence, 1-based. */
  readonly line: number;
  readonly checks: readonly Check[];
}

export interface Lab {
  readonly title: string;
  readonly steps: readonly Step[];
  readonly manual: readonly string[];
  readonly cleanup: readonly string[];
  readonly fast: Readonly<Record<string, string>>;
}

export class LabSyntaxError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
  }
}

interface Fence {
  readonly info: string;
  readonly body: string;
  readonly line: number;
}

function fences(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+|~~~+)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const marker = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.trim().startsWith(marker); j++) body.push(lines[j]!);
    out.push({ info: open[3]!.trim(), body: body.join('\n'), line: i + 1 });
    i = j;
  }
  return out;
}

const regex = (source: string): RegExp => new RegExp(source, 'm');
const OPS: readonly Op[] = ['<=', '>=', '==', '!=', '<', '>'];

export function parsePath(text: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const re = /\[([^\]]*)\]|([^.[\]]+)/g;
  let consumed = '';
  for (let m = re.exec(text); m; m = re.exec(text)) {
    consumed += m[0];
    if (m[2] !== undefined) segments.push({ key: m[2] });
    else if (/^\d+$/.test(m[1]!)) segments.push({ index: Number(m[1]) });
    else {
      const where = m[1]!.split('&').map((part): Condition => {
        const sel = /^([^=~]+)([=~])(.*)$/.exec(part);
        if (!sel) throw new Error(`bad selector [${m![1]}]: use [n], [key=value], [key~text], joined by &`);
        return { field: sel[1]!, op: sel[2] as '=' | '~', value: sel[3]! };
      });
      segments.push({ where });
    }
  }
  if (!segments.length || consumed.replace(/\./g, '') !== text.replace(/\./g, '')) throw new Error(`bad report path "${text}"`);
  return segments;
}

/** One value at the start of `text`; returns it and the rest of the line. */
function parseValue(text: string): [Value, string] {
  const t = text.trimStart();
  let m = /^(-?\d+(?:\.\d+)?)(.*)$/.exec(t);
  if (m) return [{ kind: 'number', value: Number(m[1]) }, m[2]!];
  m = /^(output|count)\s+\/((?:\\.|[^/\\])+)\/(.*)$/.exec(t);
  if (m) return [{ kind: m[1] as 'output' | 'count', pattern: regex(m[2]!) }, m[3]!];
  m = /^svg\s+([\w-]+)\s+series\b(.*)$/.exec(t);
  if (m) return [{ kind: 'svg', report: m[1]! }, m[2]!];
  m = /^report\s+([\w-]+)\s+((?:\[[^\]]*\]|[^\s[\]])+)(.*)$/.exec(t);
  if (m) return [{ kind: 'report', report: m[1]!, path: parsePath(m[2]!) }, m[3]!];
  throw new Error(`expected a value (a number, output /re/, count /re/ report <kind> <path> or svg <kind> series) at "${t}"`);
}

export function parseCheck(line: string): Check {
  const text = line.trim();
  let m = /^output\s+(matches|lacks)\s+\/((?:\\.|[^/\\])+)\/$/.exec(text);
  if (m) return { kind: m[1] as 'matches' | 'lacks', pattern: regex(m[2]!), text };
  m = /^panel\s+"([^"]+)"$/.exec(text);
  if (m) return { kind: 'panel', title: m[1]!, text };
  const [left, rest] = parseValue(text);
  m = /^\s*in\s+(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)\s*$/.exec(rest);
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    if (lo > hi) throw new Error(`empty range ${lo}..${hi}`);
    return { kind: 'range', value: left, lo, hi, text };
  }
  const r = rest.trimStart();
  const op = OPS.find((o) => r.startsWith(o));
  if (!op) throw new Error(`expected "in lo..hi" or one of ${OPS.join(' ')} after the value, got "${r}"`);
  const [right, tail] = parseValue(r.slice(op.length));
  if (tail.trim()) throw new Error(`unexpected "${tail.trim()}" at the end`);
  return { kind: 'compare', left, op, right, text };
}

export function parseLab(file: string, markdown: string): Lab {
  const title = /^#\s+(.+)$/m.exec(markdown)?.[1]?.trim();
  if (!title) throw new LabSyntaxError(file, 1, 'a lab starts with a # title');
  const steps: Step[] = [];
  const manual: string[] = [];
  const cleanup: string[] = [];
  const fast: Record<string, string> = {};
  let checksOpenFor: { commands: string; line: number; checks: Check[] } | null = null;
  for (const f of fences(markdown)) {
    const [lang, mark] = f.info.split(/\s+/);
    if (lang === 'sh' && mark === 'step') {
      checksOpenFor = { commands: f.body, line: f.line, checks: [] };
      steps.push(checksOpenFor);
    } else if (lang === 'sh' && mark === 'manual') manual.push(f.body);
    else if (lang === 'sh' && mark === 'cleanup') cleanup.push(f.body);
    else if (lang === 'env' && mark === 'fast') {
      for (const [i, raw] of f.body.split('\n').entries()) {
        const l = raw.replace(/#.*$/, '').trim();
        if (!l) continue;
        const kv = /^([A-Z][A-Z0-9_]*)=(?:"([^"]*)"|(\S*))$/.exec(l);
        if (!kv) throw new LabSyntaxError(file, f.line + 1 + i, `fast path lines are KEY=value or KEY="a b", got "${l}"`);
        fast[kv[1]!] = kv[2] ?? kv[3]!;
      }
    } else if (lang === 'expect') {
      if (!checksOpenFor) throw new LabSyntaxError(file, f.line, 'an expect block needs a ```sh step block above it');
      for (const [i, raw] of f.body.split('\n').entries()) {
        const l = raw.replace(/\s#\s.*$|^\s*#.*$/, '').trim();
        if (!l) continue;
        try {
          checksOpenFor.checks.push(parseCheck(l));
        } catch (e) {
          throw new LabSyntaxError(file, f.line + 1 + i, (e as Error).message);
        }
      }
    }
  }
  if (!steps.length && !manual.length) throw new LabSyntaxError(file, 1, 'a lab has at least one ```sh step or ```sh manual block');
  return { title, steps, manual, cleanup, fast };
}

/** Follows a report path into parsed JSON; throws with what was there when a segment does not resolve. */
export function resolvePath(json: unknown, path: readonly PathSegment[]): unknown {
  let here: unknown = json;
  for (const seg of path) {
    if ('key' in seg) {
      if (here === null || typeof here !== 'object' || !(seg.key in here)) throw new Error(`no key "${seg.key}" (keys: ${here && typeof here === 'object' ? Object.keys(here).join(', ') : typeof here})`);
      here = (here as Record<string, unknown>)[seg.key];
    } else {
      if (!Array.isArray(here)) throw new Error(`a selector needs an array, found ${typeof here}`);
      if ('index' in seg) here = here[seg.index];
      else {
        const fieldOf = (el: unknown, field: string): string | undefined =>
          el && typeof el === 'object' && field in el ? String((el as Record<string, unknown>)[field]) : undefined;
        const holds = (el: unknown, c: Condition): boolean => {
          const v = fieldOf(el, c.field);
          return v !== undefined && (c.op === '=' ? v === c.value : v.includes(c.value));
        };
        const hit = here.find((el: unknown) => seg.where.every((c) => holds(el, c)));
        if (hit === undefined) {
          const fields = seg.where.map((c) => c.field);
          const have = here.map((el: unknown) => fields.map((f) => fieldOf(el, f) ?? '?').join('&'));
          throw new Error(`no element with ${seg.where.map((c) => `${c.field}${c.op}${c.value}`).join('&')} (have: ${have.join(' | ')})`);
        }
        here = hit;
      }
    }
  }
  return here;
}

export function compareNumbers(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '==': return a === b;
    case '!=': return a !== b;
  }
}

/** A number from the output: the first capture group (or the whole match) of the first match. */
export function numberFromOutput(output: string, pattern: RegExp): number {
  const m = pattern.exec(output);
  if (!m) throw new Error(`the output has no match for ${pattern}`);
  const n = Number((m[1] ?? m[0]).replace(/,/g, ''));
  if (!Number.isFinite(n)) throw new Error(`${pattern} matched "${m[0]}", not a number`);
  return n;
}

export function countLines(output: string, pattern: RegExp): number {
  return output.split('\n').filter((l) => new RegExp(pattern.source).test(l)).length;
}

/** How many series an SVG written by tools/compare/src/timeSeriesChart.ts draws: one `<g class="series">` each. */
export function countSvgSeries(svg: string): number {
  return svg.match(/<g class="series"/g)?.length ?? 0;
}
