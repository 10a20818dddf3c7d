// The bundle keeps the switched-off features out of what a worker reads at start (issue 24): everything dist/main.js
// imports statically, chunk after chunk, holds no socket.io, no express-session and no store client; they sit in
// chunks only a dynamic import() reaches (app.module.ts, create-api.ts). Reads esbuild's metafile, which
// `npm run build` (scripts/bundle.mjs) writes to build/bundle-meta.json. What the process really loads at run time:
// test/integration/feature-imports.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

interface Metafile {
  outputs: Record<string, { imports: Array<{ path: string; kind: string }>; inputs: Record<string, unknown> }>;
}

const meta = JSON.parse(readFileSync(fileURLToPath(new URL('../../bundle-meta.json', import.meta.url)), 'utf8')) as Metafile;
const FEATURE_PACKAGES = ['socket.io', 'engine.io', '@nestjs/platform-socket.io', '@socket.io/redis-streams-adapter', 'express-session', 'connect-redis', 'redis', '@redis/client'];

/** The npm packages whose code is in `outputs`. */
function packagesIn(outputs: Iterable<string>): Set<string> {
  const found = new Set<string>();
  for (const output of outputs) {
    for (const input of Object.keys(meta.outputs[output]!.inputs)) {
      const m = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m) found.add(m[1]!);
    }
  }
  return found;
}

/** What every worker reads at start: dist/main.js, the worker it always imports (main.ts loads reflect-metadata
 * first, then imports worker.ts), and every output those reach through static imports. */
function staticClosure(entry: string): Set<string> {
  const always = meta.outputs[entry]!.imports.filter((imp) => imp.kind === 'dynamic-import').map((imp) => imp.path);
  assert.equal(always.length, 1, `${entry} imports exactly one module dynamically, the worker: ${always.join(' ')}`);
  const seen = new Set<string>([entry, ...always]);
  for (const output of seen) {
    for (const imp of meta.outputs[output]!.imports) if (imp.kind === 'import-statement' && meta.outputs[imp.path]) seen.add(imp.path);
  }
  return seen;
}

it('dist/main.js statically reaches none of the optional features\' packages; the dynamic chunks hold them all', () => {
  const atStart = packagesIn(staticClosure('dist/main.js'));
  assert.ok(atStart.has('@nestjs/core') && atStart.has('express'), `the start closure must hold the app itself: ${[...atStart].join(' ')}`);
  assert.deepEqual(FEATURE_PACKAGES.filter((p) => atStart.has(p)), [], 'loaded by every worker, whatever its features');
  // Negative control: the packages are in the bundle, so the check above looks at the right names.
  const everywhere = packagesIn(Object.keys(meta.outputs));
  assert.deepEqual(FEATURE_PACKAGES.filter((p) => !everywhere.has(p)), []);
});
