// PKCS #10 requests as Consul writes and reads them, checked against openssl's.
import { BasicConstraints, id_ce_basicConstraints } from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { ext, newKey } from './builder.js';
import { createCsr, parseCsr } from './csr.js';
import { pemDecode, pemEncode } from './pem.js';
import { openssl, pemFiles } from './testing/openssl.js';

const file = pemFiles('x509-csr-');
const uri = 'spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web';

describe('createCsr', () => {
  it('an EC request openssl verifies: empty subject, SANs in the extension request, ECDSA-SHA256', () => {
    const k = newKey();
    const csr = createCsr(k.priv, k.spki, { uris: [uri], dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] });
    const path = file(csr);
    const text = openssl('req', '-verify', '-noout', '-text', '-in', path);
    expect(text).toMatch(/Subject:\s*\n/);
    expect(text).toContain(`DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, URI:${uri}`);
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(parseCsr(csr)).toMatchObject({ uris: [uri], dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'], emailAddresses: [] });
    expect(parseCsr(csr).spki.equals(k.spki)).toBe(true);
  });

  it('an RSA request with a CA basic constraints extension (connect.CreateCACSR)', () => {
    const k = newKey('rsa', 2048);
    const csr = createCsr(k.priv, k.spki, { uris: [uri] }, [ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: true, pathLenConstraint: 0 }))]);
    const text = openssl('req', '-verify', '-noout', '-text', '-in', file(csr));
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(parseCsr(csr).uris).toEqual([uri]);
  });
});

describe('parseCsr', () => {
  it("reads openssl's requests, e-mail SANs included", () => {
    const k = newKey();
    const csr = openssl('req', '-new', '-key', file(k.pem), '-subj', '/CN=x', '-addext', `subjectAltName=URI:${uri},DNS:a.example,IP:10.0.0.1,email:ops@example.com`);
    expect(parseCsr(csr)).toMatchObject({ uris: [uri], dnsNames: ['a.example'], ipAddresses: ['10.0.0.1'], emailAddresses: ['ops@example.com'] });
  });

  it("refuses what Consul's ParseCSR refuses, and a broken signature", () => {
    expect(() => parseCsr('nothing')).toThrow('no PEM-encoded data found');
    expect(() => parseCsr(pemEncode('CERTIFICATE', Buffer.from('x')))).toThrow('first PEM-block should be CERTIFICATE REQUEST type');
    expect(() => parseCsr(pemEncode('CERTIFICATE REQUEST', Buffer.from([0x02, 0x01, 0x00])))).toThrow('x509: malformed certificate request');
    const k = newKey();
    const der = pemDecode(createCsr(k.priv, k.spki, { uris: [uri] }))!.der;
    der[der.length - 40]! ^= 0xff; // inside the signature value
    expect(() => parseCsr(pemEncode('CERTIFICATE REQUEST', der))).toThrow('x509: ECDSA verification failure');
  });
});
