import { describe, expect, it } from 'vitest';
import { deprecatedTlsWarnings, parseRpcTls } from './config.js';

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
