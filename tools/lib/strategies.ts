// The nginx strategies: the files in nginx/strategies/, listed by tools/make/strategies.sh (round_robin first),
// the one list the Makefile's help, `make lb`, `make compare` and this code share.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './repo.js';

let cached: readonly string[] | undefined;

/** Every strategy name, round_robin (nginx's default) first. */
export function strategyNames(): readonly string[] {
  cached ??= execFileSync(path.join(repoRoot, 'tools/make/strategies.sh'), { encoding: 'utf8' }).split('\n').filter(Boolean);
  return cached;
}
