import { describe, expect, it } from 'vitest';
import { deprecatedTlsWarnings, parseHttpsTls, parseRpcTls } from './config.js';

describe('parseRpcTls', () => {
  it('takes tls.internal_rpc over tls.defaults over the deprecated top-level keys', () => {
    const c = parseRpcTls(
      {
        ca_file: 'legacy-ca.pem',
        cert_file: 'legacy.pem',
        key_file: 'legacy-key.pem',
        verify_incoming_rpc: true,
        tls: { defaults: { ca_file: 'ca.pem', verify_outgoing: false }, internal_rpc: { cert_file: 'rpc.pem', verify_server_hostname: true } },
      },
      'east',
      'example.',
    );
    expect(c).toEqual({
      caFile: 'ca.pem',
      caPath: '',
      certFile: 'rpc.pem',
      keyFile: 'legacy-key.pem',
      verifyIncoming: true,
      verifyOutgoing: true, // implied by verify_server_hostname
      verifyServerHostname: true,
      serverName: 'server.east.example',
      minVersion: 'TLSv1.2',
    });
  });

  it('is all off without configuration', () => {
    expect(parseRpcTls({}, 'dc1', 'consul.')).toMatchObject({ verifyIncoming: false, verifyOutgoing: false, verifyServerHostname: false, serverName: 'server.dc1.consul' });
  });

  it('names the deprecated keys that are set, with their replacements', () => {
    expect(deprecatedTlsWarnings({ verify_incoming_rpc: true, ca_path: '/cas', tls: {} })).toEqual([
      "The 'ca_path' field is deprecated. Use the 'tls.defaults.ca_path' field instead.",
      "The 'verify_incoming_rpc' field is deprecated. Use the 'tls.internal_rpc.verify_incoming' field instead.",
    ]);
  });
});

describe('tls_min_version', () => {
  const rpc = (c: Record<string, unknown>) => parseRpcTls(c, 'dc1', 'consul.').minVersion;
  const https = (c: Record<string, unknown>) => parseHttpsTls(c, 0).minVersion;

  it('takes the block over tls.defaults over the deprecated top-level key; TLS_AUTO and unset are TLS 1.2', () => {
    expect(rpc({})).toBe('TLSv1.2');
    expect(rpc({ tls: { defaults: { tls_min_version: 'TLS_AUTO' } } })).toBe('TLSv1.2');
    expect(rpc({ tls: { defaults: { tls_min_version: 'TLSv1_3' } } })).toBe('TLSv1.3');
    expect(https({ tls: { defaults: { tls_min_version: 'TLSv1_3' }, https: { tls_min_version: 'TLSv1_1' } } })).toBe('TLSv1.1');
    expect(rpc({ tls: { https: { tls_min_version: 'TLSv1_3' } } })).toBe('TLSv1.2');
    expect(rpc({ tls_min_version: 'tls13' })).toBe('TLSv1.3');
    expect(https({ tls_min_version: 'TLSv1_0', tls: { defaults: { tls_min_version: 'TLSv1_2' } } })).toBe('TLSv1.2');
  });

  it('refuses a version Consul does not know, naming the key, and warns about the old values', () => {
    expect(() => rpc({ tls: { internal_rpc: { tls_min_version: 'tls1.3' } } })).toThrow(
      'tls.internal_rpc.tls_min_version: invalid TLS version: no matching TLS version found for tls1.3, please specify one of [TLS_AUTO, TLSv1_0, TLSv1_1, TLSv1_2, TLSv1_3]',
    );
    expect(deprecatedTlsWarnings({ tls_min_version: 'tls12' })).toEqual([
      "The 'tls_min_version' field is deprecated. Use the 'tls.defaults.tls_min_version' field instead.",
      "'tls_min_version' value 'tls12' is deprecated, please specify 'TLSv1_2' instead",
    ]);
  });
});
