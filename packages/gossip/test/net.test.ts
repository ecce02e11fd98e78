// Real sockets on loopback (127.0.7.x, the gossip range): several members in one process.
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { GossipNode, decodeKey, encryptPayload, type GossipNodeOptions } from '../src/index.js';
import { compound, encodeMessage } from '../src/messages.js';
import { aliveNames, record, until } from './helpers.js';

// Faster than the LAN profile so the suite stays short; the code paths are the same.
const fast = { probeIntervalMs: 250, probeTimeoutMs: 120, gossipIntervalMs: 50, suspicionMult: 4, pushPullIntervalMs: 2000 };
const nodes: GossipNode[] = [];

async function start(i: number, extra: Partial<GossipNodeOptions> = {}): Promise<GossipNode> {
  const n = await GossipNode.create({ name: `node${i}`, bindAddr: `127.0.7.${i}`, bindPort: 0, config: fast, seed: i, ...extra });
  nodes.push(n);
  return n;
}
const addr = (n: GossipNode, i: number) => `127.0.7.${i}:${n.port}`;

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.shutdown()));
});

describe('GossipNode on loopback', () => {
  it('joins, spreads tag updates, sees a leave and detects a failure', async () => {
    const a = await start(1, { tags: { role: 'server' } });
    const others = [await start(2), await start(3), await start(4), await start(5)];
    const [b, c, d, e] = others as [GossipNode, GossipNode, GossipNode, GossipNode];
    const aEvents = record(a);
    for (const n of others) await n.join([addr(a, 1)]);
    const all = ['node1', 'node2', 'node3', 'node4', 'node5'];
    await until('everyone sees 5 alive', () => [a, ...others].every((n) => aliveNames(n).join() === all.join()));
    expect(b.members().find((m) => m.name === 'node1')?.tags).toEqual({ role: 'server' });

    c.setTags({ role: 'client', dc: 'dc1' });
    await until('tag update reaches node1', () => aEvents.some((x) => x.type === 'update' && x.member.name === 'node3'));
    expect(a.members().find((m) => m.name === 'node3')?.tags).toEqual({ role: 'client', dc: 'dc1' });

    await d.leave();
    await d.shutdown();
    await until('leave seen', () => aEvents.some((x) => x.type === 'leave' && x.member.name === 'node4'));
    expect(aEvents.some((x) => x.type === 'fail' && x.member.name === 'node4')).toBe(false);

    await e.shutdown(); // no leave: a crash as far as the others can tell
    await until('failure seen by all survivors', () =>
      [a, b, c].every((n) => n.members().find((m) => m.name === 'node5')?.state === 'failed'));
    expect(aEvents.filter((x) => x.type === 'fail').map((x) => x.member.name)).toEqual(['node5']);
  });

  it('rejects a join to an address where nobody listens', async () => {
    const a = await start(6);
    await expect(a.join(['127.0.7.6:1'])).rejects.toThrow(/no member reachable/);
  });

  it('drops and counts malformed, truncated and oversized packets and keeps working', async () => {
    const a = await start(7);
    const b = await start(8);
    await b.join([addr(a, 7)]);
    const sock = createSocket('udp4');
    const send = (buf: Buffer) => new Promise<void>((r) => sock.send(buf, a.port, '127.0.7.7', () => r()));
    await send(Buffer.from('not msgpack at all'));
    await send(Buffer.from([0x92, 0x93, 0x00])); // truncated compound
    await send(Buffer.from([0x91, 0x92, 0x63, 0x01])); // unknown message type 99
    await send(randomBytes(2000)); // oversized
    sock.close();
    await until('drops counted', () => a.stats().droppedMalformed >= 3 && a.stats().droppedOversized >= 1);
    b.setTags({ still: 'working' });
    await until('node1 still processes gossip', () => a.members().find((m) => m.name === 'node8')?.tags.still === 'working');
  });
});

describe('encryption', () => {
  const key1 = randomBytes(32).toString('base64');
  const key2 = randomBytes(32).toString('base64');
  const wrong = randomBytes(32).toString('base64');

  it('keeps out a member with the wrong key or none, counting its packets, and rotates keys', async () => {
    const a = await start(11, { keyring: [key1] });
    const b = await start(12, { keyring: [key1] });
    const c = await start(13, { keyring: [key1] });
    await b.join([addr(a, 11)]);
    await c.join([addr(a, 11)]);
    await until('3 encrypted members', () => [a, b, c].every((n) => aliveNames(n).length === 3));

    const intruder = await start(14, { keyring: [wrong] });
    await expect(intruder.join([addr(a, 11)])).rejects.toThrow(/no member reachable/);
    const plain = await start(15);
    await expect(plain.join([addr(b, 12)])).rejects.toThrow(/no member reachable/);
    expect(a.stats().droppedDecrypt + b.stats().droppedDecrypt).toBeGreaterThanOrEqual(2);
    // Its UDP packets are dropped too: a ping sealed with the wrong key, and one in plaintext, get no ack.
    const sock = createSocket('udp4');
    const replies: Buffer[] = [];
    sock.on('message', (m) => replies.push(m));
    await new Promise<void>((r) => sock.bind(0, '127.0.7.14', () => r()));
    const ping = compound([encodeMessage({ type: 'ping', seq: 1, target: 'node11', source: 'node14' })]);
    const before = a.stats().droppedDecrypt;
    for (const pkt of [encryptPayload(decodeKey(wrong), ping), Buffer.from(ping), encryptPayload(decodeKey(key1), ping)]) {
      await new Promise<void>((r) => sock.send(pkt, a.port, '127.0.7.11', () => r()));
    }
    await until('one ack, for the ping under the right key', () => replies.length === 1);
    expect(a.stats().droppedDecrypt).toBe(before + 2);
    sock.close();
    expect(aliveNames(a)).toEqual(['node11', 'node12', 'node13']);

    // Rotation: install key2 everywhere, switch to it, remove key1.
    for (const n of [a, b, c]) n.keyring!.install(key2);
    for (const n of [a, b, c]) n.keyring!.use(key2);
    for (const n of [a, b, c]) n.keyring!.remove(key1);
    expect(a.keyring!.list()).toEqual({ primary: key2, keys: [key2] });
    c.setTags({ rotated: 'yes' });
    await until('update under the new key', () => a.members().find((m) => m.name === 'node13')?.tags.rotated === 'yes');
    const d = await start(16, { keyring: [key2] });
    await d.join([addr(b, 12)]);
    await until('new member with key2 known to all', () => [a, b, c, d].every((n) => aliveNames(n).length === 4));
  });
});

describe('encryption rolled out over a running cluster (memberlist GossipVerifyIncoming/Outgoing)', () => {
  const key = randomBytes(16).toString('base64');

  it('talks plaintext to keyless members while verification is off, and keeps them out once it is on', async () => {
    // Step 1: a has the key but neither sends encrypted nor refuses plaintext, so b (no key) and a talk.
    const a = await start(41, { keyring: [key], verifyIncoming: false, verifyOutgoing: false });
    const b = await start(42);
    await b.join([addr(a, 41)]);
    await until('a and b alive to each other', () => [a, b].every((n) => aliveNames(n).join() === 'node41,node42'));
    expect(a.stats().droppedDecrypt).toBe(0);
    // Step 2: c encrypts what it sends and still takes a's plaintext.
    const c = await start(43, { keyring: [key], verifyIncoming: false, verifyOutgoing: true });
    await c.join([addr(a, 41)]);
    await until('a and c alive to each other', () => aliveNames(a).includes('node43') && aliveNames(c).includes('node41'));
    await Promise.all(nodes.splice(0, 2).map((n) => n.shutdown()));
    // Step 3: d verifies both ways; c's encrypted traffic gets in, a keyless member does not.
    const d = await start(44, { keyring: [key] });
    await d.join([addr(c, 43)]);
    await until('c and d alive to each other', () => aliveNames(c).includes('node44') && aliveNames(d).includes('node43'));
    const plain = await start(45);
    await expect(plain.join([addr(d, 44)])).rejects.toThrow(/no member reachable/);
    expect(d.stats().droppedDecrypt).toBeGreaterThan(0);
  });
});

describe('allowed addresses (memberlist CIDRsAllowed)', () => {
  it('drops what comes from a refused address, and does not take in a member announcing one', async () => {
    const a = await start(51, { config: { ...fast, addressAllowed: (ip) => ip !== '127.0.7.53' } });
    const b = await start(52);
    const c = await start(53);
    await b.join([addr(a, 51)]);
    await until('a and b', () => aliveNames(a).join() === 'node51,node52');
    // c's TCP join comes from the loopback's default source, which a takes; c's own address in it is refused.
    await c.join([addr(a, 51)]);
    await until('b takes c in', () => aliveNames(b).includes('node53'));
    await until('a refuses c and its packets', () => a.stats().droppedNotAllowed >= 3);
    await new Promise((r) => setTimeout(r, 1000));
    expect(aliveNames(a)).toEqual(['node51', 'node52']);
    expect(b.stats().droppedNotAllowed).toBe(0);
  });
});

describe('event stream', () => {
  it('yields member events as an async iterator', async () => {
    const a = await start(21);
    const b = await start(22);
    const ac = new AbortController();
    const got: string[] = [];
    const reader = (async () => {
      for await (const e of a.events(ac.signal)) {
        got.push(`${e.type}:${e.member.name}`);
        if (got.length === 2) ac.abort();
      }
    })();
    await b.join([addr(a, 21)]);
    b.setTags({ v: '2' });
    await reader;
    expect(got).toEqual(['join:node22', 'update:node22']);
  });

  it('broadcasts user messages to every member, sends one directly, and force-leaves a failed member', async () => {
    const key = randomBytes(16).toString('base64'); // AES-128, as memberlist allows
    const [a, b, c, d] = [await start(31, { keyring: [key] }), await start(32, { keyring: [key] }), await start(33, { keyring: [key] }), await start(34, { keyring: [key] })];
    for (const n of [b, c, d]) await n.join([addr(a, 31)]);
    await until('4 alive everywhere', () => [a, b, c, d].every((n) => aliveNames(n).length === 4));
    const got = new Map<string, string[]>();
    for (const n of [a, b, c, d]) n.on('user', (u) => got.set(n.name, [...(got.get(n.name) ?? []), Buffer.from(u.payload).toString()]));
    a.broadcastUser('e1', Buffer.from('hello'));
    await until('broadcast reaches the others', () => ['node32', 'node33', 'node34'].every((x) => got.get(x)?.includes('hello')));
    expect(got.get('node31')).toBeUndefined(); // the sender delivers to itself, not the gossip layer
    b.sendUser({ addr: '127.0.7.31', port: a.port }, Buffer.from('direct'));
    await until('direct message arrives', () => got.get('node31')?.includes('direct') === true);
    expect(() => a.broadcastUser('big', Buffer.alloc(5000))).toThrow(/at most/);

    await d.shutdown();
    await until('node34 failed', () => [a, b, c].every((n) => n.members().find((m) => m.name === 'node34')?.state === 'failed'));
    expect(a.forceLeave('nobody')).toBe(false);
    expect(a.forceLeave('node34')).toBe(true);
    await until('node34 left everywhere', () => [a, b, c].every((n) => n.members().find((m) => m.name === 'node34')?.state === 'left'));
    expect(b.forget('node33')).toBe(false); // alive members cannot be forgotten
    expect(b.forget('node34')).toBe(true);
    expect(b.members().some((m) => m.name === 'node34')).toBe(false);
  });
});
