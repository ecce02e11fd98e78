// A TCP answer is trimmed by its wire size with miekg/dns's compression (Consul's
// trimTCPResponse counts Msg.Len() with Compress set): an SRV answer's owner points at the
// question, its target is written in full, and the target's A record in the Additional section
// points at that target while the target lies in the first 16 KiB (pointers reach no further).
// With 40-character node names 64 KiB hold about 535 instances (454 with owner names in full),
// filled up to less than one more. Checked with the real `dig +tcp`, which refuses a bad pointer.
import { describe, expect, it } from 'vitest';
import { MemoryBackend, parseDig, run, startServer } from './helpers.js';

const HOST = '127.0.130.50';
const MAX_TCP_SIZE = 65523;
const NODE_NAME_LENGTH = 40;

describe('TCP answer size', () => {
  it('a trimmed SRV answer is as large as fits in 64 KiB, by dig +tcp', async () => {
    const b = new MemoryBackend(['d']);
    const name = (i: number) => `n${i}`.padEnd(NODE_NAME_LENGTH, 'x');
    for (let i = 0; i < 1100; i++) {
      b.addNode({ name: name(i), address: `10.9.${Math.floor(i / 250)}.${(i % 250) + 1}`, datacenter: 'd' });
      b.addInstance({ node: name(i), serviceName: 's', serviceId: `s-${i}`, port: 1000 + i });
    }
    const { server, target } = await startServer(b, HOST, { datacenter: 'd' });
    try {
      const raw = await run('dig', [`@${target.host}`, '-p', String(target.port), '+tcp', '+time=5', '+tries=1', '_s._tcp.service.consul', 'SRV']);
      const size = Number(/MSG SIZE\s+rcvd: (\d+)/.exec(raw)?.[1]);
      const answers = Number(/ANSWER: (\d+)/.exec(raw)?.[1]);
      expect(answers, raw.slice(0, 400)).toBeGreaterThan(100);
      expect(answers).toBeLessThan(1024);
      // Without compression: header, question, OPT (dig sends EDNS), then per instance an SRV
      // answer (owner a pointer to the question, 10, 6, the target "<node>.node.d.consul.") and
      // its A record (owner in full, 10, 4), which is also the most one more instance takes.
      const targetBytes = NODE_NAME_LENGTH + 1 + 5 + 2 + 7 + 1;
      const uncompressed = 2 + 10 + 6 + targetBytes + targetBytes + 10 + 4;
      expect(Math.floor((MAX_TCP_SIZE - 12 - 28 - 11) / uncompressed)).toBe(454);
      expect(answers).toBeGreaterThan(500);
      expect(size).toBeLessThanOrEqual(MAX_TCP_SIZE);
      expect(MAX_TCP_SIZE - size).toBeLessThan(uncompressed);
      // The compressed owner names read back as the SRV targets.
      const parsed = parseDig(raw);
      expect(parsed.additional.map((r) => r.name).sort()).toEqual(parsed.answer.map((r) => r.data.split(' ')[3]).sort());
    } finally {
      await server.close();
    }
  });
});
