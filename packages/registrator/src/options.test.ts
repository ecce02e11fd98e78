import { describe, expect, it } from 'vitest';
import { parseOptions, UsageError } from './options.js';
import { consulAddress } from './registry.js';
import { isTerminatingKill, parseEvent } from './events.js';

describe('parseOptions', () => {
  it('reads registrator flags in Go flag syntax', () => {
    const o = parseOptions(['-internal', '--tags=a,b', '-resync', '30', '-retry-attempts=-1', '-ttl', '30', '-ttl-refresh', '10', 'consul://127.0.0.1:8500']);
    expect(o).toMatchObject({ internal: true, tags: ['a', 'b'], resyncSeconds: 30, retryAttempts: -1, retryIntervalMs: 2000, ttlSeconds: 30, ttlRefreshSeconds: 10, deregister: 'always', registryUri: 'consul://127.0.0.1:8500' });
  });

  it('rejects bad usage with one clear line', () => {
    expect(() => parseOptions([])).toThrow('Missing required argument for registry URI.');
    expect(() => parseOptions(['-bogus', 'consul://x'])).toThrow('flag provided but not defined: -bogus');
    expect(() => parseOptions(['-constructor', 'consul://x'])).toThrow('flag provided but not defined: -constructor');
    expect(() => parseOptions(['-deregister', 'never', 'consul://x'])).toThrow(UsageError);
    expect(() => parseOptions(['-ttl', '10', 'consul://x'])).toThrow('-ttl and -ttl-refresh must be specified together or not at all');
    expect(() => parseOptions(['-resync', 'soon', 'consul://x'])).toThrow(/invalid value "soon"/);
  });
});

describe('consulAddress', () => {
  it('maps registrator URIs to agent addresses', () => {
    expect(consulAddress('consul://10.0.0.1:8500')).toBe('http://10.0.0.1:8500');
    expect(consulAddress('consul://agent')).toBe('http://agent:8500');
    expect(consulAddress('consul-tls://agent:8501')).toBe('https://agent:8501');
    expect(consulAddress('consul-unix:///var/run/consul.sock')).toBe('unix:///var/run/consul.sock');
    expect(() => consulAddress('etcd://x')).toThrow(/unsupported registry URI/);
  });
});

describe('events', () => {
  it('parses Docker events and tells a stopping kill from a reload signal', () => {
    const die = parseEvent(JSON.stringify({ Type: 'container', Action: 'die', Actor: { ID: 'abc', Attributes: { exitCode: '137' } } }));
    expect(die).toEqual({ action: 'die', id: 'abc', exitCode: 137 });
    const hup = parseEvent(JSON.stringify({ Action: 'kill', Actor: { ID: 'abc', Attributes: { signal: '1' } } }))!;
    expect(isTerminatingKill(hup)).toBe(false);
    expect(isTerminatingKill({ action: 'kill', id: 'abc', signal: '15' })).toBe(true);
    expect(parseEvent('not json')).toBeNull();
    expect(parseEvent(JSON.stringify({ Action: 'exec_start', Actor: { ID: 'abc' } }))).toBeNull();
  });
});
