// Global exception filter: every error thrown or rejected in a controller ends up here and becomes the
// JSON error shape. Unexpected errors become a 500 with a generic message; their stack goes to the log
// (level error, with the request id), never to the client.

import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from '../../logging/logger.js';
import { sendHttpError } from '../http-error-body.js';

/** Nest HttpException responses carry `message` as a string or (validation) a list of strings. */
function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message: unknown = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : exception.message;
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const requestId = req.requestId;

    if (exception instanceof HttpException) {
      // Deliberate answers (400 validation, 404, 503 from /readyz while draining): not failures of ours,
      // so no stack and no error-level line per probe.
      const status = exception.getStatus();
      this.logger.debug({ requestId, status, message: exception.message }, 'request answered with an HTTP error');
      sendHttpError(res, status, messageOf(exception), requestId);
      return;
    }
    this.logger.error({ requestId, method: req.method, url: req.originalUrl, err: exception }, 'unhandled error in request');
    sendHttpError(res, 500, 'Internal Server Error', requestId);
  }
}
