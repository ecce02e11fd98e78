/**
 * One proxied connection (Consul's connect/proxy/conn.go): bytes copied both ways until both
 * directions are done. Unlike Consul's, which closes both sockets at the first EOF, an EOF
 * from one side is passed on as a half-close (FIN) to the other, so a client that shuts down
 * its write side still reads the whole answer; an error on either side closes both.
 */
import type { Duplex } from 'node:stream';

export interface ProxiedConn {
  /** Resolves when both sockets are closed; with the first error seen, if any. */
  done: Promise<Error | undefined>;
  /** Closes both sockets now. */
  close(): void;
}

export function joinConns(src: Duplex, dst: Duplex): ProxiedConn {
  let firstError: Error | undefined;
  let closed = 0;
  let resolveDone!: (e: Error | undefined) => void;
  const done = new Promise<Error | undefined>((r) => (resolveDone = r));

  const close = (): void => {
    src.destroy();
    dst.destroy();
  };
  const onError = (err: Error): void => {
    // A reset after the other side closed is the normal end of many connections.
    if (!firstError && (err as NodeJS.ErrnoException).code !== 'ECONNRESET' && (err as NodeJS.ErrnoException).code !== 'EPIPE') firstError = err;
    close();
  };
  const onClose = (hadError: boolean): void => {
    // A side that failed takes the other down; one that closed in order has already passed
    // its FIN on through `pipe`, and the other side finishes once its own data is flushed.
    if (hadError) close();
    if (++closed === 2) resolveDone(firstError);
  };

  // `pipe` handles back-pressure and, with end: true, turns an EOF into the peer's FIN.
  src.pipe(dst);
  dst.pipe(src);
  // A socket paused while the connection was being authorized or dialled starts flowing now.
  src.resume();
  dst.resume();
  for (const s of [src, dst]) {
    s.on('error', onError);
    s.once('close', onClose);
  }
  // A socket whose both directions ended (FIN received and FIN sent) closes by itself
  // only with allowHalfOpen false; the proxy's sockets allow half-open, so finish here.
  const maybeFinish = (s: Duplex): void => {
    if (s.readableEnded && s.writableFinished) s.destroy();
  };
  for (const s of [src, dst]) {
    s.on('end', () => maybeFinish(s));
    s.on('finish', () => maybeFinish(s));
  }
  return { done, close };
}
