// ServerFailover against real sockets: a server that answers, an address nobody listens on, a
// server that takes the call and drops the connection before answering, and one that takes the
// call and never answers (a host that vanished without a reset).
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../http/http-error.js';
import { RpcClient } from '../rpc/client.js';
import { encodeRpcFrame, RpcFrameDecoder } from '../rpc/frames.js';
import type { RpcRequest } from '../rpc/messages.js';
import { ServerFailover } from './failover.js';
import type { ServerInfo } from './servers.js';

const HOST = '127.0.73.200';
const servers: Server[] = [];
let calls = { answering: 0, dropping: 0, silent: 0 };

/** An RPC server that answers `{ from: name }`, or closes the connection on the first call (dropping), or never answers (silent). */
async function rpcServer(name: 'answering' | 'dropping' | 'silent'): Promise<number> {
  const srv = createServer((socket) => {
    const decoder = new RpcFrameDecoder();
    let first = true;
    socket.on('data', (chunk: Buffer) => {
      const data = first ? chunk.subarray(1) : chunk; // the protocol byte
      first = false;
      for (const f of decoder.push(data)) {
        calls[name]++;
        if (name === 'dropping') socket.destroy();
        else if (name === 'answering') socket.write(encodeRpcFrame({ Seq: (f as RpcRequest).Seq, Body: { from: name } }));
      }
    });
    socket.on('error', () => undefined);
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, HOST, r));
  return (srv.address() as { port: number }).port;
}

const info = (id: string, port: number): ServerInfo => ({ id, name: id, addr: HOST, port, datacenter: 'dc2', expect: 0, bootstrap: false, status: 1 });
let answering: ServerInfo;
let dropping: ServerInfo;
let silent: ServerInfo;
let nobody: ServerInfo;

beforeAll(async () => {
  answering = info('answering', await rpcServer('answering'));
  dropping = info('dropping', await rpcServer('dropping'));
  silent = info('silent', await rpcServer('silent'));
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, HOST, r));
  nobody = info('nobody', (closed.address() as { port: number }).port);
  await new Promise<void>((r) => closed.close(() => r()));
});

afterAll(() => {
  for (const s of servers) s.close();
});

describe('ServerFailover', () => {
  it('moves past a server that cannot be dialled and then prefers the one that answered', async () => {
    const rpc = new RpcClient();
    const f = new ServerFailover(rpc);
    for (let i = 0; i < 5; i++) expect(await f.call([nobody, answering], 'X.Y', {}, 2_000)).toEqual({ from: 'answering' });
    expect(f.order([nobody, answering])[0]).toBe(answering);
    rpc.close();
  });

  it('never sends a write again once it may have reached a server; a read goes to the next one', async () => {
    calls = { answering: 0, dropping: 0, silent: 0 };
    const rpc = new RpcClient();
    const f = new ServerFailover(rpc);
    // Only the dropping server, so the order cannot save the write.
    const write = f.call([dropping], 'Raft.Apply', {}, 2_000).then(() => 'answered', (e: unknown) => e);
    const err = await write;
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).message).toMatch(/^rpc error making call: rpc: connection to .* closed$/);
    expect(calls.dropping).toBe(1);
    // A read whose server dropped the connection moves on (here to nobody left)...
    await expect(f.call([dropping], 'HTTP.Forward', {}, 2_000, true)).rejects.toThrow(/^rpc error: no server answered: rpc: connection to .* closed$/);
    // ...and, with another server, is answered there: every read succeeds whichever is tried first
    // (a fresh failover each time: no preferred server, a random order; 20 tries make it certain
    // to within 1e-6 that the dropping server came first at least once).
    const before = calls.dropping;
    for (let i = 0; i < 20; i++) expect(await new ServerFailover(rpc).call([dropping, answering], 'HTTP.Forward', {}, 2_000, true)).toEqual({ from: 'answering' });
    expect(calls.dropping).toBeGreaterThan(before);
    rpc.close();
  });

  it('hedges a read that a silent server holds, and never a write', async () => {
    const rpc = new RpcClient();
    // A read: whichever server comes first (a fresh failover each time, a random order), the
    // answer comes from the answering one, the silent one's turn costing the hedge, not the timeout.
    calls = { answering: 0, dropping: 0, silent: 0 };
    for (let i = 0; i < 20; i++) {
      const t0 = Date.now();
      expect(await new ServerFailover(rpc).call([silent, answering], 'HTTP.Forward', {}, 5_000, true, 100)).toEqual({ from: 'answering' });
      expect(Date.now() - t0).toBeLessThan(2_000);
    }
    expect(calls.silent).toBeGreaterThan(0); // 20 tries: the silent one came first at least once (to within 1e-6)
    // The same without a hedge waits out the timeout on the silent server.
    const f = new ServerFailover(rpc);
    await expect(f.call([silent], 'HTTP.Forward', {}, 300, true)).rejects.toThrow(/^rpc error making call: rpc: HTTP.Forward timed out after 300 ms$/);
    // A write is never sent twice: a silent first server is the answer, a 500 at the timeout.
    calls = { answering: 0, dropping: 0, silent: 0 };
    let answered = 0;
    for (let i = 0; i < 20; i++) {
      const r = await new ServerFailover(rpc).call([silent, answering], 'Raft.Apply', {}, 300, false, 100).then(() => true, (e: unknown) => e);
      if (r === true) answered++;
      else expect((r as Error).message).toMatch(/^rpc error making call: rpc: Raft.Apply timed out after 300 ms$/);
    }
    expect(calls.answering).toBe(answered);
    expect(calls.silent).toBe(20 - answered);
    expect(calls.silent).toBeGreaterThan(0);
    rpc.close();
  });

  it('answers No server answered when none can be dialled', async () => {
    const f = new ServerFailover(new RpcClient());
    await expect(f.call([nobody], 'X.Y', {}, 1_000)).rejects.toThrow(/^rpc error: no server answered: rpc: .*ECONNREFUSED/);
  });
});
