/**
 * The one place X.509 certificates are built: @peculiar/asn1-x509 lays out the DER, node:crypto
 * makes keys and signatures. Used by the Connect CA (connect/) and by `proconsul tls` (the CLI).
 * Signature algorithms as Consul's connect.SigAlgoForKey: SHA256WithRSA for RSA keys,
 * ECDSAWithSHA256 for EC keys of any curve.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  Certificate,
  Extension,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
  type TBSCertificate,
} from '@peculiar/asn1-x509';

export const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
export const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';

/** Attribute type OIDs of distinguished names. */
export const OID = { C: '2.5.4.6', ST: '2.5.4.8', L: '2.5.4.7', STREET: '2.5.4.9', POSTAL: '2.5.4.17', O: '2.5.4.10', CN: '2.5.4.3' } as const;

export type KeyType = 'ec' | 'rsa';

/** Named curves by key size (Go's elliptic.P224..P521). */
const CURVES: Record<number, string> = { 224: 'P-224', 256: 'P-256', 384: 'P-384', 521: 'P-521' };

export interface NewKey {
  priv: KeyObject;
  /** SubjectPublicKeyInfo DER. */
  spki: Buffer;
  /** PEM as Consul writes it: `EC PRIVATE KEY` (SEC 1) or `RSA PRIVATE KEY` (PKCS #1). */
  pem: string;
}

/** A new private key (Consul's connect.GeneratePrivateKeyWithConfig). */
export function newKey(type: KeyType = 'ec', bits = 256): NewKey {
  const pair =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: bits })
      : generateKeyPairSync('ec', { namedCurve: CURVES[bits] ?? (() => { throw new Error(`error generating ECDSA private key: unknown curve length ${bits}`); })() });
  const pem = pair.privateKey.export({ type: type === 'rsa' ? 'pkcs1' : 'sec1', format: 'pem' }).toString();
  return { priv: pair.privateKey, spki: pair.publicKey.export({ type: 'spki', format: 'der' }), pem };
}

/** The signature algorithm OID for a signing key. */
export function sigAlgFor(key: KeyObject): string {
  return key.asymmetricKeyType === 'rsa' ? SHA256_WITH_RSA : ECDSA_WITH_SHA256;
}

/**
 * AlgorithmIdentifier of a signature: RSA carries an explicit NULL parameter (RFC 4055),
 * ECDSA none (RFC 5758).
 */
export function sigAlgId(oid: string): AlgorithmIdentifier {
  return new AlgorithmIdentifier({ algorithm: oid, ...(oid === SHA256_WITH_RSA ? { parameters: null } : {}) });
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey bits (what `consul tls` certificates carry). */
export function keyIdSha1(spki: Buffer): ArrayBuffer {
  const info = AsnConvert.parse(spki, SubjectPublicKeyInfo);
  return new Uint8Array(createHash('sha1').update(Buffer.from(info.subjectPublicKey)).digest()).buffer;
}

/** Consul's connect.KeyId: SHA-256 of the whole SubjectPublicKeyInfo DER. */
export function keyIdSha256(spki: Buffer): Buffer {
  return createHash('sha256').update(spki).digest();
}

/** Consul's connect.HexString: lowercase hex bytes joined by colons. */
export function hexString(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * A positive integer as a minimal DER INTEGER body: no leading zero byte unless the next byte's
 * top bit is set. OpenSSL refuses padded integers.
 */
export function derInteger(value: bigint): ArrayBuffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const b = Buffer.from(hex, 'hex');
  return new Uint8Array(b[0]! & 0x80 ? Buffer.concat([Buffer.of(0), b]) : b).buffer;
}

/** A random positive serial below 2^128 (Consul's GenerateSerialNumber). */
export function randomSerial(random: Buffer = randomBytes(16)): { bytes: ArrayBuffer; text: string } {
  const n = BigInt(`0x${random.toString('hex') || '0'}`);
  return { bytes: derInteger(n), text: n.toString(10) };
}

/** A distinguished name; PrintableString where the text allows it, else UTF8String (as Go's x509 chooses). */
export function dn(attrs: [string, string][]): Name {
  const str = (v: string): AttributeValue => new AttributeValue(/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(v) ? { printableString: v } : { utf8String: v });
  return new Name(attrs.map(([type, value]) => new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: str(value) })])));
}

export function ext(id: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID: id, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** Signs a TBSCertificate (whose `signature` field must name `sigAlgFor(signer)`) and returns the PEM. */
export function signCert(tbs: TBSCertificate, signer: KeyObject): string {
  const der = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign('sha256', der, signer); // DER Ecdsa-Sig-Value for EC, PKCS #1 v1.5 for RSA
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: sigAlgId(sigAlgFor(signer)), signatureValue: new Uint8Array(signature).buffer });
  return new X509Certificate(Buffer.from(AsnConvert.serialize(cert))).toString();
}

/** The parsed structure of a certificate (PEM or DER). */
export function parseCertificate(cert: string | Buffer): Certificate {
  const raw = typeof cert === 'string' ? new X509Certificate(cert).raw : cert;
  return AsnConvert.parse(raw, Certificate);
}
