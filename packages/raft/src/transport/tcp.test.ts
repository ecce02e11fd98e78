import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../types.js';
import { encodeFrame, RAFT_PROTOCOL_BYTE } from './frame.js';
import { TcpTransport } from './tcp.js';

const open: TcpTransport[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

function transport(id: string, extra: Partial<ConstructorParameters<typeof TcpTransport>[0]> = {}): TcpTransport {
  const t = new TcpTransport({ id, backoffMinMs: 10, backoffMaxMs: 50, ...extra });
  open.push(t);
  return t;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const hb = (from: string, to: string, term: number): Message => ({ type: 'heartbeat', from, to, term, commit: 3, index: 7 });

function rawClient(port: number, host: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host }, () => resolve(s));
    s.on('error', reject);
  });
}

describe('TcpTransport', () => {
  it('delivers messages (including entries and snapshot bytes) between peers', async () => {
    const a = transport('a');
    const b = transport('b');
    const got: Message[] = [];
    b.setHandler((m) => got.push(m));
    const addrB = await b.listen('127.0.6.11', 0);
    a.setPeer('b', addrB);
    a.send([
      hb('a', 'b', 1),
      { type: 'app', from: 'a', to: 'b', term: 2, index: 4, logTerm: 1, commit: 4, entries: [{ index: 5, term: 2, type: 'normal', data: { k: 'x', v: 'y' } }] },
      { type: 'snap', from: 'a', to: 'b', term: 2, snapMeta: { index: 9, term: 2, conf: { voters: ['a', 'b'], learners: [] } }, offset: 0, chunk: new Uint8Array([1, 2, 3]), done: true },
    ]);
    await until(() => got.length === 3, 'three messages');
    expect(got[0]).toEqual(hb('a', 'b', 1));
    expect(got[1].entries?.[0].data).toEqual({ k: 'x', v: 'y' });
    expect([...got[2].chunk!]).toEqual([1, 2, 3]);
    expect(a.metrics.framesSent).toBe(3);
    expect(b.metrics.framesReceived).toBe(3);
  });

  it('reconnects after the peer restarts', async () => {
    const a = transport('a');
    let b = transport('b');
    const got: Message[] = [];
    b.setHandler((m) => got.push(m));
    const addr = await b.listen('127.0.6.12', 0);
    a.setPeer('b', addr);
    a.send([hb('a', 'b', 1)]);
    await until(() => got.length === 1, 'first message');
    await b.close();
    b = transport('b');
    b.setHandler((m) => got.push(m));
    await b.listen('127.0.6.12', addr.port);
    // Keep sending (as Raft does with heartbeats) until the new connection carries one.
    await until(() => {
      a.send([hb('a', 'b', 2)]);
      return got.some((m) => m.term === 2);
    }, 'message after restart');
    expect(a.metrics.connects).toBeGreaterThanOrEqual(2);
  });

  it('closes and counts a connection with an oversized or malformed frame; other connections keep working', async () => {
    const b = transport('b', { maxFrameBytes: 1024 });
    const got: Message[] = [];
    b.setHandler((m) => got.push(m));
    const addr = await b.listen('127.0.6.13', 0);

    const cases: Buffer[] = [];
    const big = Buffer.alloc(4);
    big.writeUInt32BE(10_000_000, 0);
    cases.push(big); // oversized length
    const junk = Buffer.from([0, 0, 0, 3, 0xc1, 0xc1, 0xc1]); // 0xc1 is never valid msgpack
    cases.push(junk);
    const notMsg = encodeFrame({ type: 'bogus', from: 'x', to: 'b', term: 1 } as unknown as Message);
    cases.push(notMsg);
    const badEntry = encodeFrame({ type: 'app', from: 'x', to: 'b', term: 1, index: 0, logTerm: 0, entries: [7] } as unknown as Message);
    cases.push(badEntry);
    for (let i = 0; i < cases.length; i++) {
      const s = await rawClient(addr.port, addr.host);
      const closed = new Promise<void>((r) => s.on('close', () => r()));
      s.write(Buffer.concat([Buffer.from([RAFT_PROTOCOL_BYTE]), cases[i]]));
      await closed;
      expect(b.metrics.malformedFrames).toBe(i + 1);
    }
    // A well-behaved peer is unaffected.
    const a = transport('a');
    a.setPeer('b', addr);
    a.send([hb('a', 'b', 5)]);
    await until(() => got.length === 1, 'good message');
    expect(got[0].term).toBe(5);
  });

  it('limits inbound connections per client IP (rpc_max_conns_per_client) and frees a slot on close', async () => {
    const b = transport('b', { maxConnsPerClient: 2 });
    const addr = await b.listen('127.0.61.1', 0);
    const s1 = await rawClient(addr.port, addr.host);
    const s2 = await rawClient(addr.port, addr.host);
    const s3 = await rawClient(addr.port, addr.host);
    await new Promise<void>((r) => s3.on('close', () => r()));
    expect(b.metrics.refusedConnections).toBe(1);
    const closed = new Promise<void>((r) => s1.on('close', () => r()));
    s1.destroy();
    await closed;
    await until(() => !s2.destroyed, 'second connection alive');
    const got: Message[] = [];
    b.setHandler((m) => got.push(m));
    const s4 = await rawClient(addr.port, addr.host);
    s4.write(Buffer.concat([Buffer.from([RAFT_PROTOCOL_BYTE]), encodeFrame(hb('x', 'b', 3))]));
    await until(() => got.length > 0 || b.metrics.refusedConnections > 1, 'a connection after one closed');
    s4.destroy();
    expect(got).toHaveLength(1);
    expect(b.metrics.refusedConnections).toBe(1);
    s2.destroy();
  });

  it('hands connections of another protocol to the shared-port handler', async () => {
    const handed: { byte: number; rest: string }[] = [];
    const b = transport('b', {
      onOtherProtocol: (byte, socket, rest) => {
        handed.push({ byte, rest: rest.toString() });
        socket.end('rpc-ok');
      },
    });
    const addr = await b.listen('127.0.6.14', 0);
    const s = await rawClient(addr.port, addr.host);
    const reply = new Promise<string>((r) => s.on('data', (d) => r(d.toString())));
    s.write(Buffer.concat([Buffer.from([0x00]), Buffer.from('hello')]));
    expect(await reply).toBe('rpc-ok');
    expect(handed).toEqual([{ byte: 0, rest: 'hello' }]);
    s.destroy();
  });

  it('an external listener can dispatch on the first byte and pass Raft connections in', async () => {
    const b = transport('b');
    const got: Message[] = [];
    b.setHandler((m) => got.push(m));
    const server = createServer((sock) => b.acceptConnection(sock));
    await new Promise<void>((r) => server.listen(0, '127.0.6.15', () => r()));
    const port = (server.address() as { port: number }).port;
    const a = transport('a');
    a.setPeer('b', { host: '127.0.6.15', port });
    a.send([hb('a', 'b', 9)]);
    await until(() => got.length === 1, 'message via shared listener');
    await b.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('dials through the dial hook and lets admitProtocol refuse connections', async () => {
    const refused: number[] = [];
    const b = transport('b', { admitProtocol: (byte) => (byte === RAFT_PROTOCOL_BYTE ? true : (refused.push(byte), false)) });
    const got: Message[] = [];
    b.setHandler((m) => got.push(m));
    const addrB = await b.listen('127.0.6.11', 0);
    const dialled: string[] = [];
    const a = transport('a', {
      dial: (addr) =>
        new Promise((resolve, reject) => {
          dialled.push(`${addr.host}:${addr.port}`);
          const s = connect({ host: addr.host, port: addr.port }, () => resolve(s));
          s.on('error', reject);
        }),
    });
    a.setPeer('b', addrB);
    a.send([hb('a', 'b', 1)]);
    await until(() => got.length === 1, 'a message through the dial hook');
    expect(dialled).toEqual([`${addrB.host}:${addrB.port}`]);
    // Another first byte is refused before any other protocol sees it.
    const raw = await rawClient(addrB.port, addrB.host);
    const closed = new Promise<void>((r) => raw.on('close', () => r()));
    raw.write(Buffer.of(0x00));
    await closed;
    expect(refused).toEqual([0x00]);
  });

  it('counts a failed dial and dials again', async () => {
    let attempts = 0;
    const a = transport('a', { dial: () => (attempts++, Promise.reject(new Error('no'))) });
    a.setPeer('b', { host: '127.0.6.11', port: 1 });
    a.send([hb('a', 'b', 1)]);
    await until(() => attempts >= 3, 'redials');
    expect(a.metrics.connectFailures).toBeGreaterThanOrEqual(2);
    expect(a.metrics.connects).toBe(0);
  });
});
