// Frames written in the same tick leave in one system call: the socket is corked at the first
// write and uncorked on the next tick (Node then writes the buffered frames with one writev).
// Many concurrent calls on one connection (forwarded requests) otherwise cost a syscall each.
import type { Socket } from 'node:net';

const corked = new WeakSet<Socket>();

export function writeBatched(socket: Socket, frame: Uint8Array): void {
  if (!corked.has(socket)) {
    corked.add(socket);
    socket.cork();
    process.nextTick(() => {
      corked.delete(socket);
      socket.uncork();
    });
  }
  socket.write(frame);
}
