// A module-resolution hook (node:module register) that posts every URL the ES module loader resolves to the port it
// was given: report-loaded-packages.ts counts what a started app imported. CommonJS require()s inside CommonJS
// packages do not pass here; that script reads require.cache for those.
import type { MessagePort } from 'node:worker_threads';

let port: MessagePort | undefined;

export function initialize(data: { port: MessagePort }): void {
  port = data.port;
}

export async function resolve(
  specifier: string,
  context: unknown,
  nextResolve: (specifier: string, context: unknown) => Promise<{ url: string }>,
): Promise<{ url: string }> {
  const result = await nextResolve(specifier, context);
  port?.postMessage(result.url);
  return result;
}
