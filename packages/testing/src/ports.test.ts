import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, freePorts } from './ports.js';

describe('freePort', () => {
  it('returns a port that can be listened on', async () => {
    const port = await freePort('127.0.10.4');
    expect(port).toBeGreaterThan(0);
    const srv = createServer();
    await new Promise<void>((res, rej) => srv.once('error', rej).listen(port, '127.0.10.4', res));
    await new Promise((r) => srv.close(r));
  });

  it('hands out distinct ports, none of those excluded', async () => {
    const first = await freePorts('127.0.10.4', 20);
    expect(new Set(first).size).toBe(20);
    const more = await freePorts('127.0.10.4', 20, first);
    expect(more.filter((p) => first.includes(p))).toEqual([]);
    expect(new Set(more).size).toBe(20);
  });
});
