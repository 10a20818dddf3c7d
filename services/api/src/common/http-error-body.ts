// The one JSON error shape for every error response (filter, body parser, 404, 503):
// {"statusCode":400,"error":"Bad Request","message":"...","requestId":"..."}. Never a stack trace.

import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';

export interface HttpErrorBody {
  statusCode: number;
  error: string;
  message: string;
  requestId: string;
}

export function httpErrorBody(statusCode: number, message: string, requestId: string): HttpErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, requestId };
}

export function sendHttpError(res: Response, statusCode: number, message: string, requestId: string): void {
  if (res.headersSent) {
    // Too late for a clean error response: end what was started so the request does not hang.
    res.end();
    return;
  }
  res.status(statusCode).json(httpErrorBody(statusCode, message, requestId));
}
