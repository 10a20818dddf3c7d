import { Body, Controller, HttpCode, Post, StandardSchemaValidationPipe } from '@nestjs/common';
import { echoBodySchema, type EchoBody } from './echo-body.schema.js';

@Controller('echo')
export class EchoController {
  /** Returns the body after validation: only the known fields, in their validated form. */
  @Post()
  @HttpCode(200)
  echo(@Body({ schema: echoBodySchema, pipes: [new StandardSchemaValidationPipe()] }) body: EchoBody): EchoBody {
    return body;
  }
}
