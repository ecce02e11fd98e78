import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compound, decodePacket, decodeStream, encodeMessage, type Message } from './messages.js';

const samples: Message[] = [
  { type: 'ping', seq: 1, target: 'b', source: 'a' },
  { type: 'indirectPing', seq: 7, target: 'c', targetAddr: '10.0.0.3', targetPort: 7946, nack: true },
  { type: 'ack', seq: 4294967295 },
  { type: 'nack', seq: 0 },
  { type: 'suspect', incarnation: 3, node: 'c', from: 'a' },
  { type: 'alive', incarnation: 2, node: 'd', addr: '10.0.0.4', port: 7946, tags: { role: 'node', dc: 'dc1' } },
  { type: 'dead', incarnation: 5, node: 'e', from: 'e' },
];

describe('wire messages', () => {
  it('round-trips every packet message in one compound packet', () => {
    expect(decodePacket(compound(samples.map(encodeMessage)))).toEqual(samples);
  });

  it('round-trips a push-pull stream frame', () => {
    const m: Message = { type: 'pushPull', join: true, states: [{ name: 'a', addr: '1.2.3.4', port: 1, incarnation: 9, state: 3, tags: { x: 'y' } }] };
    expect(decodeStream(encodeMessage(m))).toEqual(m);
  });

  it('compound headers work past 15 parts', () => {
    const many = Array.from({ length: 40 }, (_, i): Message => ({ type: 'ack', seq: i }));
    expect(decodePacket(compound(many.map(encodeMessage)))).toEqual(many);
  });

  it('rejects truncated packets, wrong shapes and oversized tags', () => {
    const full = compound(samples.map(encodeMessage));
    for (let n = 0; n < full.length; n++) expect(decodePacket(full.subarray(0, n))).toBeUndefined();
    expect(decodePacket(encodeMessage({ type: 'ack', seq: 1 }))).toBeUndefined(); // not an array of messages
    expect(decodePacket(compound([encodeMessage({ type: 'alive', incarnation: 1, node: 'x', addr: 'a', port: 1, tags: { big: 'x'.repeat(600) } })]))).toBeUndefined();
    expect(decodePacket(compound([encodeMessage({ type: 'ping', seq: -1, target: '', source: 'a' })]))).toBeUndefined();
    expect(decodeStream(compound([encodeMessage({ type: 'ack', seq: 1 })]))).toBeUndefined();
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const p = decodePacket(bytes);
      const s = decodeStream(bytes);
      return (p === undefined || Array.isArray(p)) && (s === undefined || typeof s === 'object');
    }), { numRuns: 2000 });
  });
});
