// Parses the `X-Served-By: <replica>/<worker>/<pid>` header every api response carries (e.g. `api-2/1/57`),
// which is how the runner sees which replica and pm2 worker answered without asking Prometheus.
import type { ServedBy } from './types.js';

export const SERVED_BY_HEADER = 'x-served-by';

/** Returns null for a missing or malformed header rather than throwing: one odd response must not end a run. */
export function parseServedBy(value: string | readonly string[] | undefined): ServedBy | null {
  if (value === undefined) return null;
  const text = typeof value === 'string' ? value : value[0];
  if (text === undefined) return null;
  const parts = text.trim().split('/');
  if (parts.length !== 3) return null;
  const [replica, worker, pidText] = parts as [string, string, string];
  if (replica === '' || worker === '' || !/^\d+$/.test(pidText)) return null;
  return { replica, worker, pid: Number(pidText) };
}

/** Orders `api-2` before `api-10` and worker `2` before `10`. */
export function compareNatural(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
