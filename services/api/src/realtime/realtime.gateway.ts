// The websocket demo (public interface, socket.io on /socket.io/, docs/state.md):
//   on connect        server -> 'hello'     { replica, worker }              who this client is connected to
//   'join'  { room }                        ack { room, replica, worker }   join a room
//   'broadcast' { room, id }                ack { room, id }                send to every client in the room, on
//                     server -> 'message'   { room, id, from: { replica, worker } }   every worker of every replica
// `replica` and `worker` are the same names as X-Served-By and the metric labels.

import { Inject } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer, WsException, type OnGatewayConnection } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { IDENTITY } from '../core.module.js';
import type { Identity } from '../identity/identity.js';
import type { Origin, RoomMessage } from './wire.js';

const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

function field(body: unknown, key: string): string {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'string' || !NAME.test(value)) throw new WsException(`"${key}" must be 1-64 characters of A-Z a-z 0-9 _ . : -`);
  return value;
}

@WebSocketGateway()
export class RealtimeGateway implements OnGatewayConnection {
  @WebSocketServer() private readonly server!: Server;
  private readonly origin: Origin;

  constructor(@Inject(IDENTITY) identity: Identity) {
    this.origin = { replica: identity.replica, worker: identity.worker };
  }

  handleConnection(socket: Socket): void {
    socket.emit('hello', this.origin);
  }

  @SubscribeMessage('join')
  async join(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<Origin & { room: string }> {
    const room = field(body, 'room');
    await socket.join(room);
    return { room, ...this.origin };
  }

  @SubscribeMessage('broadcast')
  broadcast(@MessageBody() body: unknown): { room: string; id: string } {
    const room = field(body, 'room');
    const id = field(body, 'id');
    const message: RoomMessage = { room, id, from: this.origin };
    // Through the adapter: every socket in `room` on every worker of every replica (SOCKET_ADAPTER=redis).
    this.server.to(room).emit('message', message);
    return { room, id };
  }
}
