import { describe, expect, it } from 'vitest';
import { AddressError, parseAddress } from './address.js';

describe('parseAddress', () => {
  it('reads host:port as http', () => {
    expect(parseAddress('127.0.0.1:8500')).toEqual({ baseUrl: 'http://127.0.0.1:8500', hostPort: '127.0.0.1:8500' });
  });
  it('uses https for host:port when TLS is asked (CONSUL_HTTP_SSL)', () => {
    expect(parseAddress('consul.local:8501', true).baseUrl).toBe('https://consul.local:8501');
  });
  it('keeps an explicit scheme and drops a trailing slash', () => {
    expect(parseAddress('https://10.0.0.1:8501/').baseUrl).toBe('https://10.0.0.1:8501');
    expect(parseAddress('HTTP://h:1').baseUrl).toBe('http://h:1');
  });
  it('fills in the default port of the scheme for error messages', () => {
    expect(parseAddress('http://example').hostPort).toBe('example:80');
    expect(parseAddress('https://example').hostPort).toBe('example:443');
  });
  it('supports IPv6 literals', () => {
    const a = parseAddress('[::1]:8500');
    expect(a.baseUrl).toBe('http://[::1]:8500');
  });
  it('turns unix:// into a socket path', () => {
    expect(parseAddress('unix:///var/run/consul.sock')).toEqual({
      baseUrl: 'http://localhost',
      hostPort: '/var/run/consul.sock',
      socketPath: '/var/run/consul.sock',
    });
  });
  it('rejects unknown schemes, paths and empty input', () => {
    expect(() => parseAddress('ftp://x:1')).toThrow(AddressError);
    expect(() => parseAddress('ftp://x:1')).toThrow('unknown protocol scheme: ftp');
    expect(() => parseAddress('')).toThrow(AddressError);
    expect(() => parseAddress('unix://')).toThrow(AddressError);
    expect(() => parseAddress('http://h:1/v1')).toThrow(AddressError);
  });
});
