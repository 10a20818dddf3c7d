// Checks that text can't drift from the code: every `make <target> VAR=...` a README, doc, comment or message
// mentions names a target the Makefile defines and variables it reads, and every relative Markdown link
// resolves (the file exists; a #fragment into Markdown names a heading there, by GitHub's slug rules).
// Pure functions over strings, so tests/static/docs.test.ts can run them on the repository and on planted lines.
import GithubSlugger from 'github-slugger';

// ---- the Makefile ---------------------------------------------------------------------------------

/** What a Makefile defines and reads: the targets one can name, and the variables a command line can set. */
export interface MakefileFacts {
  targets: ReadonlySet<string>;
  variables: ReadonlySet<string>;
}

const NAME = '[A-Za-z_][A-Za-z0-9_]*';

/** Rule targets: `name other: prereqs` at the start of a line, not `VAR := value`, not a `$(VAR)` target. */
export function makefileTargets(makefile: string): Set<string> {
  const targets = new Set<string>();
  for (const line of makefile.split('\n')) {
    const m = /^([^\s#:=$][^:=#]*?)\s*::?(?!=)/.exec(line);
    if (!m) continue;
    for (const t of m[1]!.split(/\s+/)) if (t && !t.startsWith('.PHONY')) targets.add(t);
  }
  targets.delete('.PHONY');
  return targets;
}

/**
 * Variables the Makefile reads: `$(VAR)`, `${VAR}`, `$(origin VAR)`-style function arguments, `export VAR`, and
 * `$$VAR` / `$${VAR...}` in recipes (make puts command-line variables in the recipes' environment).
 */
export function makefileVariables(makefile: string): Set<string> {
  const vars = new Set<string>();
  const add = (re: RegExp): void => {
    for (const m of makefile.matchAll(re)) vars.add(m[1]!);
  };
  add(new RegExp(`\\$[({](${NAME})`, 'g'));
  add(new RegExp(`\\$\\((?:origin|flavor|value)\\s+(${NAME})\\)`, 'g'));
  add(new RegExp(`^\\s*export\\s+(${NAME})`, 'gm'));
  add(new RegExp(`\\$\\$\\{?(${NAME})`, 'g'));
  return vars;
}

/** Variables a compose file interpolates: `${VAR}`, `${VAR:-default}`..., not `$${VAR}` (an escaped `$`). */
export function composeVariables(compose: string): Set<string> {
  return new Set([...compose.matchAll(new RegExp(`(?<!\\$)\\$\\{(${NAME})`, 'g'))].map((m) => m[1]!));
}

// ---- finding `make` command lines -----------------------------------------------------------------

/** One `make ...` that a text mentions, as found. */
export interface MakeMention {
  line: number;
  /** the command as written, for the message */
  text: string;
  targets: string[];
  variables: string[];
}

/** A problem found in one file. */
export interface Finding {
  file: string;
  line: number;
  message: string;
}

/** Shell words of one command segment, with quotes removed (`A="x y"` is one word `A=x y`). */
function shellWords(segment: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | null = null;
  let inWord = false;
  for (const ch of segment) {
    if (quote) {
      if (ch === quote) quote = null;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

const ASSIGNMENT = new RegExp(`^(${NAME})=`);
const TARGET = /^[A-Za-z0-9][A-Za-z0-9_.\/-]*$/;
// A placeholder, not a name: `make <target>`, `make ${target}`, `make …`.
const PLACEHOLDER = /[<>$`{}…*|]|\.\.\./;
// make's options that take the next word as their argument when it isn't attached (-j 4, -o file).
const OPTION_WITH_ARGUMENT = /^-[jlIoW]$/;

/**
 * Reads the words after `make`: assignments and targets, until the first word that is neither.
 * Returns null for `make -C dir` / `make -f file`: those name another Makefile, which this check does not read.
 * `strict` (inside code): every target-shaped word is a target. Otherwise (prose, comments) a word that is not a
 * known target ends the command, so "make lb LB=x and run it" stops at "and".
 */
function parseMakeArguments(words: string[], facts: MakefileFacts, strict: boolean): { targets: string[]; variables: string[] } | null {
  const targets: string[] = [];
  const variables: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!.replace(/^\[+/, '').replace(/[\].,;:!?]+$/, '');
    const raw = words[i]!;
    if (/^(-C|-f|--directory|--file|--makefile)(=|$)/.test(word) || /^-[a-zA-Z]*[Cf]/.test(word)) return null;
    if (word.startsWith('-')) {
      if (OPTION_WITH_ARGUMENT.test(word)) i++;
      continue;
    }
    const assignment = ASSIGNMENT.exec(word);
    if (assignment) {
      variables.push(assignment[1]!);
    } else if (PLACEHOLDER.test(word) || word === '') {
      // `make <target>`, `make compare [SCENARIO=...]`'s brackets: skip, and go on with the next word.
    } else if (TARGET.test(word) && (strict || facts.targets.has(word))) {
      targets.push(word);
    } else {
      break;
    }
    // Punctuation after a word ends the command in prose: "make lb LB=x, make scale N=5".
    if (!strict && /[,;:!?)]$/.test(raw)) break;
  }
  return { targets, variables };
}

/** Leading `VAR=value` words of a shell command (its environment), then the command's words. */
function splitEnvironment(words: string[]): { env: string[]; rest: string[] } {
  let i = 0;
  while (i < words.length && ASSIGNMENT.test(words[i]!)) i++;
  return { env: words.slice(0, i).map((w) => ASSIGNMENT.exec(w)![1]!), rest: words.slice(i) };
}

/**
 * `make` commands in shell code (a Markdown code span or a fenced block's line): every command whose name is
 * `make`, after `&&`, `||`, `;`, `|`, `(` or a line start, with the `VAR=` words in front of it (its environment).
 * A `# comment` at the end is read as prose.
 */
export function makeInCode(code: string, line: number, facts: MakefileFacts): MakeMention[] {
  const mentions: MakeMention[] = [];
  const hash = code.search(/(^|\s)#/);
  const commands = hash >= 0 ? code.slice(0, hash) : code;
  for (const segment of commands.split(/&&|\|\||[;|()\n]/)) {
    const { env, rest } = splitEnvironment(shellWords(segment));
    if (rest[0] !== 'make') continue;
    const parsed = parseMakeArguments(rest.slice(1), facts, true);
    if (parsed && (parsed.targets.length > 0 || parsed.variables.length > 0 || env.length > 0)) {
      mentions.push({ line, text: segment.trim(), targets: parsed.targets, variables: [...env, ...parsed.variables] });
    }
  }
  if (hash >= 0) mentions.push(...makeInProse(code.slice(hash), line, facts));
  return mentions;
}

/**
 * `make` commands in prose (a comment, a message, Markdown outside code). English uses the word too ("make sure",
 * "make reads .env", "per make run"), so `make X` counts as a command only when X is a target the Makefile
 * defines, X looks like one of its names (`test-everything`: words joined by hyphens), or a `VAR=` follows it.
 * Then its variables must be read, and a target-shaped X that is not defined is reported.
 */
export function makeInProse(text: string, line: number, facts: MakefileFacts): MakeMention[] {
  const mentions: MakeMention[] = [];
  // `make` as a word: not `cmake`, `make.sh`, `--make`, `remake` (`$(MAKE)` is upper case).
  // Up to the next `make`, so "make up && make loadtest" is two commands; a printf's literal \n ends a word.
  const re = /(?<![\w./-])make[ \t]+((?:(?!(?<![\w./-])make[ \t])[^\n`"'])*)/g;
  for (const m of text.matchAll(re)) {
    const words = m[1]!.replace(/\\n/g, ' ').split(/[ \t]+/).filter(Boolean);
    const first = (words[0] ?? '').replace(/[\].,;:!?)]+$/, '');
    const looksLikeTarget = facts.targets.has(first) || /^[a-z0-9]+(-[a-z0-9]+)+$/.test(first) || ASSIGNMENT.test(words[1] ?? '');
    if (!looksLikeTarget || !TARGET.test(first)) continue;
    const parsed = parseMakeArguments([first, ...words.slice(1)], { ...facts, targets: new Set([...facts.targets, first]) }, false);
    if (!parsed) continue;
    mentions.push({ line, text: `make ${m[1]!.trim()}`.replace(/[),.;:]+$/, "").slice(0, 120), targets: parsed.targets, variables: parsed.variables });
  }
  return mentions;
}

// ---- Markdown -------------------------------------------------------------------------------------

/** A Markdown file split into what is code (fenced blocks, inline code spans) and what is prose, line by line. */
export interface MarkdownPieces {
  code: Array<{ line: number; text: string }>;
  prose: Array<{ line: number; text: string }>;
  headings: string[];
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;

export function splitMarkdown(markdown: string): MarkdownPieces {
  const pieces: MarkdownPieces = { code: [], prose: [], headings: [] };
  let fence: string | null = null;
  markdown.split('\n').forEach((text, i) => {
    const line = i + 1;
    const f = FENCE.exec(text);
    if (fence) {
      if (f && f[1]!.startsWith(fence)) fence = null;
      else pieces.code.push({ line, text });
      return;
    }
    if (f) {
      fence = f[1]!;
      return;
    }
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (heading) pieces.headings.push(heading[1]!);
    // Inline code spans: a run of N backticks up to the next run of exactly N.
    let prose = '';
    let rest = text;
    for (;;) {
      const open = /(`+)/.exec(rest);
      if (!open) break;
      const ticks = open[1]!;
      const after = rest.slice(open.index + ticks.length);
      const close = new RegExp(`(?<!\`)${ticks}(?!\`)`).exec(after);
      if (!close) break;
      prose += rest.slice(0, open.index) + ' ';
      pieces.code.push({ line, text: after.slice(0, close.index).trim() });
      rest = after.slice(close.index + ticks.length);
    }
    pieces.prose.push({ line, text: prose + rest });
  });
  return pieces;
}

/** The anchor GitHub gives each heading: its text as rendered (no `code` ticks, link text only), slugged. */
export function headingAnchors(headings: readonly string[]): Set<string> {
  const slugger = new GithubSlugger();
  return new Set(
    headings.map((h) =>
      slugger.slug(
        h
          .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
          .replace(/`([^`]*)`/g, '$1')
          .replace(/<[^>]+>/g, '')
          .replace(/(\*\*|__|\*|~~)/g, ''),
      ),
    ),
  );
}

/** Link targets in Markdown prose: `[text](target)`, `![alt](target)`, `[label]: target`. */
export function markdownLinks(pieces: MarkdownPieces): Array<{ line: number; target: string }> {
  const links: Array<{ line: number; target: string }> = [];
  for (const { line, text } of pieces.prose) {
    for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ line, target: m[1]! });
    const def = /^\s{0,3}\[[^\]]+\]:\s+<?(\S+?)>?(\s|$)/.exec(text);
    if (def) links.push({ line, target: def[1]! });
  }
  return links;
}

/** Is this link relative (inside the repository), rather than a URL or a mail address? */
export function isRelativeLink(target: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('//');
}

// ---- the checks -----------------------------------------------------------------------------------

/** Files whose text the make check reads (git-tracked): Markdown, scripts (.ci/run too), configs, the Makefile. */
export const MAKE_CHECKED = /(\.md|\.sh|\.js|\.ts|\.cjs|\.mjs|\.ya?ml|(^|\/)Makefile|^\.ci\/run)$/;

/** The `make` mentions of one file: in Markdown, code and prose apart; elsewhere every line is prose. */
export function makeMentions(file: string, content: string, facts: MakefileFacts): MakeMention[] {
  if (!file.endsWith('.md')) {
    return content.split('\n').flatMap((text, i) => makeInProse(text, i + 1, facts));
  }
  const pieces = splitMarkdown(content);
  return [
    ...pieces.code.flatMap(({ line, text }) => makeInCode(text, line, facts)),
    ...pieces.prose.flatMap(({ line, text }) => makeInProse(text, line, facts)),
  ];
}

/** Targets the Makefile does not define, variables it does not read. */
export function checkMakeMentions(file: string, content: string, facts: MakefileFacts): Finding[] {
  const findings: Finding[] = [];
  for (const m of makeMentions(file, content, facts)) {
    for (const t of m.targets) {
      if (!facts.targets.has(t)) findings.push({ file, line: m.line, message: `\`${m.text}\`: the Makefile has no target "${t}"` });
    }
    for (const v of m.variables) {
      if (!facts.variables.has(v)) findings.push({ file, line: m.line, message: `\`${m.text}\`: neither the Makefile nor compose reads ${v}` });
    }
  }
  return findings;
}

/** What the link check needs to know of the repository. */
export interface RepoFiles {
  /** does this repository-relative path name a tracked file or a folder holding one? */
  exists(relPath: string): boolean;
  /** the text of a tracked Markdown file */
  read(relPath: string): string;
}

/** Relative links that don't resolve: a missing file or folder, or a #fragment no heading of the target has. */
export function checkLinks(file: string, content: string, repo: RepoFiles): Finding[] {
  const findings: Finding[] = [];
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  for (const { line, target } of markdownLinks(splitMarkdown(content))) {
    if (!isRelativeLink(target)) continue;
    const [rawPath, fragment] = target.split('#', 2) as [string, string | undefined];
    const pathPart = decodeURIComponent(rawPath.split('?')[0]!);
    const resolved = pathPart === '' ? file : normalise(dir ? `${dir}/${pathPart}` : pathPart);
    if (resolved === null || !repo.exists(resolved)) {
      findings.push({ file, line, message: `link (${target}): ${resolved ?? pathPart} does not exist` });
      continue;
    }
    if (fragment !== undefined && fragment !== '' && resolved.endsWith('.md')) {
      const anchors = headingAnchors(splitMarkdown(repo.read(resolved)).headings);
      if (!anchors.has(decodeURIComponent(fragment))) {
        findings.push({ file, line, message: `link (${target}): ${resolved} has no heading #${fragment}` });
      }
    }
  }
  return findings;
}

/** `a/b/../c/./d` → `a/c/d`; null when it climbs out of the repository. */
function normalise(p: string): string | null {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}
