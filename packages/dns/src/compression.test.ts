// Names inside record data are compressed as miekg/dns packs them for Consul (zmsg.go: CNAME,
// NS, PTR, MX and SOA pass `compress`, SRV passes false): each expected size and pointer below
// is worked out by hand from msg.go's packDomainName, and the bytes are decoded back.
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { Answer } from './codec.js';
import { decodeQuery, encodeReply, replySize, type Reply } from './message.js';
import { encodeRecord, type EncodedRecord } from './record.js';

const query = (name: string, type: 'A' | 'NS' | 'SOA' | 'SRV' | 'TXT') =>
  decodeQuery(dnsPacket.encode({ type: 'query', id: 7, questions: [{ type, name }] }));

const rr = (answer: Answer): EncodedRecord => encodeRecord(answer)!;

function reply(sections: Partial<Reply>, rcode = 0): Reply {
  return { rcode, answers: [], authorities: [], additionals: [], ...sections };
}

const SOA: Answer = {
  name: 'consul.',
  type: 'SOA',
  ttl: 0,
  class: 'IN',
  data: { mname: 'ns.consul.', rname: 'hostmaster.consul.', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 0 },
};

/** A decoded section's records as name, type and data (dns-packet reads the pointers). */
function section(buf: Buffer, which: 'answers' | 'authorities' | 'additionals'): { name: string; type: string; data: unknown }[] {
  return (dnsPacket.decode(buf)[which] ?? []) as { name: string; type: string; data: unknown }[];
}

/** The 14-bit offset of a pointer, or undefined when the two bytes are no pointer. */
const pointerAt = (buf: Buffer, offset: number) => (buf[offset]! >= 0xc0 ? buf.readUInt16BE(offset) & 0x3fff : undefined);

describe('names inside record data', () => {
  it('a CNAME target points at the question, and the A record after it at the target', () => {
    // Question web.service.consul at 12 (20 bytes; "consul" at 24), type and class: 36.
    // CNAME: owner a pointer (38), TYPE CLASS TTL RDLENGTH (48), target "web" "example" then a
    // pointer to 24: 14 bytes (62). A: owner a pointer to the target at 48, 10, 4: 78 bytes.
    // Written in full the target takes 20 bytes: 84.
    const q = query('web.service.consul', 'A');
    const r = reply({
      answers: [
        rr({ name: 'web.service.consul', type: 'CNAME', ttl: 0, class: 'IN', data: 'web.example.consul.' }),
        rr({ name: 'web.example.consul.', type: 'A', ttl: 0, class: 'IN', data: '10.0.0.1' }),
      ],
    });
    const buf = encodeReply(q, r, false);
    expect(buf.length).toBe(78);
    expect(buf.readUInt16BE(46)).toBe(14); // RDLENGTH as written
    expect(pointerAt(buf, 48 + 12)).toBe(24);
    expect(pointerAt(buf, 62)).toBe(48);
    // Uncompressed (Consul measures so without EDNS): 12 + 24 + (20 + 10 + 20) + (20 + 10 + 4).
    expect(replySize(q, r, false)).toBe(120);
    expect(section(buf, 'answers').map((a) => [a.name, a.type, a.data])).toEqual([
      ['web.service.consul', 'CNAME', 'web.example.consul'],
      ['web.example.consul', 'A', '10.0.0.1'],
    ]);
  });

  it("an NXDOMAIN's SOA names point at the question's domain", () => {
    // Question nope.service.consul (21 bytes; "consul" at 25): 37. SOA: owner a pointer (39),
    // 10 (49), mname "ns" + pointer 5 (54), rname "hostmaster" + pointer 13 (67), 20: 87 bytes.
    // RDLENGTH 38; written in full (11 + 19) it was 50 and the message 99.
    const q = query('nope.service.consul', 'A');
    const buf = encodeReply(q, reply({ authorities: [rr(SOA)] }, 3), false);
    expect(buf.length).toBe(87);
    expect(buf.readUInt16BE(47)).toBe(38);
    expect(pointerAt(buf, 37)).toBe(25);
    expect(pointerAt(buf, 49 + 3)).toBe(25);
    expect(pointerAt(buf, 54 + 11)).toBe(25);
    expect(section(buf, 'authorities')[0]!.data).toMatchObject({ mname: 'ns.consul', rname: 'hostmaster.consul', minimum: 0 });
  });

  it("a PTR target is remembered and compressed; the SOA after it points into it", () => {
    // Question 11.0.0.10.in-addr.arpa (24 bytes): 40. PTR: owner a pointer (42), 10 (52), target
    // node-a.node.dc1.consul. in full: nothing before shares a suffix (76; "consul" at 68).
    // SOA: owner a pointer to 68 (78), 10 (88), mname 5 (93), rname 13 (106), 20: 126 bytes.
    const q = query('11.0.0.10.in-addr.arpa', 'SOA');
    const ptr = rr({ name: '11.0.0.10.in-addr.arpa', type: 'PTR', ttl: 0, class: 'IN', data: 'node-a.node.dc1.consul.' });
    const buf = encodeReply(q, reply({ answers: [ptr], authorities: [rr(SOA)] }), false);
    expect(buf.length).toBe(126);
    expect(buf.readUInt16BE(50)).toBe(24);
    expect(pointerAt(buf, 76)).toBe(68);
    expect(pointerAt(buf, 88 + 3)).toBe(68);
    expect(section(buf, 'answers')[0]!.data).toBe('node-a.node.dc1.consul');
    expect(section(buf, 'authorities')[0]!.name).toBe('consul');
  });

  it('an NS target points at the question; its glue points at the target', () => {
    // Question consul (8 bytes): 24. NS: owner a pointer (26), 10 (36), target "node-a" "node"
    // "dc1" + pointer to 12: 7 + 5 + 4 + 2 = 18 (54). A glue: owner a pointer to 36, 10, 4: 70 bytes.
    const q = query('consul', 'NS');
    const ns = rr({ name: 'consul.', type: 'NS', ttl: 0, class: 'IN', data: 'node-a.node.dc1.consul.' });
    const glue = rr({ name: 'node-a.node.dc1.consul.', type: 'A', ttl: 0, class: 'IN', data: '10.0.0.11' });
    const buf = encodeReply(q, reply({ answers: [ns], additionals: [glue] }), false);
    expect(buf.length).toBe(70);
    expect(buf.readUInt16BE(34)).toBe(18);
    expect(pointerAt(buf, 36 + 16)).toBe(12);
    expect(pointerAt(buf, 54)).toBe(36);
    expect(section(buf, 'answers')[0]!.data).toBe('node-a.node.dc1.consul');
    expect(section(buf, 'additionals')[0]!.name).toBe('node-a.node.dc1.consul');
  });

  it('an MX exchange is compressed after its preference', () => {
    // Question consul: 24. MX: owner a pointer (26), 10 (36), preference 2, "mail" + pointer to
    // 12: 7 (45 bytes), RDLENGTH 9.
    const q = query('consul', 'A');
    const mx = rr({ name: 'consul.', type: 'MX', ttl: 0, class: 'IN', data: { preference: 10, exchange: 'mail.consul.' } });
    const buf = encodeReply(q, reply({ answers: [mx] }), false);
    expect(buf.length).toBe(45);
    expect(buf.readUInt16BE(34)).toBe(9);
    expect(pointerAt(buf, 38 + 5)).toBe(12);
    expect(section(buf, 'answers')[0]!.data).toEqual({ preference: 10, exchange: 'mail.consul' });
  });

  it('an SRV target is written in full though its suffix is known, and later names point at it', () => {
    // Question web.service.consul: 36. SRV: owner a pointer (38), 10 (48), 6 (54), target
    // n1.node.dc1.consul. in full, 20 bytes (74). A: owner a pointer to 54, 10, 4: 90 bytes.
    const q = query('web.service.consul', 'SRV');
    const srv = rr({ name: 'web.service.consul', type: 'SRV', ttl: 0, class: 'IN', data: { priority: 1, weight: 1, port: 80, target: 'n1.node.dc1.consul.' } });
    const a = rr({ name: 'n1.node.dc1.consul.', type: 'A', ttl: 0, class: 'IN', data: '10.0.0.1' });
    const buf = encodeReply(q, reply({ answers: [srv], additionals: [a] }), false);
    expect(buf.length).toBe(90);
    expect(buf.subarray(54, 74)).toEqual(srv.tail.subarray(16));
    expect(pointerAt(buf, 74)).toBe(54);
  });

  it('names first written past 16 KiB are not pointed at; earlier suffixes still are', () => {
    // Question web.service.consul: 36. 62 TXT answers of 268 bytes each (owner a pointer, 10, a
    // 255-byte string) end at 16652. CNAME: owner a pointer (16654), 10 (16664), target "x" "far"
    // + pointer to "consul" at 24: 8 (16672). A: its owner "x.far.consul." was written past 16383,
    // so only "consul" is found: "x" "far" + pointer, 8, 10, 4: 16694 bytes.
    const q = query('web.service.consul', 'TXT');
    const txt = rr({ name: 'web.service.consul', type: 'TXT', ttl: 0, class: 'IN', data: ['t'.repeat(255)] });
    const answers = Array.from({ length: 62 }, () => txt);
    answers.push(rr({ name: 'web.service.consul', type: 'CNAME', ttl: 0, class: 'IN', data: 'x.far.consul.' }));
    answers.push(rr({ name: 'x.far.consul.', type: 'A', ttl: 0, class: 'IN', data: '10.0.0.1' }));
    const buf = encodeReply(q, reply({ answers }), false);
    expect(buf.length).toBe(16694);
    expect(buf.readUInt16BE(16662)).toBe(8);
    expect(pointerAt(buf, 16664 + 6)).toBe(24);
    expect(pointerAt(buf, 16672 + 6)).toBe(24);
    expect(section(buf, 'answers').slice(-2).map((x) => [x.name, x.data])).toEqual([
      ['web.service.consul', 'x.far.consul'],
      ['x.far.consul', '10.0.0.1'],
    ]);
  });
});
