import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import { SessionTTLTracker } from './session-ttl.js';
import { TOMBSTONE_GRANULARITY_MS, TOMBSTONE_TTL_MS, TombstoneGC } from './tombstone-gc.js';
import {
  isDNSCompatible,
  validateKVKey,
  validateKVValueSize,
  validateMeta,
  validateNodeID,
  validateNodeName,
  validateServiceName,
  validateWeights,
} from './validate.js';

describe('SessionTTLTracker', () => {
  it('expires a session after TTL x 2 without renewal and restarts on renew', () => {
    const t = new SessionTTLTracker();
    t.reset('a', '10s', 0);
    t.reset('b', '', 0); // no TTL
    t.reset('c', '30s', 0);
    expect(t.size).toBe(2);
    expect(t.expired(19_999)).toEqual([]);
    expect(t.expired(20_000)).toEqual(['a']);
    t.reset('a', '10s', 15_000); // renew
    expect(t.expired(30_000)).toEqual([]);
    expect(t.nextDeadline()).toBe(35_000);
    expect(t.expired(60_000)).toEqual(['a', 'c']);
    t.remove('a');
    expect(t.expired(60_000)).toEqual(['c']);
    t.resetAll([{ ID: 'x', TTL: '1m' }], 100_000);
    expect(t.expired(1e12)).toEqual(['x']);
  });
});

describe('validation helpers', () => {
  it('returns Consul messages', () => {
    expect(validateKVKey('')).toBe('Missing key name');
    expect(validateKVKey('a/b')).toBeUndefined();
    expect(validateKVValueSize(512 * 1024)).toBeUndefined();
    expect(validateKVValueSize(512 * 1024 + 1)).toMatch(/^Request body\(524289 bytes\) too large, max size: 524288 bytes/);
    expect(validateNodeName('')).toBe('Must provide node');
    expect(validateServiceName(undefined)).toBe('Missing service name');
    expect(validateNodeID('40e4a748-2192-161a-0510-9bf59fe950b5')).toBeUndefined();
    expect(validateNodeID('nope')).toMatch(/^Bad node ID/);
    expect(validateWeights({ Passing: 0, Warning: 1 })).toMatch(/^Invalid Weights/);
    expect(validateWeights({ Passing: 1, Warning: 0 })).toBeUndefined();
    expect(isDNSCompatible('web-1')).toBe(true);
    expect(isDNSCompatible('web_1')).toBe(false);
  });

  it('validates meta pairs', () => {
    expect(validateMeta({ version: '1', 'a-b_c': 'x' })).toBeUndefined();
    expect(validateMeta({ 'bad key': 'x' })).toBe("Couldn't load metadata pair ('bad key', 'x'): Key contains invalid characters");
    expect(validateMeta({ 'consul-x': 'y' })).toMatch(/reserved/);
    expect(validateMeta({ 'consul-network-segment': '' }, true)).toBeUndefined();
    expect(validateMeta({ k: 'v'.repeat(513) })).toMatch(/Value is too long/);
    expect(validateMeta(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])))).toMatch(/more than 64/);
  });
});

describe('TombstoneGC', () => {
  it('returns the highest index whose tombstones outlived the TTL, bucketed', () => {
    const gc = new TombstoneGC(60_000, 10_000);
    gc.hint(5, 0); // deadline 60 s
    gc.hint(7, 3_000); // 63 s, rounded up to the 70 s bucket
    gc.hint(9, 25_000); // 85 s -> 90 s
    expect(gc.pending).toBe(3);
    expect(gc.expired(59_999)).toBe(0);
    expect(gc.expired(60_000)).toBe(5);
    expect(gc.expired(70_000)).toBe(7);
    expect(gc.expired(70_000)).toBe(0);
    expect(gc.expired(1e9)).toBe(9);
    gc.hint(11, 0);
    gc.reset();
    expect(gc.expired(1e9)).toBe(0);
  });

  it('drives a TombstoneReap that lets the prefix index fall back to the table index', () => {
    const c = new Catalog();
    const gc = new TombstoneGC();
    c.apply(1, { Type: 'KV', Verb: 'set', Key: 'p/a' });
    const before = c.tableIndex('tombstones');
    c.apply(2, { Type: 'KV', Verb: 'delete', Key: 'p/a', Now: 1000 });
    if (c.tableIndex('tombstones') > before) gc.hint(c.lastIndex, 1000);
    const upTo = gc.expired(1000 + TOMBSTONE_TTL_MS + TOMBSTONE_GRANULARITY_MS);
    expect(upTo).toBe(2);
    c.apply(3, { Type: 'TombstoneReap', Index: upTo });
    expect(c.stats().tombstones).toBe(0);
  });
});
