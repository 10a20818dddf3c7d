// A secret from a file (a compose secret), shared by the session store, the cookie signing and the websocket store.
// Its own module so that reading a secret loads no store client.
import { readFileSync } from 'node:fs';

/** A secret from a file, without the trailing newline an editor adds. */
export function readSecretFile(path: string): string {
  const value = readFileSync(path, 'utf8').trim();
  if (!value) throw new Error(`${path} is empty`);
  return value;
}
