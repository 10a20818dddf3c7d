// The image pins of compose.yaml with their offline stand-ins and support dates, as tools/offline/image-versions.sh
// --table reads them (one parser: that script), and the rule that makes the support table fail on time.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './repo.js';

/** eol: upstream's end of support; successor: the next line's (due) release; review: no upstream date, look again. */
export type SupportKind = 'eol' | 'successor' | 'review';

export interface Pin {
  variable: string; // NGINX_IMAGE
  image: string; // nginx:1.30.8-alpine
  standIn: string; // the offline stand-in's version, or "none"
  line: string; // the release line the date belongs to: "1.30"
  until: string; // YYYY-MM-DD
  kind: SupportKind;
}

/** Parses image-versions.sh --table: one tab-separated pin per line. */
export function parsePinTable(text: string): Pin[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => {
    const [variable = '', image = '', standIn = '', line = '', until = '', kind = ''] = l.split('\t');
    return { variable, image, standIn, line, until, kind: kind as SupportKind };
  });
}

/** compose.yaml's pins (or another compose file's), read by tools/offline/image-versions.sh --table. */
export function readPins(composeFile = path.join(repoRoot, 'compose.yaml')): Pin[] {
  const script = path.join(repoRoot, 'tools/offline/image-versions.sh');
  return parsePinTable(execFileSync(script, ['--table', composeFile], { encoding: 'utf8' }));
}

/** The pinned version of an image reference: "prom/prometheus:v3.13.4" -> "3.13.4". */
export function pinnedVersion(image: string): string {
  return /:v?(\d+\.\d+\.\d+)/.exec(image)?.[1] ?? '';
}

/**
 * What is wrong with the support table on `today` (an ISO date, injected so a test can move the clock):
 * a pin past its date, a date that is no date, or a pin outside the release line its date was written for
 * (a bump to another line must bring that line's date with it). Empty when every pin is inside its support.
 */
export function supportProblems(pins: readonly Pin[], today: string): string[] {
  const problems: string[] = [];
  for (const p of pins) {
    const version = pinnedVersion(p.image);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(p.until) || Number.isNaN(Date.parse(p.until))) {
      problems.push(`${p.variable}: "${p.until}" is not a YYYY-MM-DD date`);
      continue;
    }
    if (version !== p.line && !version.startsWith(`${p.line}.`)) {
      problems.push(`${p.variable}: pins ${version}, but its support date is for the ${p.line} line: write the date of ${version}'s line beside it`);
    }
    if (today > p.until) {
      const what = { eol: 'upstream ended its support', successor: 'its successor was due', review: 'it was due for a look' }[p.kind];
      problems.push(`${p.variable}: ${p.image} is past ${p.until} (${p.kind}: ${what}); bump it and write the new line's date beside it in compose.yaml`);
    }
  }
  return problems;
}
