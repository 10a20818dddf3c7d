// POST /echo accepts JSON only. The JSON parser ignores other media types (req.body stays undefined),
// so without this check a form or text body would surface as a confusing "body must be a JSON object".

import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { JSON_MEDIA_TYPES } from '../common/json-body/json-body-parser.js';

export function requireJsonContentType(req: Request, _res: Response, next: NextFunction): void {
  if (req.is(JSON_MEDIA_TYPES) === false) {
    next(new UnsupportedMediaTypeException('Content-Type must be application/json'));
    return;
  }
  next();
}
