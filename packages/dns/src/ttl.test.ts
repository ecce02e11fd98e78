import { describe, expect, it } from 'vitest';
import { metaTxt, ipToHex } from './resolver.js';
import { ipFromArpa } from './ptr.js';
import { serviceTtlResolver } from './ttl.js';

describe('service_ttl', () => {
  it('exact name, then the longest prefix*, then *, else 0', () => {
    const ttl = serviceTtlResolver({ web: 10, 'db-*': 20, 'db-primary*': 30, '*': 5 });
    expect(ttl('web')).toBe(10);
    expect(ttl('db-replica')).toBe(20);
    expect(ttl('db-primary-1')).toBe(30);
    expect(ttl('other')).toBe(5);
    expect(serviceTtlResolver(undefined)('web')).toBe(0);
    // Whole seconds, never negative (agent config converts from milliseconds).
    expect(serviceTtlResolver({ '*': 1.5, a: -3 })('b')).toBe(1);
    expect(serviceTtlResolver({ '*': 1.5, a: -3 })('a')).toBe(0);
  });
});

describe('record helpers', () => {
  it('node meta as RFC 1464 TXT with Consul escaping', () => {
    expect(metaTxt('rack', 'r1')).toBe('rack=r1');
    expect(metaTxt('a=b', 'c`d')).toBe('a`=b=c``d');
    expect(metaTxt(' k ', 'v')).toBe('` k` =v');
    expect(metaTxt('rfc1035-raw', 'v=1')).toBe('v=1');
  });

  it('.addr. hex encodings', () => {
    expect(ipToHex('192.0.2.10')).toBe('c000020a');
    expect(ipToHex('fd00::13')).toBe('fd000000000000000000000000000013');
    expect(ipToHex('::ffff:1.2.3.4')).toBe('00000000000000000000ffff01020304');
  });
});

describe('ipFromArpa', () => {
  it('IPv4 and IPv6 reverse names; anything else undefined', () => {
    expect(ipFromArpa('11.0.0.10.in-addr.arpa.')).toBe('10.0.0.11');
    expect(ipFromArpa('3.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.')).toBe('fd00::13');
    expect(ipFromArpa('0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.')).toBe('::');
    expect(ipFromArpa('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.')).toBe('2001:db8::1');
    expect(ipFromArpa('0.10.in-addr.arpa.')).toBeUndefined();
    expect(ipFromArpa('300.0.0.10.in-addr.arpa.')).toBeUndefined();
    expect(ipFromArpa('example.arpa.')).toBeUndefined();
  });
});
