// Where the repository is, whether this code runs from its sources or from tools/build/: the nearest folder
// up from here that holds both compose.yaml and the Makefile.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'compose.yaml')) && existsSync(path.join(dir, 'Makefile'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root (compose.yaml + Makefile) above ${start}`);
  }
}

export const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
