// Strategy lists written in prose and comments ("round_robin | least_conn | ip_hash | ..."): each one must name
// every strategy, because the list itself lives in nginx/strategies/ and a copy that misses one (hash_consistent
// was missed in three) tells a reader it does not exist. tests/static/lists.test.ts runs this over tracked text.

/** A run of strategy names that reads as a list, found on one line, and the names it lacks. */
export interface IncompleteList {
  line: number;
  text: string;
  missing: string[];
}

// Between two names of a list: spaces, commas, bars, slashes, semicolons, backticks, <br/>, "or", "and".
const SEPARATOR = /^(?:[\s,|/;`]|<br\/>|\bor\b|\band\b)*$/;
// Four names in a row is a list; fewer is a sentence comparing some of them ("round_robin and least_conn").
const LIST_MIN = 4;

/** Every line of `text` holding a list of at least four strategy names that misses one of `names`. */
export function incompleteStrategyLists(text: string, names: readonly string[]): IncompleteList[] {
  // Longest names first, so `hash_consistent` is not read as `hash`.
  const alternation = [...names].sort((a, b) => b.length - a.length).join('|');
  const nameRe = new RegExp(`(?<![\\w-])(?:${alternation})(?![\\w-])`, 'g');
  const found: IncompleteList[] = [];
  text.split('\n').forEach((lineText, i) => {
    let run: string[] = [];
    let end = 0;
    const close = (): void => {
      if (run.length >= LIST_MIN) {
        const missing = names.filter((n) => !run.includes(n));
        if (missing.length > 0) found.push({ line: i + 1, text: lineText.trim(), missing });
      }
      run = [];
    };
    for (const m of lineText.matchAll(nameRe)) {
      if (run.length > 0 && !SEPARATOR.test(lineText.slice(end, m.index))) close();
      run.push(m[0]);
      end = m.index + m[0].length;
    }
    close();
  });
  return found;
}
