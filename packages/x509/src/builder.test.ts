// Keys, names, serials, key ids and signed certificates, checked with openssl.
import { createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicConstraints, Extensions, id_ce_basicConstraints, SubjectPublicKeyInfo, TBSCertificate, Validity, Version } from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { goSigAlgFor, sigAlgFor, sigAlgId } from './algorithms.js';
import { derInteger, dn, ext, hexString, keyIdSha1, keyIdSha256, newKey, OID, parseCertificate, privateKeyPem, randomSerial, signCert } from './builder.js';
import { openssl, pemFiles } from './testing/openssl.js';

const file = pemFiles('x509-builder-');

/** A self-signed CA for `key`, signed with `alg`. */
function selfSigned(key: KeyObject, alg: string, cn = 'test ca'): string {
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const now = Date.now();
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: randomSerial().bytes,
    signature: sigAlgId(alg),
    issuer: dn([[OID.CN, cn]]),
    validity: new Validity({ notBefore: new Date(now), notAfter: new Date(now + 86_400_000) }),
    subject: dn([[OID.CN, cn]]),
    subjectPublicKeyInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo),
    extensions: new Extensions([ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: true }))]),
  });
  return signCert(tbs, key);
}
/** The SPKI of a key, as openssl writes it into a certificate. */
const opensslSpki = (key: KeyObject) => Buffer.from(new X509Certificate(openssl('req', '-x509', '-new', '-key', file(privateKeyPem(key)), '-subj', '/CN=x', '-days', '1')).publicKey.export({ type: 'spki', format: 'der' }));

describe('keys', () => {
  it('newKey: EC keys as SEC 1, RSA keys as PKCS #1, as Consul writes them', () => {
    const ec = newKey();
    expect(ec.priv.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(ec.pem).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(openssl('ec', '-check', '-noout', '-in', file(ec.pem))).toBe('');
    expect(newKey('ec', 384).priv.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    const rsa = newKey('rsa', 2048);
    expect(rsa.pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(rsa.priv.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(openssl('rsa', '-check', '-noout', '-in', file(rsa.pem))).toContain('RSA key ok');
    expect(ec.spki.equals(opensslSpki(ec.priv))).toBe(true);
    expect(() => newKey('ec', 255)).toThrow('error generating ECDSA private key: unknown curve length 255');
  });

  it('privateKeyPem: PKCS #8 for keys other than RSA and EC', () => {
    expect(privateKeyPem(generateKeyPairSync('ed25519').privateKey)).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('keyIdSha1 is the subject key id openssl computes (RFC 5280 method 1); keyIdSha256 hashes the whole SPKI', () => {
    const k = newKey();
    const cert = openssl('req', '-x509', '-new', '-key', file(k.pem), '-subj', '/CN=x', '-days', '1');
    const ski = /Subject Key Identifier: *\n\s*([0-9A-F:]+)/.exec(openssl('x509', '-noout', '-text', '-in', file(cert)))![1]!;
    expect(hexString(new Uint8Array(keyIdSha1(k.spki))).toUpperCase()).toBe(ski);
    expect(keyIdSha256(k.spki)).toHaveLength(32);
    expect(hexString(Uint8Array.of(0, 10, 255))).toBe('00:0a:ff');
  });
});

describe('DER values', () => {
  it('derInteger: minimal, with a zero byte only before a set top bit', () => {
    const hex = (v: bigint) => Buffer.from(derInteger(v)).toString('hex');
    expect([0n, 1n, 0x7fn, 0x80n, 0x0100n, 0xff00n].map(hex)).toEqual(['00', '01', '7f', '0080', '0100', '00ff00']);
  });

  it('randomSerial: below 2^128, its decimal text and its DER body agree', () => {
    const s = randomSerial(Buffer.from('80000000000000000000000000000001', 'hex'));
    expect(s.text).toBe((2n ** 127n + 1n).toString());
    expect(Buffer.from(s.bytes).toString('hex')).toBe('0080000000000000000000000000000001');
    expect(Buffer.from(randomSerial(Buffer.alloc(16)).bytes).toString('hex')).toBe('00');
    expect(BigInt(randomSerial().text) < 2n ** 128n).toBe(true);
  });

  it("dn: PrintableString where Go's asn1.Marshal uses it, else UTF8String", () => {
    // The value's tag: 0x13 PrintableString, 0x0c UTF8String.
    const tag = (v: string) => Buffer.from(AsnConvert.serialize(dn([[OID.CN, v]])))[11];
    expect(tag("Consul CA 7 (a-b/c:d=e?f+g,h.i')")).toBe(0x13);
    expect(tag('*.example.com')).toBe(0x0c);
    expect(tag('a&b')).toBe(0x0c);
    expect(tag('é')).toBe(0x0c);
    expect(AsnConvert.serialize(dn([])).byteLength).toBe(2);
  });
});

describe('signCert', () => {
  it('signs with the algorithm the certificate names, and openssl verifies each', () => {
    const cases: [KeyObject, string, string][] = [
      [newKey('rsa', 2048).priv, sigAlgFor(newKey('rsa', 2048).priv), 'sha256WithRSAEncryption'],
      [newKey('ec', 256).priv, sigAlgFor(newKey('ec', 256).priv), 'ecdsa-with-SHA256'],
      [newKey('ec', 384).priv, goSigAlgFor(newKey('ec', 384).priv), 'ecdsa-with-SHA384'],
      [newKey('ec', 521).priv, goSigAlgFor(newKey('ec', 521).priv), 'ecdsa-with-SHA512'],
      [generateKeyPairSync('ed25519').privateKey, goSigAlgFor(generateKeyPairSync('ed25519').privateKey), 'ED25519'],
    ];
    for (const [key, alg, name] of cases) {
      const pem = selfSigned(key, alg);
      const path = file(pem);
      expect(openssl('verify', '-CAfile', path, path).trim(), name).toMatch(/: OK$/);
      const text = openssl('x509', '-noout', '-text', '-in', path);
      expect(text.match(/Signature Algorithm: (\S+)/g), name).toEqual([`Signature Algorithm: ${name}`, `Signature Algorithm: ${name}`]);
      expect(parseCertificate(pem).tbsCertificate.subject).toEqual(dn([[OID.CN, 'test ca']]));
    }
  });

  it('a certificate whose named algorithm does not fit the key does not verify', () => {
    const key = newKey('ec', 256).priv;
    const path = file(selfSigned(key, sigAlgFor(newKey('rsa', 1024).priv)));
    expect(() => openssl('verify', '-CAfile', path, path)).toThrow();
  });
});
