// Run in a child process by feature-imports.test.ts, with the app's environment: starts the real app (createApi, as
// in-process-api.ts does), answers one request, and prints the npm packages the process loaded, as a JSON array.
// ES modules are seen by a resolve hook registered before the app is imported, CommonJS ones in require.cache.
import { createRequire, register } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const urls = new Set<string>();
port1.on('message', (url: string) => urls.add(url));
register('./record-resolve-hook.js', { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });

const { startTestApi } = await import('./in-process-api.js');
const t = await startTestApi(process.env);
const res = await fetch(`http://127.0.0.1:${t.port}/whoami`);
if (res.status !== 200) throw new Error(`GET /whoami: ${res.status}`);
await sleep(200); // the hook's last messages
const files = [...urls, ...Object.keys(createRequire(import.meta.url).cache)];
const packages = new Set<string>();
for (const file of files) {
  const m = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
  if (m) packages.add(m[1]!);
}
console.log(JSON.stringify([...packages].sort()));
process.exit(0); // a store client would keep retrying a store that is not there
