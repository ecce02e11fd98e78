/**
 * Signature algorithms: their OIDs, the hash each signs with, the AlgorithmIdentifier a
 * certificate names them by, and the two ways of choosing one for a key: Consul's
 * (agent/connect/csr.go SigAlgoForKey) and Go's x509.CreateCertificate default
 * (crypto/x509/x509.go signingParamsForKey).
 */
import type { KeyObject } from 'node:crypto';
import type { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { asn1 } from './asn1.js';

export const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
export const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
export const ECDSA_WITH_SHA384 = '1.2.840.10045.4.3.3';
export const ECDSA_WITH_SHA512 = '1.2.840.10045.4.3.4';
export const PURE_ED25519 = '1.3.101.112';

/** The digest each algorithm signs; null: Ed25519 signs the message itself. */
const HASHES: Record<string, string | null> = {
  [SHA256_WITH_RSA]: 'sha256',
  [ECDSA_WITH_SHA256]: 'sha256',
  [ECDSA_WITH_SHA384]: 'sha384',
  [ECDSA_WITH_SHA512]: 'sha512',
  [PURE_ED25519]: null,
};

/** The digest for node:crypto's sign(); throws for an algorithm this package does not sign with. */
export function hashFor(oid: string): string | null {
  const hash = HASHES[oid];
  if (hash === undefined) throw new Error(`x509: unsupported signature algorithm ${oid}`);
  return hash;
}

/**
 * Consul's connect.SigAlgoForKey: SHA256WithRSA for an RSA key, ECDSAWithSHA256 for anything
 * else (an EC key of any curve; other keys fail when they sign).
 */
export function sigAlgFor(key: KeyObject): string {
  return key.asymmetricKeyType === 'rsa' ? SHA256_WITH_RSA : ECDSA_WITH_SHA256;
}

/**
 * Go's default for x509.CreateCertificate (signingParamsForKey): SHA-256 with RSA, ECDSA with
 * the curve's hash (P-224/P-256: SHA-256, P-384: SHA-384, P-521: SHA-512), PureEd25519.
 * Errors carry Go's texts, without the caller's prefix.
 */
export function goSigAlgFor(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'rsa': return SHA256_WITH_RSA;
    case 'ed25519': return PURE_ED25519;
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1' || curve === 'secp224r1') return ECDSA_WITH_SHA256;
      if (curve === 'secp384r1') return ECDSA_WITH_SHA384;
      if (curve === 'secp521r1') return ECDSA_WITH_SHA512;
      // What Go's key parser says of a curve it does not know.
      throw new Error('x509: unknown elliptic curve');
    }
    // A DSA or X25519 key is no crypto.Signer in Go.
    default: throw new Error('x509: certificate private key does not implement crypto.Signer');
  }
}

/**
 * The AlgorithmIdentifier of a signature: RSA carries an explicit NULL parameter (RFC 4055),
 * ECDSA (RFC 5758) and Ed25519 (RFC 8410) none.
 */
export function sigAlgId(oid: string): AlgorithmIdentifier {
  return new (asn1().x509.AlgorithmIdentifier)({ algorithm: oid, ...(oid === SHA256_WITH_RSA ? { parameters: null } : {}) });
}
