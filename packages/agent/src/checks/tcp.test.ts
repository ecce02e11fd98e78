import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheck } from './start.js';
import type { CheckRunner } from './runner.js';
import { UpdateCollector } from './testing/collector.js';

const HOST = '127.0.8.2';
const runners: CheckRunner[] = [];
afterEach(() => {
  for (const r of runners.splice(0)) r.stop();
});

async function listen(): Promise<net.Server> {
  const server = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return server;
}

describe('tcp check', () => {
  it('passes when the connect succeeds, with Consul\'s output', async () => {
    const server = await listen();
    const address = `${HOST}:${(server.address() as AddressInfo).port}`;
    const c = new UpdateCollector();
    runners.push(startCheck({ TCP: address, Interval: '10s' }, { onUpdate: c.onUpdate, initialDelayMs: 0 }));
    expect(await c.nth(1)).toEqual({ status: 'passing', output: `TCP connect ${address}: Success` });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('is critical when the connect is refused', async () => {
    const server = await listen();
    const address = `${HOST}:${(server.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const c = new UpdateCollector();
    runners.push(startCheck({ TCP: address, Interval: '10s' }, { onUpdate: c.onUpdate, initialDelayMs: 0 }));
    expect(await c.nth(1)).toEqual({ status: 'critical', output: `dial tcp ${address}: connect: connection refused` });
  });
});
