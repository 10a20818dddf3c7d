// Bundles the tsc output (build/tsc/) into what the runtime needs:
//   dist/main.js           the app: our code plus Nest, Express, prom-client, pino (ESM)
//   dist/chunks/*.js       what main.js imports only when a feature is on (websockets, sessions, their store clients),
//                          split out so that a feature switched off is never even read (app.module.ts, create-api.ts)
//   dist/cgroup-limits.cjs the worker-count/memory logic, for ecosystem.config.cjs (CommonJS)
// build/bundle-meta.json: esbuild's metafile, which test/unit/bundle-split.test.ts reads (not shipped).
//
// Why bundle: Node resolves, reads and links every ESM file separately, and Nest alone is ~600 of them.
// A few files start a worker several times faster and with less memory (bench/api.sh (c), (d)), and the
// image needs only pm2 in node_modules. tsc still compiles first: esbuild cannot emit the decorator
// metadata Nest's dependency injection reads (emitDecoratorMetadata).
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  // esbuild renames clashing identifiers (HealthController -> HealthController2); keep the real
  // `.name`, which Nest prints in its logs and error messages.
  keepNames: true,
};

rmSync('dist', { recursive: true, force: true });
const app = await build({
  ...common,
  entryPoints: ['build/tsc/main.js'],
  outdir: 'dist',
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  // No comments or indentation: V8 keeps every module's source in each worker's heap (4 MB instead of 6 MB), and a
  // single non-ASCII character in a kept comment made the whole source a two-byte string, twice its size (12 MB):
  // `make bench-memory`. Not the other minifications: names stay readable (keepNames) in stack traces, and esbuild's
  // minified module wrappers, parenthesised arrows, are compiled eagerly by V8 and measured 7 MiB more per worker.
  minifyWhitespace: true,
  // Express, prom-client and pino are CommonJS and call require() for Node built-ins; in an ESM bundle
  // that needs a real `require` (https://github.com/evanw/esbuild/issues/1921).
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      "import { dirname as __pathDirname } from 'node:path';",
      'const require = __createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
      'const __dirname = __pathDirname(__filename);',
    ].join('\n'),
  },
  // Optional packages this app does not use, loaded lazily (or inside try/catch) only by the features that need
  // them: Nest's microservices and class-validator's ValidationPipe; ws's native speed-ups (bufferutil,
  // utf-8-validate: ws falls back to JavaScript without them).
  external: [
    '@nestjs/microservices',
    '@nestjs/microservices/*',
    'class-validator',
    'class-transformer',
    'bufferutil',
    'utf-8-validate',
  ],
});
writeFileSync('build/bundle-meta.json', JSON.stringify(app.metafile));
// esbuild escapes non-ASCII in code (charset ascii, its default); anything left would double the source's memory.
for (const file of Object.keys(app.metafile.outputs)) {
  const text = readFileSync(file, 'latin1');
  const at = text.search(/[^\x00-\x7f]/);
  if (at >= 0) throw new Error(`${file}: non-ASCII at ${at} (${JSON.stringify(text.slice(at - 40, at + 10))}): V8 would keep it as a two-byte string`);
}

await build({
  ...common,
  entryPoints: ['build/tsc/runtime-limits/cgroup-limits.js'],
  outfile: 'dist/cgroup-limits.cjs',
  format: 'cjs',
});
