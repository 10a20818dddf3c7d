// Bundles the tsc output (build/tsc/) into the two files the runtime needs:
//   dist/main.js           the app: our code plus Nest, Express, prom-client, pino (ESM)
//   dist/cgroup-limits.cjs the worker-count/memory logic, for ecosystem.config.cjs (CommonJS)
//
// Why bundle: Node resolves, reads and links every ESM file separately, and Nest alone is ~600 of them.
// One file starts a worker several times faster and with less memory (bench/api.sh (c), (d)), and the
// image needs only pm2 in node_modules. tsc still compiles first: esbuild cannot emit the decorator
// metadata Nest's dependency injection reads (emitDecoratorMetadata).
import { build } from 'esbuild';

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

await build({
  ...common,
  entryPoints: ['build/tsc/main.js'],
  outfile: 'dist/main.js',
  format: 'esm',
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

await build({
  ...common,
  entryPoints: ['build/tsc/runtime-limits/cgroup-limits.js'],
  outfile: 'dist/cgroup-limits.cjs',
  format: 'cjs',
});
