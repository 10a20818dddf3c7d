// Entry point of one pm2 worker (dist/main.js): reflect-metadata first, then the worker (worker.ts).
// Why two steps: ESM evaluates every static import before the importing module's body, and with code splitting
// esbuild does not keep side-effect imports in order (https://github.com/evanw/esbuild/issues/399), so a chunk of
// decorated classes ran before the polyfill: "TypeError: Reflect.getOwnMetadata is not a function".
import 'reflect-metadata';

await import('./worker.js');
