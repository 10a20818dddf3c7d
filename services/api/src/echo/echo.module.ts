import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { EchoController } from './echo.controller.js';
import { requireJsonContentType } from './require-json-content-type.middleware.js';

@Module({ controllers: [EchoController] })
export class EchoModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(requireJsonContentType).forRoutes({ path: 'echo', method: RequestMethod.POST });
  }
}
