// First middleware of every request: request id, X-Served-By, drain tracking, optional access log.
// It runs before the body parser and the router, so 400/413/404 responses carry the headers too.

import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { DrainConnections } from '../lifecycle/drain-connections.js';
import type { Logger } from '../logging/logger.js';

// An incoming X-Request-Id is echoed only if it is short and plain; anything else (header injection
// attempts, 10 KB values that would bloat every log line) is replaced by a fresh UUID.
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by requestContextMiddleware for every request. */
    requestId: string;
  }
}

export function acceptedRequestId(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export interface RequestContextOptions {
  servedBy: string;
  drain: DrainConnections;
  logger: Logger;
}

/**
 * Per-request logs are written at `debug`: under pm2 every stdout line also crosses a pipe into the
 * pm2 daemon, and at `info` that cost more than our 3% throughput budget (bench/api.sh measures it).
 * Errors are always logged (exception filter); set LOG_LEVEL=debug to see every request.
 */
export function requestContextMiddleware(options: RequestContextOptions): RequestHandler {
  const { servedBy, drain, logger } = options;
  return (req: Request, res: Response, next: NextFunction): void => {
    const requestId = acceptedRequestId(req.headers['x-request-id']);
    req.requestId = requestId;
    res.setHeader('X-Served-By', servedBy);
    res.setHeader('X-Request-Id', requestId);
    drain.track(res);
    if (logger.isLevelEnabled('debug')) {
      const start = performance.now();
      res.once('close', () => {
        logger.debug(
          {
            requestId,
            method: req.method,
            url: req.originalUrl,
            status: res.writableFinished ? res.statusCode : 499,
            durationMs: Math.round((performance.now() - start) * 100) / 100,
          },
          'request',
        );
      });
    }
    next();
  };
}
