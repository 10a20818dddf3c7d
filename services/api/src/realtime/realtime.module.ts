// Websockets: the socket.io gateway (realtime.gateway.ts). The server itself and its adapter are set up by
// RealtimeIoAdapter (create-api.ts installs it), because Nest creates the socket.io server through the app's adapter.

import { Module } from '@nestjs/common';
import { RealtimeGateway } from './realtime.gateway.js';

@Module({ providers: [RealtimeGateway] })
export class RealtimeModule {}
