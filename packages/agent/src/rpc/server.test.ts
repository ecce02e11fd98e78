// The agent RPC server on a real listener: a handler's failure, thrown before or after its
// promise exists, is the caller's error answer and the connection stays up; so does a call
// this agent makes to itself (`invoke`).
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient } from './client.js';
import { RpcServer } from './server.js';

const HOST = '127.0.0.1';
const server = new RpcServer(100, pino({ level: 'silent' }));
const transport = server.transport('rpc-test');
const client = new RpcClient();
let port = 0;

beforeAll(async () => {
  server.handle('Test.Echo', async (body) => body);
  server.handle('Test.ThrowsAtOnce', (() => {
    throw new Error('refused at once');
  }) as never);
  server.handle('Test.Rejects', async () => {
    throw new Error('refused later');
  });
  port = (await transport.listen(HOST, 0)).port;
});

afterAll(async () => {
  client.close();
  await transport.close();
  server.close();
});

describe('RpcServer', () => {
  it('answers a handler that throws synchronously with its error, and keeps the connection', async () => {
    await expect(client.call(HOST, port, 'Test.ThrowsAtOnce', {}, 5_000)).rejects.toThrow('refused at once');
    await expect(client.call(HOST, port, 'Test.Rejects', {}, 5_000)).rejects.toThrow('refused later');
    await expect(client.call(HOST, port, 'Test.Nope', {}, 5_000)).rejects.toThrow("rpc: can't find method Test.Nope");
    expect(await client.call(HOST, port, 'Test.Echo', { a: 1 }, 5_000)).toEqual({ a: 1 });
  });

  it('runs a method for this agent itself, with the same errors', async () => {
    expect(await server.invoke('Test.Echo', { b: 2 })).toEqual({ b: 2 });
    await expect(server.invoke('Test.ThrowsAtOnce', {})).rejects.toThrow('refused at once');
    await expect(server.invoke('Test.Nope', {})).rejects.toThrow("rpc: can't find method Test.Nope");
  });
});
