import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { joinConns } from './conn.js';

const HOST = '127.0.94.30';

/** A client socket and the server's side of it, both allowing half-open connections. */
async function socketPair(): Promise<{ client: Socket; server: Socket; close: () => Promise<void> }> {
  let accepted!: (s: Socket) => void;
  const got = new Promise<Socket>((r) => (accepted = r));
  const srv: Server = createServer({ allowHalfOpen: true }, (s) => accepted(s));
  await new Promise<void>((r) => srv.listen(0, HOST, r));
  const client = connect({ host: HOST, port: (srv.address() as { port: number }).port, allowHalfOpen: true });
  const server = await got;
  return { client, server, close: () => new Promise((r) => srv.close(() => r())) };
}

function readAll(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    s.on('data', (b: Buffer) => (text += b.toString()));
    s.on('end', () => resolve(text));
    s.on('error', () => resolve(text));
  });
}

describe('joinConns', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function joined(): Promise<{ a: Socket; b: Socket; done: Promise<Error | undefined> }> {
    // a <-> [aSide | bSide] <-> b: the proxy joins aSide and bSide.
    const left = await socketPair();
    const right = await socketPair();
    cleanups.push(left.close, right.close);
    const conn = joinConns(left.server, right.client);
    return { a: left.client, b: right.server, done: conn.done };
  }

  it('passes a FIN on and keeps the other direction open until it ends too', async () => {
    const { a, b, done } = await joined();
    const bRead = readAll(b);
    a.end('request');
    expect(await bRead).toBe('request');
    const aRead = readAll(a);
    const big = 'y'.repeat(1_000_000);
    b.end(big);
    expect((await aRead).length).toBe(big.length);
    expect(await done).toBeUndefined();
  });

  it('takes both sides down when one fails', async () => {
    const { a, b, done } = await joined();
    b.on('error', () => undefined);
    // The client sees its connection end (EOF or reset) as soon as the far side fails.
    const aEnded = new Promise<void>((r) => {
      a.on('end', () => r());
      a.on('error', () => r());
    });
    a.resume();
    b.resetAndDestroy();
    await aEnded;
    await done;
  });
});
