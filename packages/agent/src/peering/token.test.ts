import { describe, expect, it } from 'vitest';
import { decodePeeringToken, encodePeeringToken, peerNameError, peeringTokenError, splitHostPort, type PeeringToken } from './token.js';

const tok = (over: Partial<PeeringToken> = {}): PeeringToken => ({
  CA: null, ServerAddresses: ['127.0.0.1:8300'], ServerName: 'server.dc1.consul', PeerID: 'id', EstablishmentSecret: 's', Remote: { Partition: '', Datacenter: 'dc1' }, ...over,
});

describe('peering tokens (validate.go, dns.ValidateLabel)', () => {
  it('round-trips through base64 JSON', () => {
    const t = tok();
    const decoded = decodePeeringToken(encodePeeringToken(t));
    expect(decoded).toMatchObject({ ServerAddresses: ['127.0.0.1:8300'], PeerID: 'id', EstablishmentSecret: 's', Remote: { Datacenter: 'dc1' } });
    expect(JSON.parse(Buffer.from(encodePeeringToken(t), 'base64').toString())).toEqual(t);
  });

  it('refuses what Consul refuses, with its texts', () => {
    expect(() => decodePeeringToken('@@@')).toThrow('failed to decode token: illegal base64 data at input byte 0');
    expect(() => decodePeeringToken(Buffer.from('[1]').toString('base64'))).toThrow(/cannot unmarshal/);
    expect(peeringTokenError(tok({ ServerAddresses: [] }))).toBe('peering token server addresses value is empty');
    expect(peeringTokenError(tok({ ServerAddresses: ['1.2.3.4'] }))).toBe('1.2.3.4 is not a valid peering server address');
    expect(peeringTokenError(tok({ ServerAddresses: ['1.2.3.4:0'] }))).toBe('1.2.3.4:0 is not a valid peering server address');
    expect(peeringTokenError(tok({ CA: ['pem'], ServerName: '' }))).toBe('peering token server name value is empty');
    expect(peeringTokenError(tok({ PeerID: '' }))).toBe('peering token peer ID value is empty');
    expect(peeringTokenError(tok())).toBeUndefined();
  });

  it('checks peer names as DNS labels and splits host:port as Go does', () => {
    expect(peerNameError('west-1')).toBeUndefined();
    for (const bad of ['West', '-a', 'a-', 'a.b', '', 'x'.repeat(64)]) expect(peerNameError(bad)).toMatch(/is not a valid peer name: a valid DNS label/);
    expect(splitHostPort('[::1]:8300')).toEqual({ host: '::1', port: 8300 });
    expect(splitHostPort('lb.example.com:8300')).toEqual({ host: 'lb.example.com', port: 8300 });
    expect(splitHostPort('::1:8300')).toBeUndefined();
  });
});
