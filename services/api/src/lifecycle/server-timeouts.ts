// HTTP server timeouts, defined in this one place.
//
// The 502 race: nginx keeps idle upstream connections open for `keepalive_timeout` (60 s here,
// https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive_timeout). If Node closes an
// idle keep-alive socket first (Node's default keepAliveTimeout is only 5 s), nginx can send a request
// on a socket Node is closing at that very moment; nginx then gets a reset and answers the client 502.
// So the upstream (Node) must keep idle sockets open longer than the proxy does: 65 s > 60 s, and only
// nginx ever closes them.
//
// headersTimeout must exceed keepAliveTimeout: older Node versions measured it from the moment the
// socket went idle, so a lower value cut off keep-alive sockets early (it is checked in
// loadApiConfig). requestTimeout bounds how long a client may take to send one whole request (slowloris
// defence) and must not be below headersTimeout.
// https://nodejs.org/api/http.html#serverkeepalivetimeout
// https://nodejs.org/api/http.html#serverheaderstimeout
// https://nodejs.org/api/http.html#serverrequesttimeout

import type { Server } from 'node:http';

export interface ServerTimeouts {
  keepAliveTimeoutMs: number;
  headersTimeoutMs: number;
}

/** Applies the timeouts to a server and returns what was set. */
export function applyServerTimeouts(server: Server, timeouts: ServerTimeouts): { keepAliveTimeout: number; headersTimeout: number; requestTimeout: number } {
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = Math.max(timeouts.headersTimeoutMs, 70_000);
  return { keepAliveTimeout: server.keepAliveTimeout, headersTimeout: server.headersTimeout, requestTimeout: server.requestTimeout };
}
