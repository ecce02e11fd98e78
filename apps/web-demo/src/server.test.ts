import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createWebDemo } from './server.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

async function start(address: string): Promise<string> {
  server = createWebDemo({ address });
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe('web-demo', () => {
  it('names itself and counts requests', async () => {
    const url = await start('10.1.2.3');
    expect(await (await fetch(url)).text()).toBe('1 requests from 127.0.0.1 to WebServer 10.1.2.3\n');
    expect(await (await fetch(url)).text()).toBe('2 requests from 127.0.0.1 to WebServer 10.1.2.3\n');
  });

  it('reports the client behind a load balancer and keeps /health out of the count', async () => {
    const url = await start('10.1.2.4');
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const res = await fetch(url, { headers: { 'x-forwarded-for': '192.0.2.7, 10.0.0.1' } });
    expect(res.headers.get('x-served-by')).toBe('10.1.2.4');
    expect(await res.text()).toBe('1 requests from 192.0.2.7 to WebServer 10.1.2.4\n');
  });
});
