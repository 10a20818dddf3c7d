// express-session for the session routes only (SessionModule applies it to SessionController): no other route reads
// or writes the store, so a store outage cannot touch them.
// https://github.com/expressjs/session#options

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { sendHttpError } from '../common/http-error-body.js';
import type { SessionConfig } from '../config/api-config.js';
import type { Logger } from '../logging/logger.js';

/** The session cookie's name. Not express-session's default `connect.sid`, which tells a scanner what runs here. */
export const SESSION_COOKIE = 'scaleout.sid';

declare module 'express-session' {
  interface SessionData {
    visits?: number;
  }
}

export function sessionMiddleware(config: SessionConfig, store: session.Store, secret: string, logger: Logger): RequestHandler {
  const handler = session({
    name: SESSION_COOKIE,
    // Signs the cookie (HMAC): a tampered or forged id fails the check and the client simply gets a fresh session.
    secret,
    store,
    // Write only sessions that hold something, and only when they changed: load tests then don't fill the store
    // with empty sessions, and an unchanged session costs a TTL refresh (touch), not a rewrite.
    saveUninitialized: false,
    resave: false,
    cookie: {
      // Not readable from page scripts (XSS cannot steal the session).
      httpOnly: true,
      // Sent on top-level navigation from other sites, never on their cross-site subrequests (CSRF).
      sameSite: 'lax',
      // `Secure` exactly when the request reached the edge over HTTPS: express-session reads req.secure, which with
      // Express' `trust proxy` (create-api.ts) follows nginx's X-Forwarded-Proto. Over plain HTTP (this stack on
      // 127.0.0.1) a Secure cookie would never come back, so 'auto' rather than true.
      secure: 'auto',
      // The session's lifetime; the store's TTL is the same number (session-store.ts).
      maxAge: config.ttlSeconds * 1000,
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    handler(req, res, (err?: unknown) => {
      if (!err) {
        next();
        return;
      }
      // The store did not answer (down, paused, or too slow): a clear 503, never a hanging request.
      logger.warn({ requestId: req.requestId, err }, 'session store unavailable');
      res.setHeader('Retry-After', '1');
      sendHttpError(res, 503, 'Session store unavailable, try again shortly.', req.requestId);
    });
  };
}
