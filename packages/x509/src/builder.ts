/**
 * Certificates: @peculiar/asn1-x509 lays out the DER, node:crypto makes keys and signatures.
 * Keys as Consul's connect.GeneratePrivateKeyWithConfig makes them and connect.EncodePrivateKey
 * writes them (agent/connect/generate.go), names as Go's asn1.Marshal encodes them
 * (encoding/asn1/marshal.go), serials as connect.GenerateSerialNumber.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import type { Certificate, Extension, Name, TBSCertificate } from '@peculiar/asn1-x509';
import { hashFor } from './algorithms.js';
import { asn1 } from './asn1.js';

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
  return { priv: pair.privateKey, spki: pair.publicKey.export({ type: 'spki', format: 'der' }), pem: privateKeyPem(pair.privateKey) };
}

/**
 * A private key's PEM as Go programs write it: PKCS #1 `RSA PRIVATE KEY` for RSA, SEC 1
 * `EC PRIVATE KEY` for ECDSA, PKCS #8 `PRIVATE KEY` for the rest (Ed25519).
 */
export function privateKeyPem(key: KeyObject): string {
  const type = key.asymmetricKeyType === 'rsa' ? 'pkcs1' : key.asymmetricKeyType === 'ec' ? 'sec1' : 'pkcs8';
  return key.export({ type, format: 'pem' }).toString();
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey bits (`consul tls` and Go's x509 SubjectKeyId). */
export function keyIdSha1(spki: Buffer): ArrayBuffer {
  const { schema, x509 } = asn1();
  const info = schema.AsnConvert.parse(spki, x509.SubjectPublicKeyInfo);
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

/** A random positive serial below 2^128 (Consul's GenerateSerialNumber, Sprig's serial). */
export function randomSerial(random: Buffer = randomBytes(16)): { bytes: ArrayBuffer; text: string } {
  const n = BigInt(`0x${random.toString('hex') || '0'}`);
  return { bytes: derInteger(n), text: n.toString(10) };
}

/**
 * A distinguished name, one attribute per RDN in the order given. Go's asn1.Marshal picks
 * PrintableString where every character allows it ('*' and '&' do not), else UTF8String.
 */
export function dn(attrs: [string, string][]): Name {
  const { Name, RelativeDistinguishedName, AttributeTypeAndValue, AttributeValue } = asn1().x509;
  const str = (v: string) => new AttributeValue(/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(v) ? { printableString: v } : { utf8String: v });
  return new Name(attrs.map(([type, value]) => new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: str(value) })])));
}

/** An extension whose value is the DER of an asn1-x509 structure (KeyUsage, BasicConstraints, ...). */
export function ext(id: string, critical: boolean, value: unknown): Extension {
  const { schema, x509 } = asn1();
  return new x509.Extension({ extnID: id, critical, extnValue: new schema.OctetString(schema.AsnConvert.serialize(value)) });
}

/**
 * Signs a TBSCertificate with the algorithm its `signature` field names (see sigAlgFor,
 * goSigAlgFor, sigAlgId) and returns the certificate's PEM.
 */
export function signCert(tbs: TBSCertificate, signer: KeyObject): string {
  const { schema, x509 } = asn1();
  const der = Buffer.from(schema.AsnConvert.serialize(tbs));
  // DER Ecdsa-Sig-Value for EC, PKCS #1 v1.5 for RSA, the raw signature for Ed25519.
  const signature = sign(hashFor(tbs.signature.algorithm), der, signer);
  const cert = new x509.Certificate({ tbsCertificate: tbs, signatureAlgorithm: tbs.signature, signatureValue: new Uint8Array(signature).buffer });
  return new X509Certificate(Buffer.from(schema.AsnConvert.serialize(cert))).toString();
}

/** The parsed structure of a certificate (PEM or DER). */
export function parseCertificate(cert: string | Buffer): Certificate {
  const raw = typeof cert === 'string' ? new X509Certificate(cert).raw : cert;
  const { schema, x509 } = asn1();
  return schema.AsnConvert.parse(raw, x509.Certificate);
}
