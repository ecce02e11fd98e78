import { describe, expect, it } from 'vitest';
import { encodeSerialNumber, parseSpiffeService, serverIdentityMismatch, spiffeServiceUri } from './spiffe.js';

const TD = '11111111-2222-3333-4444-555555555555.consul';

describe('SPIFFE service IDs (Consul agent/connect/uri.go)', () => {
  it('parses a service ID, with and without a partition, and writes it back', () => {
    const id = parseSpiffeService(`spiffe://${TD}/ns/default/dc/dc1/svc/web`);
    expect(id).toEqual({ host: TD, partition: 'default', namespace: 'default', datacenter: 'dc1', service: 'web' });
    expect(spiffeServiceUri(id)).toBe(`spiffe://${TD}/ns/default/dc/dc1/svc/web`);
    const ap = parseSpiffeService(`spiffe://${TD}/ap/part1/ns/ns1/dc/dc2/svc/db`);
    expect(ap).toMatchObject({ partition: 'part1', namespace: 'ns1', datacenter: 'dc2', service: 'db' });
    expect(spiffeServiceUri(ap)).toBe(`spiffe://${TD}/ap/part1/ns/ns1/dc/dc2/svc/db`);
    expect(parseSpiffeService(`spiffe://${TD}/ns/default/dc/dc1/svc/we%20b`).service).toBe('we b');
  });

  it("refuses other URIs with Consul's texts", () => {
    expect(() => parseSpiffeService(`https://${TD}/ns/default/dc/dc1/svc/web`)).toThrow("SPIFFE ID must have 'spiffe' scheme");
    expect(() => parseSpiffeService(`spiffe://${TD}/agent/client/dc/dc1/id/node1`)).toThrow('SPIFFE ID is not a service identity');
    expect(() => parseSpiffeService(`spiffe://${TD}/ns/default/svc/web`)).toThrow('SPIFFE ID is not in the expected format');
    expect(() => parseSpiffeService(`spiffe://${TD}/ns/default/dc/dc1/svc/web/extra`)).toThrow('SPIFFE ID is not in the expected format');
  });

  it('checks a server identity as verifyServerCertMatchesURI: trust domain ignored, case-insensitive', () => {
    const want = parseSpiffeService(`spiffe://${TD}/ns/default/dc/dc1/svc/socat`);
    expect(serverIdentityMismatch(`spiffe://${TD}/ns/default/dc/dc1/svc/socat`, want)).toBeUndefined();
    expect(serverIdentityMismatch('spiffe://other.consul/ns/default/dc/dc1/svc/SOCAT', want)).toBeUndefined();
    expect(serverIdentityMismatch(`spiffe://${TD}/ns/default/dc/dc2/svc/socat`, want)).toBe(
      `peer certificate mismatch got spiffe://${TD}/ns/default/dc/dc2/svc/socat, want spiffe://${TD}/ns/default/dc/dc1/svc/socat`,
    );
    expect(serverIdentityMismatch(undefined, want)).toBe('peer certificate mismatch');
  });

  it('encodes serials as Consul does: minimal bytes, lower-case hex, colon-separated', () => {
    expect(encodeSerialNumber('0A1B2C')).toBe('0a:1b:2c');
    expect(encodeSerialNumber('00FF01')).toBe('ff:01');
    expect(encodeSerialNumber('ABC')).toBe('0a:bc');
  });
});
