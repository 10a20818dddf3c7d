// What the websocket demo sends over the wire (realtime.gateway.ts), in one place: the gateway builds these, and the
// host-side socket.io clients (tools/lib/realtime.ts: the tests and make ws-broadcast) read them. No imports, so the
// tooling's TypeScript project can import it without the app's dependencies.

/** Who sent or serves: the same names as X-Served-By and the metric labels. */
export interface Origin {
  replica: string;
  worker: string;
}

/** server -> 'message': a broadcast to a room, with the worker that sent it. */
export interface RoomMessage {
  room: string;
  id: string;
  from: Origin;
}
