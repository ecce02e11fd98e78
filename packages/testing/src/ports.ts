import { createServer, type AddressInfo, type Server } from 'node:net';

/**
 * `n` distinct TCP ports on `host` that nothing listens on right now (the kernel's picks for
 * port 0), none of them in `exclude` (ports chosen but not yet listened on). Each is held open
 * until all are found: asked one at a time, the kernel may hand out the same port twice.
 */
export async function freePorts(host: string, n: number, exclude: readonly number[] = []): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    for (let tries = 0; ports.length < n; tries++) {
      if (tries >= n + 20) throw new Error(`no ${n} free ports on ${host} outside ${exclude.join(', ')}`);
      const srv = createServer();
      held.push(srv);
      await new Promise<void>((res, rej) => srv.once('error', rej).listen(0, host, res));
      const { port } = srv.address() as AddressInfo;
      if (!exclude.includes(port)) ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(held.map((srv) => new Promise((res) => (srv.listening ? srv.close(res) : res(undefined)))));
  }
}

/** A TCP port on `host` that nothing listens on right now (the kernel's pick for port 0). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return (await freePorts(host, 1))[0]!;
}
