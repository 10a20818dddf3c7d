// The safety rule of this tool: load goes to loopback only. This workplace forbids sending load to any other
// address, and a load generator pointed at the wrong URL is a denial-of-service tool. So the check is not a flag:
// every run, health check and CLI invocation goes through resolveLoopbackTarget().
import { isIPv4, isIPv6 } from 'node:net';

export class NonLoopbackTargetError extends Error {
  override readonly name = 'NonLoopbackTargetError';
}

/** Where to connect, after the check. `connectHost` is always a loopback IP literal, never a name to resolve. */
export interface LoopbackTarget {
  readonly connectHost: string;
  readonly port: number;
  /** Value for the Host header, as the user wrote it (e.g. `localhost:8080`). */
  readonly hostHeader: string;
  /** Path of the base URL without a trailing slash ('' for none); prefixed to every request path. */
  readonly pathPrefix: string;
  /** Normalized base URL without a trailing slash, for reports. */
  readonly baseUrl: string;
}

export function isLoopbackIPv4(address: string): boolean {
  return isIPv4(address) && address.split('.')[0] === '127';
}

export function isLoopbackAddress(address: string): boolean {
  if (isLoopbackIPv4(address)) return true;
  if (!isIPv6(address)) return false;
  const lower = address.toLowerCase();
  if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
  // IPv4-mapped loopback, e.g. ::ffff:127.0.0.1 (the URL parser may rewrite it to ::ffff:7f00:1).
  const mapped = /^::ffff:(.+)$/.exec(lower);
  if (mapped?.[1] !== undefined) {
    const tail = mapped[1];
    if (isLoopbackIPv4(tail)) return true;
    const hex = /^([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(tail);
    if (hex?.[1] !== undefined) return parseInt(hex[1], 16) >> 8 === 127;
  }
  return false;
}

/**
 * Accepts `http://127.x.y.z[:port]`, `http://[::1][:port]` and `http://localhost[:port]`; throws otherwise.
 * `localhost` is mapped to 127.0.0.1 here rather than resolved, so an /etc/hosts entry cannot redirect the load.
 */
export function resolveLoopbackTarget(baseUrl: string): LoopbackTarget {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new NonLoopbackTargetError(`base URL ${JSON.stringify(baseUrl)} is not a URL (expected e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:') {
    throw new NonLoopbackTargetError(`base URL ${baseUrl}: only plain http:// is supported (got ${url.protocol})`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new NonLoopbackTargetError(`base URL ${baseUrl}: credentials in the URL are not supported`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let connectHost: string;
  if (host.toLowerCase() === 'localhost' || host.toLowerCase() === 'localhost.') {
    connectHost = '127.0.0.1';
  } else if (isLoopbackAddress(host)) {
    connectHost = host;
  } else {
    throw new NonLoopbackTargetError(
      `refusing to send load to ${url.host}: only loopback targets are allowed (127.0.0.0/8, ::1, localhost). ` +
        'This tool drives the local stack only; see loadrunner/README.md#safety.',
    );
  }
  const port = url.port === '' ? 80 : Number(url.port);
  const pathPrefix = url.pathname.replace(/\/+$/, '');
  return { connectHost, port, hostHeader: url.host, pathPrefix, baseUrl: `${url.protocol}//${url.host}${pathPrefix}` };
}
