// Signature algorithm choice (Consul's connect.SigAlgoForKey, Go's signingParamsForKey) and
// the AlgorithmIdentifier DER each is written with.
import { generateKeyPairSync } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { describe, expect, it } from 'vitest';
import { ECDSA_WITH_SHA256, ECDSA_WITH_SHA384, ECDSA_WITH_SHA512, goSigAlgFor, hashFor, PURE_ED25519, SHA256_WITH_RSA, sigAlgFor, sigAlgId } from './algorithms.js';

const ec = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve }).privateKey;
const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;

describe('signature algorithms', () => {
  it("Consul's choice: SHA256WithRSA for RSA, ECDSAWithSHA256 for EC keys of any curve", () => {
    expect(sigAlgFor(rsa)).toBe(SHA256_WITH_RSA);
    for (const curve of ['P-224', 'P-256', 'P-384', 'P-521']) expect(sigAlgFor(ec(curve))).toBe(ECDSA_WITH_SHA256);
  });

  it("Go's default: the curve's hash, PureEd25519, and Go's refusals", () => {
    expect(goSigAlgFor(rsa)).toBe(SHA256_WITH_RSA);
    expect(goSigAlgFor(ec('P-224'))).toBe(ECDSA_WITH_SHA256);
    expect(goSigAlgFor(ec('P-256'))).toBe(ECDSA_WITH_SHA256);
    expect(goSigAlgFor(ec('P-384'))).toBe(ECDSA_WITH_SHA384);
    expect(goSigAlgFor(ec('P-521'))).toBe(ECDSA_WITH_SHA512);
    expect(goSigAlgFor(generateKeyPairSync('ed25519').privateKey)).toBe(PURE_ED25519);
    expect(() => goSigAlgFor(ec('secp256k1'))).toThrow('x509: unknown elliptic curve');
    expect(() => goSigAlgFor(generateKeyPairSync('x25519').privateKey)).toThrow('x509: certificate private key does not implement crypto.Signer');
  });

  it('each algorithm signs with its hash; an unknown one is refused', () => {
    expect([SHA256_WITH_RSA, ECDSA_WITH_SHA256, ECDSA_WITH_SHA384, ECDSA_WITH_SHA512, PURE_ED25519].map(hashFor)).toEqual(['sha256', 'sha256', 'sha384', 'sha512', null]);
    expect(() => hashFor('1.2.840.113549.1.1.5')).toThrow('x509: unsupported signature algorithm 1.2.840.113549.1.1.5');
  });

  it('AlgorithmIdentifier: an explicit NULL for RSA (RFC 4055), no parameters for ECDSA and Ed25519', () => {
    const der = (oid: string) => Buffer.from(AsnConvert.serialize(sigAlgId(oid))).toString('hex');
    expect(der(SHA256_WITH_RSA)).toBe('300d06092a864886f70d01010b0500');
    expect(der(ECDSA_WITH_SHA256)).toBe('300a06082a8648ce3d040302');
    expect(der(PURE_ED25519)).toBe('300506032b6570');
  });
});
