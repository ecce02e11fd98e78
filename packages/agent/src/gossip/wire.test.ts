import { describe, expect, it } from 'vitest';
import { withDefaultPort } from './lan.js';
import { decodeSerf, encodeSerf, type SerfMessage } from './wire.js';

const event: SerfMessage = {
  t: 'event', lt: 7,
  event: { ID: '2c1c2e36-3f5a-4d0e-9d55-0a0c7c3c2f11', Name: 'deploy', Payload: 'aGk=', NodeFilter: '', ServiceFilter: 'web', TagFilter: '', Version: 1 },
};

describe('serf-layer messages', () => {
  it('round-trips every kind', () => {
    const msgs: SerfMessage[] = [
      event,
      { t: 'query', id: 'q1', lt: 3, name: '_serf_keyring', from: { addr: '10.0.0.1', port: 8301 }, body: { op: 'list', key: '' } },
      { t: 'resp', id: 'q1', node: 'n2', body: { ok: true, keys: ['k'] } },
      { t: 'prune', id: 'p1', node: 'n3' },
      { t: 'query', id: 'q2', lt: 4, name: '_serf_keyring', from: { addr: '10.0.0.1', port: 8301 }, body: {}, relay: 2 },
      { t: 'relay', to: { addr: '10.0.0.1', port: 8301 }, resp: { t: 'resp', id: 'q2', node: 'n4', body: { ok: true } } },
    ];
    for (const m of msgs) expect(decodeSerf(encodeSerf(m))).toEqual(m);
  });

  it('drops malformed, truncated, oversized or mistyped messages instead of trusting them', () => {
    const good = encodeSerf(event);
    const bad: Uint8Array[] = [
      new Uint8Array(0),
      good.subarray(0, good.length - 3),
      Buffer.concat([Buffer.of(0x02), good.subarray(1)]),
      Buffer.concat([Buffer.of(0x01), Buffer.from('{"t":"event","lt":-1,"event":{}}')]),
      Buffer.concat([Buffer.of(0x01), Buffer.from(JSON.stringify({ ...event, event: { ...event.event, Version: 'x' } }))]),
      Buffer.concat([Buffer.of(0x01), Buffer.from('{"t":"query","id":"q","lt":1,"name":"x","from":{"addr":"a","port":70000}}')]),
      Buffer.concat([Buffer.of(0x01), Buffer.from('{"t":"nope"}')]),
      Buffer.concat([Buffer.of(0x01), Buffer.from('{"t":"query","id":"q","lt":1,"name":"x","from":{"addr":"a","port":1},"relay":9}')]),
      Buffer.concat([Buffer.of(0x01), Buffer.from('{"t":"relay","to":{"addr":"a","port":1},"resp":{"t":"event"}}')]),
      Buffer.concat([Buffer.of(0x01), Buffer.from('[1,2]')]),
      Buffer.concat([Buffer.of(0x01), Buffer.alloc(2000, 0x20)]),
    ];
    for (const b of bad) expect(decodeSerf(b)).toBeUndefined();
    expect(() => encodeSerf({ ...event, event: { ...event.event, Payload: 'x'.repeat(1300) } })).toThrow(/exceeds sane limit of 1200 bytes/);
  });
});

describe('withDefaultPort', () => {
  it('adds the serf_lan port only where none is given', () => {
    expect(withDefaultPort('10.0.0.1', 8301)).toBe('10.0.0.1:8301');
    expect(withDefaultPort('10.0.0.1:9000', 8301)).toBe('10.0.0.1:9000');
    expect(withDefaultPort('consul.service', 8301)).toBe('consul.service:8301');
    expect(withDefaultPort('::1', 8301)).toBe('[::1]:8301');
    expect(withDefaultPort('[::1]', 8301)).toBe('[::1]:8301');
    expect(withDefaultPort('[fe80::1]:9000', 8301)).toBe('[fe80::1]:9000');
  });
});
