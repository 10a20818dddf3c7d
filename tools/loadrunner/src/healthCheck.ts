// The k6 scripts' setup() checks BASE_URL/healthz before sending load and stops with a clear message if the stack
// is not up; this is the same check for the Node runner.
import http from 'node:http';
import { resolveLoopbackTarget } from './loopbackTarget.js';
import { USER_AGENT } from './runLoad.js';

export interface HealthCheckResult {
  readonly ok: boolean;
  readonly url: string;
  /** e.g. "200", "503", "ECONNREFUSED", "timed out after 5000 ms". */
  readonly detail: string;
}

/** GET <baseUrl>/healthz once, without keep-alive; ok means a 2xx within `timeoutMs`. */
export function checkHealthz(baseUrl: string, timeoutMs = 5000): Promise<HealthCheckResult> {
  const target = resolveLoopbackTarget(baseUrl);
  const url = `${target.baseUrl}/healthz`;
  return new Promise((resolve) => {
    const req = http.get(
      {
        host: target.connectHost,
        port: target.port,
        path: `${target.pathPrefix}/healthz`,
        headers: { host: target.hostHeader, 'user-agent': USER_AGENT },
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve({ ok: status >= 200 && status < 300, url, detail: String(status) });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: `timed out after ${timeoutMs} ms` })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, url, detail: err.code ?? err.message }));
  });
}
