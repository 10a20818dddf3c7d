// docs/sources.md says, per system of the source posts, where it lives and whether it is built. These checks keep
// its status column true (tests/static/sources.test.ts): a "done" row names a test file that exists, a "planned"
// row names nothing that exists already, and "planned" is said only in the status column.

export const STATUSES = ['done', 'partly', 'planned', 'out of scope'] as const;

export interface SourcesRow {
  line: number;
  cells: string[];
  status: string;
}

/** What the checks need to know about the repository. */
export interface RepoFacts {
  exists: (repoPath: string) => boolean;
  makeTargets: ReadonlySet<string>;
}

/** The table's body rows (after the header and its --- line), status = the last cell. */
export function sourcesRows(markdown: string): SourcesRow[] {
  const rows: SourcesRow[] = [];
  let inTable = false;
  markdown.split('\n').forEach((text, i) => {
    if (!text.startsWith('|')) { inTable = false; return; }
    const cells = text.slice(1, text.trimEnd().endsWith('|') ? text.trimEnd().length - 1 : undefined).split('|').map((c) => c.trim());
    if (cells.every((c) => /^-+$/.test(c))) { inTable = true; return; }
    if (inTable) rows.push({ line: i + 1, cells, status: cells[cells.length - 1]! });
  });
  return rows;
}

// A test file: a backticked repository path ending in .test.ts.
const TEST_FILE = /`([\w./-]+\.test\.ts)`/g;
// A path someone could open: backticked, with a slash, no spaces.
const PATH = /`([\w.-]+\/[\w./-]*)`/g;
const MAKE_TARGET = /`make ([a-z0-9-]+)/g;

/** Every way the table's statuses disagree with the repository, one message per problem. */
export function checkSources(markdown: string, repo: RepoFacts): string[] {
  const problems: string[] = [];
  const rows = sourcesRows(markdown);
  if (rows.length === 0) problems.push('no table rows found');
  for (const { line, cells, status } of rows) {
    const at = `docs/sources.md:${line}`;
    if (!(STATUSES as readonly string[]).includes(status)) problems.push(`${at}: status "${status}" is not one of ${STATUSES.join(', ')}`);
    const body = cells.slice(0, -1).join(' | ');
    if (/\bplanned\b/i.test(body)) problems.push(`${at}: "planned" outside the status column: give it a row of its own`);
    if (status === 'done') {
      const tests = [...body.matchAll(TEST_FILE)].map((m) => m[1]!);
      if (tests.length === 0) problems.push(`${at}: a done row names no test file`);
      for (const t of tests) if (!repo.exists(t)) problems.push(`${at}: names ${t}, which does not exist`);
    }
    if (status === 'planned') {
      const built = [
        ...[...body.matchAll(PATH)].map((m) => m[1]!).filter((p) => repo.exists(p.replace(/\/$/, ''))),
        ...[...body.matchAll(MAKE_TARGET)].map((m) => m[1]!).filter((t) => repo.makeTargets.has(t)).map((t) => `make ${t}`),
      ];
      if (built.length > 0) problems.push(`${at}: planned, but ${built.join(', ')} exists: say what is built and how it is tested`);
    }
  }
  return problems;
}
