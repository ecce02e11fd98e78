import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './ports.js';

describe('freePort', () => {
  it('returns a port that can be listened on', async () => {
    const port = await freePort('127.0.10.4');
    expect(port).toBeGreaterThan(0);
    const srv = createServer();
    await new Promise<void>((res, rej) => srv.once('error', rej).listen(port, '127.0.10.4', res));
    await new Promise((r) => srv.close(r));
  });
});
