import { describe, expect, it } from 'vitest';
import { parseDurationMs } from './duration.js';
import { SessionTTLTracker } from './session-ttl.js';
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

describe('parseDurationMs', () => {
  it('parses Go durations', () => {
    expect(parseDurationMs('30s')).toBe(30_000);
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('1.5h')).toBe(5_400_000);
    expect(parseDurationMs('15000ms')).toBe(15_000);
    expect(parseDurationMs('0')).toBe(0);
    expect(parseDurationMs('-2s')).toBe(-2000);
    expect(parseDurationMs('10')).toBeUndefined();
    expect(parseDurationMs('')).toBeUndefined();
    expect(parseDurationMs('5 s')).toBeUndefined();
  });
});

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
