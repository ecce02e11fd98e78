import { describe, expect, it } from 'vitest';
import { tlsFromEnv } from './node.js';

describe('tlsFromEnv', () => {
  it("reads the Go client's TLS variables", () => {
    expect(
      tlsFromEnv({
        CONSUL_CACERT: '/ca.pem',
        CONSUL_CAPATH: '/cas',
        CONSUL_CLIENT_CERT: '/c.pem',
        CONSUL_CLIENT_KEY: '/k.pem',
        CONSUL_TLS_SERVER_NAME: 'server.dc1.consul',
        CONSUL_HTTP_SSL_VERIFY: 'false',
      }),
    ).toEqual({ caFile: '/ca.pem', caPath: '/cas', certFile: '/c.pem', keyFile: '/k.pem', serverName: 'server.dc1.consul', insecureSkipVerify: true });
  });

  it('verifies unless CONSUL_HTTP_SSL_VERIFY is false', () => {
    expect(tlsFromEnv({ CONSUL_HTTP_SSL_VERIFY: 'true' })).toEqual({});
    expect(tlsFromEnv({ CONSUL_HTTP_SSL_VERIFY: '0' })).toEqual({ insecureSkipVerify: true });
    expect(tlsFromEnv({})).toEqual({});
  });
});
