// Node module customization hooks that load a k6 script the way k6 does: as an ES module whose `k6`, `k6/http`,
// `k6/execution` and `k6/metrics` imports are k6's own modules (here the small fakes in ./k6fake/), and where an
// import from the network is an error (k6 would download it; this repo's scripts must not need to).
// Registered by k6Harness.ts. Every module of one load carries the load's `?k6load=N` query, so each load gets
// fresh module instances and reads its own __ENV, as a new k6 run would.
// https://nodejs.org/api/module.html#customization-hooks
const FAKES: Readonly<Record<string, string>> = {
  k6: 'k6.js',
  'k6/http': 'http.js',
  'k6/execution': 'execution.js',
  'k6/metrics': 'metrics.js',
};

interface ResolveContext {
  readonly parentURL?: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;

function loadQuery(parentURL: string | undefined): string {
  if (parentURL === undefined) return '';
  const query = new URL(parentURL).searchParams.get('k6load');
  return query === null ? '' : `?k6load=${query}`;
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<{ url: string; shortCircuit?: boolean }> {
  if (/^https?:\/\//.test(specifier)) {
    throw new Error(`network import refused: ${specifier} (imported by ${context.parentURL ?? '?'}); k6 scripts must not depend on an outside host`);
  }
  const fake = FAKES[specifier];
  const query = loadQuery(context.parentURL);
  if (fake !== undefined) return { url: new URL(`./k6fake/${fake}${query}`, import.meta.url).href, shortCircuit: true };
  if (specifier.startsWith('k6/')) throw new Error(`k6 module ${specifier} has no fake in tests/lib/k6fake/ (imported by ${context.parentURL ?? '?'})`);
  const resolved = await nextResolve(specifier, context);
  // Relative imports inside k6/ (the scripts' ../lib/*.js) belong to the same load.
  if (query !== '' && resolved.url.startsWith('file:') && resolved.url.includes('/k6/')) return { url: `${resolved.url.replace(/\?.*$/, '')}${query}` };
  return resolved;
}
