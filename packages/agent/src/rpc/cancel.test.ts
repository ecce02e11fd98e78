// RPC.Cancel on a real listener (127.0.127.100): a caller that aborts its call gets a
// "cancelled" RpcError at once, and the server's handler sees its signal abort (a blocking query
// there ends); the connection stays up for other calls. A connection that closes aborts the
// handlers still running for it.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient, RpcError } from './client.js';
import { RpcServer } from './server.js';

const HOST = '127.0.127.100';
const server = new RpcServer(100, pino({ level: 'silent' }));
const transport = server.transport('rpc-cancel-test');
const client = new RpcClient();
let port = 0;
/** What each Test.Block call's signal did, in call order. */
const seen: Promise<string>[] = [];

beforeAll(async () => {
  // Blocks until its signal aborts (or 10 s): a stand-in for a blocking query.
  server.handle('Test.Block', (_body, signal) => {
    const outcome = new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('timed out'), 10_000);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve('aborted')), { once: true });
    });
    seen.push(outcome);
    return outcome;
  });
  server.handle('Test.Echo', async (body) => body);
  port = (await transport.listen(HOST, 0)).port;
});

afterAll(async () => {
  client.close();
  await transport.close();
  server.close();
});

const waitFor = async (n: number): Promise<void> => {
  for (let i = 0; i < 100 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 20));
  expect(seen.length).toBe(n);
};

describe('RPC.Cancel', () => {
  it('an aborted call fails at once for its caller and aborts the handler on the server', async () => {
    const abort = new AbortController();
    const call = client.call(HOST, port, 'Test.Block', {}, 30_000, abort.signal);
    await waitFor(1);
    const t0 = Date.now();
    abort.abort();
    const err = await call.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).message).toBe('rpc: Test.Block cancelled');
    expect(await seen[0]).toBe('aborted');
    expect(Date.now() - t0).toBeLessThan(2_000);
    // The connection is still good.
    expect(await client.call(HOST, port, 'Test.Echo', { ok: 1 }, 5_000)).toEqual({ ok: 1 });
    // A signal aborted before the call: not sent at all.
    await expect(client.call(HOST, port, 'Test.Block', {}, 5_000, abort.signal)).rejects.toThrow('rpc: Test.Block cancelled');
    expect(seen).toHaveLength(1);
  });

  it('a connection that closes aborts its running calls', async () => {
    const other = new RpcClient();
    const call = other.call(HOST, port, 'Test.Block', {}, 30_000).catch(() => 'closed');
    await waitFor(2);
    other.close();
    expect(await call).toBe('closed');
    expect(await seen[1]).toBe('aborted');
  });
});
