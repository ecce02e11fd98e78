import { describe, expect, it } from 'vitest';
import { encodeParams, encodePath, parseQueryMeta, queryParams } from './query.js';

describe('query options', () => {
  it('maps every option to Consul parameter names', () => {
    const p = queryParams(
      { datacenter: 'dc2', index: 42, wait: 30_000, stale: true, filter: 'Service == "web"', near: '_agent', nodeMeta: { rack: 'r1', env: 'prod' }, cached: true },
      'dc1',
    );
    expect(p).toEqual([
      ['dc', 'dc2'],
      ['stale', ''],
      ['cached', ''],
      ['index', '42'],
      ['wait', '30s'],
      ['filter', 'Service == "web"'],
      ['near', '_agent'],
      ['node-meta', 'rack:r1'],
      ['node-meta', 'env:prod'],
    ]);
  });
  it('names the scope parameters as Consul\'s api.go setQueryOptions does', () => {
    expect(queryParams({ peer: 'other', namespace: 'team', partition: 'p', samenessGroup: 'g' })).toEqual([
      ['ns', 'team'],
      ['partition', 'p'],
      ['sameness-group', 'g'],
      ['peer', 'other'],
    ]);
    expect(queryParams({ peer: '', namespace: '' })).toEqual([]);
  });
  it('passes a string index through exactly (uint64 above 2^53)', () => {
    expect(queryParams({ index: '12345678901234567890' })).toEqual([['index', '12345678901234567890']]);
    expect(queryParams({ index: '0' })).toEqual([]);
    expect(parseQueryMeta(new Headers({ 'X-Consul-Index': '12345678901234567890' }), 0).lastIndexRaw).toBe('12345678901234567890');
  });
  it('uses the default datacenter and leaves index 0 out (0 never blocks)', () => {
    expect(queryParams({ index: 0, wait: '5m' }, 'dc1')).toEqual([
      ['dc', 'dc1'],
      ['wait', '5m'],
    ]);
    expect(queryParams(undefined)).toEqual([]);
  });
  it('encodes presence flags bare and escapes values', () => {
    expect(encodeParams([['recurse', ''], ['filter', 'a == "b c"'], ['tag', 'x&y']])).toBe('?recurse&filter=a%20%3D%3D%20%22b%20c%22&tag=x%26y');
    expect(encodeParams([])).toBe('');
  });
  it('keeps slashes of KV paths but escapes the rest', () => {
    expect(encodePath('a/b c/?d')).toBe('a/b%20c/%3Fd');
  });
  it('reads the meta headers', () => {
    const h = new Headers({ 'X-Consul-Index': '17', 'X-Consul-KnownLeader': 'true', 'X-Consul-LastContact': '12', 'X-Consul-Effective-Consistency': 'leader', 'X-Cache': 'HIT' });
    expect(parseQueryMeta(h, 3)).toEqual({ lastIndex: 17, lastIndexRaw: '17', knownLeader: true, lastContactMs: 12, effectiveConsistency: 'leader', cacheHit: true, requestTimeMs: 3 });
    expect(parseQueryMeta(new Headers(), 0)).toEqual({ lastIndex: 0, knownLeader: false, lastContactMs: 0, requestTimeMs: 0 });
  });
});
