// Counts and times every request (Express middleware, mounted before the routes).
//
// `route` is the route template Express matched (`/work`), never the raw URL: `/work?n=1` and `/work?n=2`
// are one series, and scanners probing random paths all land in `unmatched` (bounded cardinality).
// A request the client abandoned before we answered is recorded with status 499, nginx's code for it.

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ApiMetrics } from './api-metrics.js';

export const UNMATCHED_ROUTE = 'unmatched';

/**
 * @param knownRoutes the app's route templates. Used when Express did not reach the route (a body-parser
 *   400/413 on /echo happens before routing) so such errors are still labelled `/echo`, not `unmatched`.
 */
export function routeLabel(req: Request, statusCode: number, knownRoutes: ReadonlySet<string>): string {
  const matched: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof matched === 'string') return matched;
  if (statusCode !== 404 && knownRoutes.has(req.path)) return req.path;
  return UNMATCHED_ROUTE;
}

export function httpMetricsMiddleware(metrics: ApiMetrics, knownRoutes: ReadonlySet<string>): RequestHandler {
  const { requestsTotal, requestDuration, requestsInFlight } = metrics;
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = performance.now();
    requestsInFlight.inc();
    res.once('close', () => {
      requestsInFlight.dec();
      const status = res.writableFinished ? res.statusCode : 499;
      const labels = { method: req.method, route: routeLabel(req, status, knownRoutes), status: String(status) };
      requestsTotal.inc(labels);
      requestDuration.observe(labels, (performance.now() - start) / 1000);
    });
    next();
  };
}
