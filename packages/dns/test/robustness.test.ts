// Bad input: random bytes and mutated queries over real UDP and TCP are dropped (and counted)
// or answered with a well-formed message; the server never stops answering.
import fc from 'fast-check';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsServer } from '../src/index.js';
import { MAX_TCP_QUERY_BYTES } from '../src/server.js';
import { dig, lengthPrefixed, MemoryBackend, startServer, tcpExchange, tcpFrames, udpExchange, type Target } from './helpers.js';

const HOST = '127.0.3.13';

const rcode = (packet: dnsPacket.DecodedPacket): string => (packet as unknown as { rcode: string }).rcode;

function query(name: string, type: dnsPacket.RecordType, id = 1): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
}

describe('robustness', () => {
  let server: DnsServer;
  let t: Target;

  beforeAll(async () => {
    const b = new MemoryBackend(['dc1']);
    b.addNode({ name: 'n1', address: '10.0.0.1', datacenter: 'dc1', meta: { k: 'v' } });
    b.addInstance({ node: 'n1', serviceName: 'web', serviceId: 'web', port: 80 });
    ({ server, target: t } = await startServer(b, HOST, { recursors: [] }));
  });
  afterAll(async () => {
    await server.close();
  });

  it('drops short packets and responses (QR set) without answering, and counts them', async () => {
    const before = server.stats().malformed;
    expect(await udpExchange(t, Buffer.from([1, 2, 3]), 200)).toBeUndefined();
    const response = query('web.service.consul', 'A');
    response[2]! |= 0x80;
    expect(await udpExchange(t, response, 200)).toBeUndefined();
    expect(server.stats().malformed).toBe(before + 2);
  });

  it('drops a header that promises a question that is not there', async () => {
    const before = server.stats().malformed;
    const bad = query('web.service.consul', 'A').subarray(0, 20);
    expect(await udpExchange(t, bad, 200)).toBeUndefined();
    expect(server.stats().malformed).toBe(before + 1);
  });

  it('answers other opcodes with NOTIMP and several questions with FORMERR (header only)', async () => {
    const notify = query('web.service.consul', 'A', 9);
    notify[2] = (notify[2]! & 0x87) | (4 << 3); // opcode NOTIFY... → NOTIMP here
    const r1 = dnsPacket.decode((await udpExchange(t, notify))!);
    expect(r1.id).toBe(9);
    expect(rcode(r1)).toBe('NOTIMP');
    const two = dnsPacket.encode({
      type: 'query',
      id: 10,
      questions: [
        { type: 'A', name: 'web.service.consul' },
        { type: 'A', name: 'web.service.consul' },
      ],
    });
    const r2 = dnsPacket.decode((await udpExchange(t, two))!);
    expect(rcode(r2)).toBe('FORMERR');
    expect(r2.questions).toEqual([]);
  });

  it('TCP: a length prefix of 0 or above the limit closes the connection and is counted', async () => {
    const before = server.stats().tcpOversized;
    const big = Buffer.alloc(2);
    big.writeUInt16BE(MAX_TCP_QUERY_BYTES + 1);
    const r1 = await tcpExchange(t, big);
    expect(r1.closed).toBe(true);
    expect(r1.data.length).toBe(0);
    const r2 = await tcpExchange(t, Buffer.from([0, 0]));
    expect(r2.closed).toBe(true);
    expect(server.stats().tcpOversized).toBe(before + 2);
  });

  it('TCP: several queries in one write get one answer each (pipelining)', async () => {
    const bytes = Buffer.concat([
      lengthPrefixed(query('web.service.consul', 'A', 21)),
      lengthPrefixed(query('n1.node.consul', 'A', 22)),
      lengthPrefixed(query('nosuch.service.consul', 'A', 23)),
    ]);
    const { data } = await tcpExchange(t, bytes, 500);
    const replies = tcpFrames(data).map((f) => dnsPacket.decode(f));
    expect(replies.map((r) => r.id).sort()).toEqual([21, 22, 23]);
    expect(rcode(replies.find((r) => r.id === 23)!)).toBe('NXDOMAIN');
    expect(replies.find((r) => r.id === 21)!.answers![0]).toMatchObject({ type: 'A', data: '10.0.0.1' });
  });

  it('property: random bytes over UDP never get a malformed reply, and the server keeps answering', async () => {
    const before = server.stats();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 600 }), async (bytes) => {
        sent++;
        const reply = await udpExchange(t, Buffer.from(bytes), 30);
        if (reply) {
          const decoded = dnsPacket.decode(reply);
          expect(decoded.type).toBe('response');
        }
      }),
      { numRuns: 120 },
    );
    const after = server.stats();
    // Every packet was either counted as malformed or as a query.
    expect(after.malformed - before.malformed + (after.queries - before.queries)).toBe(sent);
    expect(after.malformed).toBeGreaterThan(before.malformed);
    expect((await dig(t, 'web.service.consul', 'A')).answer.map((a) => a.data)).toEqual(['10.0.0.1']);
  });

  it('property: mutated valid queries get either nothing or a well-formed response with the same id', async () => {
    const seeds = [
      query('web.service.consul', 'A'),
      query('_web._tcp.service.consul', 'SRV'),
      query('n1.node.consul', 'ANY' as dnsPacket.RecordType),
      dnsPacket.encode({
        type: 'query',
        id: 5,
        questions: [{ type: 'A', name: 'web.service.consul' }],
        additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as dnsPacket.Answer],
      }),
    ];
    const before = server.stats();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: -8, max: 8 }),
        async (which, flips, cut) => {
          const packet = Buffer.from(seeds[which]!);
          for (const [pos, value] of flips) packet[pos % packet.length] = value;
          const mutated = cut < 0 ? packet.subarray(0, packet.length + cut) : Buffer.concat([packet, Buffer.alloc(cut, 0xab)]);
          const reply = await udpExchange(t, mutated, 30);
          if (reply) {
            const decoded = dnsPacket.decode(reply);
            expect(decoded.type).toBe('response');
            expect(decoded.id).toBe(mutated.readUInt16BE(0));
          }
        },
      ),
      { numRuns: 200 },
    );
    const after = server.stats();
    expect(after.queries + after.malformed).toBeGreaterThan(before.queries + before.malformed);
    expect((await dig(t, '_web._tcp.service.consul', 'SRV')).answer).toHaveLength(1);
  });

  it('property: random bytes in TCP frames never break the listener', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 12, maxLength: 300 }), async (bytes) => {
        const { data } = await tcpExchange(t, lengthPrefixed(Buffer.from(bytes)), 40);
        for (const frame of tcpFrames(data)) expect(dnsPacket.decode(frame).type).toBe('response');
      }),
      { numRuns: 50 },
    );
    expect((await dig(t, '+tcp', 'web.service.consul', 'A')).answer).toHaveLength(1);
  });
});
