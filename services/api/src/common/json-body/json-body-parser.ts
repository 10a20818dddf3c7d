// The JSON body parser and its error handler, mounted by us instead of Nest.
//
// Nest's built-in parser (bodyParser: true) runs as plain Express middleware: its errors (malformed
// JSON, body too large) never reach Nest's exception filters and come out as Express's HTML error page.
// So the app is created with { bodyParser: false }, and we mount express.json() followed by a 4-argument
// Express error middleware that keeps the parser's status (400/413/415) and answers in our JSON shape.

import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Logger } from '../../logging/logger.js';
import { sendHttpError } from '../http-error-body.js';
import { inspectJsonText } from './inspect-json-text.js';

export const MAX_JSON_DEPTH = 32;

/** Media types parsed as JSON; anything else leaves req.body undefined (then 415 on /echo). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

class JsonBodyRejected extends Error {
  // body-parser passes a verify() error on with `err.status` (403 when missing), so set 400 explicitly.
  readonly status = 400;
  readonly type = 'entity.verify.failed';
}

export function jsonBodyParser(limitBytes: number): RequestHandler {
  return express.json({
    limit: limitBytes,
    strict: true, // only objects and arrays at the top level
    type: JSON_MEDIA_TYPES,
    // verify() sees the raw bytes before JSON.parse: reject deep nesting and prototype keys early.
    verify: (_req, _res, buf) => {
      const problem = inspectJsonText(buf.toString('utf8'), MAX_JSON_DEPTH);
      if (problem?.kind === 'too_deep') throw new JsonBodyRejected(`JSON nesting deeper than ${problem.maxDepth} levels`);
      if (problem?.kind === 'forbidden_key') throw new JsonBodyRejected(`JSON key "${problem.key}" is not allowed`);
    },
  });
}

interface BodyParserError {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  expose?: unknown;
  message?: unknown;
}

/** Message for a body-parser error type; body-parser's own messages are fine but not always clear. */
function messageFor(error: BodyParserError, limitBytes: number): string {
  switch (error.type) {
    case 'entity.parse.failed':
      return 'Malformed JSON body';
    case 'entity.too.large':
      return `Request body larger than ${limitBytes} bytes`;
    case 'entity.verify.failed':
      return String(error.message);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return String(error.message);
    default:
      return error.expose === true && typeof error.message === 'string' ? error.message : 'Bad Request';
  }
}

export function jsonBodyErrorHandler(limitBytes: number, logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    const candidate = (typeof error === 'object' && error !== null ? error : {}) as BodyParserError;
    const status = Number(candidate.status ?? candidate.statusCode);
    const isBodyError = typeof candidate.type === 'string' && Number.isInteger(status) && status >= 400 && status < 500;
    if (!isBodyError) {
      next(error);
      return;
    }
    logger.debug({ requestId: req.requestId, status, type: candidate.type }, 'request body rejected');
    sendHttpError(res, status, messageFor(candidate, limitBytes), req.requestId);
  };
}
