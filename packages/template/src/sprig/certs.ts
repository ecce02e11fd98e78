// Sprig's certificate functions (sprig crypto.go, v3.3.0 as consul-template vendors it):
// genCA, genSelfSignedCert, genSignedCert, their *WithKey forms and buildCustomCert. The
// certificate is laid out as Go's x509.CreateCertificate lays out Sprig's template (Go
// src/crypto/x509/x509.go): a random serial below 2^128, validity from now for daysValid
// days, KeyUsage (critical), ExtKeyUsage serverAuth+clientAuth, BasicConstraints (critical),
// a SHA-1 SubjectKeyId on CAs, the CA's key id as AuthorityKeyId, then the SANs.
//
// The ASN.1 library costs ~60 ms and ~10 MB to load, so it is required on first use only:
// a template that never builds a certificate never loads it.

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { isIPv4, isIPv6 } from 'node:net';
import type * as Asn1Schema from '@peculiar/asn1-schema';
import type * as Asn1js from 'asn1js';
import type * as Asn1X509 from '@peculiar/asn1-x509';
import type { FuncMap } from '../engine/exec.js';
import { typeName } from '../engine/values.js';
import { goBase64Decode } from '../consul/helpers.js';
import { int, str, strval } from './convert.js';

const B64_STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DAY_NS = 86_400_000_000_000n;

type Libs = { schema: typeof Asn1Schema; x509: typeof Asn1X509; der: typeof Asn1js };
let libs: Libs | undefined;
function asn1(): Libs {
  const load = createRequire(import.meta.url);
  libs ??= { schema: load('@peculiar/asn1-schema') as typeof Asn1Schema, x509: load('@peculiar/asn1-x509') as typeof Asn1X509, der: load('asn1js') as typeof Asn1js };
  return libs;
}

/**
 * genPrivateKey "dsa": an L2048N256 key in sprig's DSAKeyFormat, SEQUENCE { 0, P, Q, G, Y, X }
 * (the layout of OpenSSL's traditional "DSA PRIVATE KEY"), which node:crypto does not export.
 */
export function dsaKeyPem(): string {
  const { der } = asn1();
  const { privateKey, publicKey } = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 });
  const parse = (b: ArrayBuffer | Uint8Array) => der.fromBER(b).result as Asn1js.Sequence;
  const parts = (s: Asn1js.Sequence) => s.valueBlock.value;
  // PKCS #8: SEQUENCE { version, SEQUENCE { dsa, SEQUENCE { P, Q, G } }, OCTET STRING { X } }.
  const [, alg, wrapped] = parts(parse(privateKey.export({ type: 'pkcs8', format: 'der' })));
  const pqg = parts(parts(alg as Asn1js.Sequence)[1] as Asn1js.Sequence);
  const x = parse((wrapped as Asn1js.OctetString).valueBlock.valueHexView);
  // SubjectPublicKeyInfo: SEQUENCE { algorithm, BIT STRING { Y } }.
  const y = parse((parts(parse(publicKey.export({ type: 'spki', format: 'der' })))[1] as Asn1js.BitString).valueBlock.valueHexView);
  const body = Buffer.from(new der.Sequence({ value: [new der.Integer({ value: 0 }), ...pqg, y, x] }).toBER());
  return `-----BEGIN DSA PRIVATE KEY-----\n${body.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END DSA PRIVATE KEY-----\n`;
}

/** Sprig's `certificate` struct: what the gen* functions return and genSignedCert takes. */
export class SprigCertificate {
  static goTypeName = 'sprig.certificate';
  constructor(
    readonly Cert: string,
    readonly Key: string,
  ) {}
}

/** The first PEM block of a text, as Go's pem.Decode finds it. */
function pemBlock(text: string): { type: string; der: Buffer } | undefined {
  const m = /-----BEGIN ([^\n-]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) return undefined;
  return { type: m[1]!, der: Buffer.from(m[2]!.replace(/^[\w-]+:.*$/gm, '').replace(/\s+/g, ''), 'base64') };
}

/** sprig's parsePrivateKeyPEM: PKCS #8, or PKCS #1 / SEC 1 / DSA by the block type. */
function parsePrivateKey(pem: string): KeyObject {
  const block = pemBlock(pem);
  if (!block) throw new Error('no PEM data in input');
  const load = (type: 'pkcs8' | 'pkcs1' | 'sec1', what: string) => {
    try {
      return createPrivateKey({ key: block.der, format: 'der', type });
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`);
    }
  };
  if (block.type === 'PRIVATE KEY') return load('pkcs8', 'decoding PEM as PKCS#8');
  if (!block.type.endsWith(' PRIVATE KEY')) throw new Error(`no private key data in PEM block of type ${block.type}`);
  switch (block.type.slice(0, -' PRIVATE KEY'.length)) {
    case 'RSA': return load('pkcs1', 'parsing RSA private key from PEM');
    case 'EC': return load('sec1', 'parsing EC private key from PEM');
    case 'DSA':
      try {
        return createPrivateKey(pem);
      } catch (e) {
        throw new Error(`parsing DSA private key from PEM: ${(e as Error).message}`);
      }
    default: throw new Error(`invalid private key type ${block.type}`);
  }
}

/** sprig's pemBlockForKey: PKCS #1 for RSA, SEC 1 for ECDSA, PKCS #8 for the rest. */
export function keyPem(key: KeyObject): string {
  const type = key.asymmetricKeyType === 'rsa' ? 'pkcs1' : key.asymmetricKeyType === 'ec' ? 'sec1' : 'pkcs8';
  return key.export({ type, format: 'pem' }).toString();
}

/** Go's signingParamsForKey: the hash and signature algorithm OID for a signing key. */
function signingParams(key: KeyObject): { hash: string | null; oid: string; nullParams: boolean } {
  switch (key.asymmetricKeyType) {
    case 'rsa': return { hash: 'sha256', oid: '1.2.840.113549.1.1.11', nullParams: true };
    case 'ed25519': return { hash: null, oid: '1.3.101.112', nullParams: false };
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'secp384r1') return { hash: 'sha384', oid: '1.2.840.10045.4.3.3', nullParams: false };
      if (curve === 'secp521r1') return { hash: 'sha512', oid: '1.2.840.10045.4.3.4', nullParams: false };
      if (curve === 'prime256v1' || curve === 'secp224r1') return { hash: 'sha256', oid: '1.2.840.10045.4.3.2', nullParams: false };
      throw new Error('error creating certificate: x509: unknown elliptic curve');
    }
    // A DSA or X25519 key is no crypto.Signer in Go.
    default: throw new Error('error creating certificate: x509: certificate private key does not implement crypto.Signer');
  }
}

/** A `[]interface{}` parameter: a list, or nil. */
function list(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v;
  throw new Error(`wrong type for value; expected []interface {}; got ${typeName(v)}`);
}

/** net.ParseIP's bytes (IPv4, and IPv4-mapped IPv6, as 4 bytes as Go's x509 writes them). */
function ipBytes(text: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(text) || (isIPv6(text) && !text.includes('%'))) return text;
  throw new Error(`error parsing ip: ${text}`);
}

/** asn1.Marshal's choice for a name: PrintableString when every byte allows it (Go allows '*'), else UTF8String. */
function commonName(cn: string): Asn1X509.Name {
  const { Name, RelativeDistinguishedName, AttributeTypeAndValue, AttributeValue } = asn1().x509;
  if (cn === '') return new Name([]);
  const value = new AttributeValue(/^[A-Za-z0-9 '()+,\-./:=?*]*$/.test(cn) ? { printableString: cn } : { utf8String: cn });
  return new Name([new RelativeDistinguishedName([new AttributeTypeAndValue({ type: '2.5.4.3', value })])]);
}

interface Signer {
  subject: Asn1X509.Name;
  key: KeyObject;
  /** The signer's SubjectKeyId, which becomes the new certificate's AuthorityKeyId. */
  keyId?: ArrayBuffer;
}

/** getBaseCertTemplate + getCertAndKey: signs a certificate for `key` and returns it with its key. */
function issue(cn: string, ips: unknown, dns: unknown, days: number, isCA: boolean, key: KeyObject, parent?: Signer): SprigCertificate {
  const { schema, x509 } = asn1();
  const ipTexts = list(ips).map((ip) => {
    if (typeof ip !== 'string') throw new Error(`error parsing ip: ${strval(ip)} is not a string`);
    return ipBytes(ip);
  });
  const dnsNames = list(dns).map((d) => {
    if (typeof d !== 'string') throw new Error(`error processing alternate dns name: ${strval(d)} is not a string`);
    return d;
  });
  const serial = BigInt(`0x${randomBytes(16).toString('hex')}`);
  let serialHex = serial.toString(16);
  if (serialHex.length % 2) serialHex = `0${serialHex}`;
  if (Number.parseInt(serialHex.slice(0, 2), 16) & 0x80) serialHex = `00${serialHex}`;

  const pub = createPublicKey(key);
  const spki = schema.AsnConvert.parse(pub.export({ type: 'spki', format: 'der' }), x509.SubjectPublicKeyInfo);
  const subject = commonName(cn);
  const signer = parent ?? { subject, key };
  // Go's x509 signs with, and certifies, RSA, ECDSA and Ed25519 keys only.
  const params = signingParams(signer.key);
  if (!['rsa', 'ec', 'ed25519'].includes(key.asymmetricKeyType ?? '')) {
    const type = key.asymmetricKeyType === 'dsa' ? '*dsa.PublicKey' : '*ecdh.PublicKey';
    throw new Error(`error creating certificate: x509: unsupported public key type: ${type}`);
  }
  // time.Now().Add(24h * days): Go's Duration wraps at 64 bits.
  const now = Date.now();
  const notAfter = now + Number(BigInt.asIntN(64, BigInt(days) * DAY_NS) / 1_000_000n);
  const sameName = Buffer.from(schema.AsnConvert.serialize(signer.subject)).equals(Buffer.from(schema.AsnConvert.serialize(subject)));
  const ext = (id: string, critical: boolean, value: unknown) =>
    new x509.Extension({ extnID: id, critical, extnValue: new schema.OctetString(schema.AsnConvert.serialize(value)) });
  const usage = x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.digitalSignature | (isCA ? x509.KeyUsageFlags.keyCertSign : 0);
  const keyId = isCA ? new Uint8Array(createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest()).buffer : undefined;
  const sans = [...dnsNames.map((d) => new x509.GeneralName({ dNSName: d })), ...ipTexts.map((ip) => new x509.GeneralName({ iPAddress: ip }))];
  const extensions = [
    ext(x509.id_ce_keyUsage, true, new x509.KeyUsage(usage)),
    ext(x509.id_ce_extKeyUsage, false, new x509.ExtendedKeyUsage([x509.id_kp_serverAuth, x509.id_kp_clientAuth])),
    ext(x509.id_ce_basicConstraints, true, new x509.BasicConstraints(isCA ? { cA: true } : {})),
    ...(keyId ? [ext(x509.id_ce_subjectKeyIdentifier, false, new x509.SubjectKeyIdentifier(keyId))] : []),
    ...(!sameName && signer.keyId ? [ext(x509.id_ce_authorityKeyIdentifier, false, new x509.AuthorityKeyIdentifier({ keyIdentifier: new x509.KeyIdentifier(signer.keyId) }))] : []),
    // Go marks the SANs critical when the subject is empty (RFC 5280 4.2.1.6).
    ...(sans.length > 0 ? [ext(x509.id_ce_subjectAltName, cn === '', new x509.SubjectAlternativeName(sans))] : []),
  ];
  const algorithm = new x509.AlgorithmIdentifier({ algorithm: params.oid, ...(params.nullParams ? { parameters: null } : {}) });
  const tbs = new x509.TBSCertificate({
    version: x509.Version.v3,
    serialNumber: new Uint8Array(Buffer.from(serialHex, 'hex')).buffer,
    signature: algorithm,
    issuer: signer.subject,
    validity: new x509.Validity({ notBefore: new Date(now), notAfter: new Date(notAfter) }),
    subject,
    subjectPublicKeyInfo: spki,
    extensions: new x509.Extensions(extensions),
  });
  const signature = sign(params.hash, Buffer.from(schema.AsnConvert.serialize(tbs)), signer.key);
  const cert = new x509.Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: new Uint8Array(signature).buffer });
  return new SprigCertificate(new X509Certificate(Buffer.from(schema.AsnConvert.serialize(cert))).toString(), keyPem(key));
}

/** The parsed certificate of a PEM text, with sprig's error texts. */
function parseCert(pem: string, what: string): Asn1X509.Certificate {
  const block = pemBlock(pem);
  if (!block) throw new Error('unable to decode certificate');
  try {
    new X509Certificate(block.der);
    return asn1().schema.AsnConvert.parse(block.der, asn1().x509.Certificate);
  } catch (e) {
    throw new Error(`error parsing certificate: ${what}: ${(e as Error).message}`);
  }
}

/** The CA of genSignedCert: its subject, key id and key, checked to belong together as Go does. */
function caSigner(ca: unknown): Signer {
  if (!(ca instanceof SprigCertificate)) throw new Error(`wrong type for value; expected sprig.certificate; got ${typeName(ca)}`);
  const cert = parseCert(ca.Cert, 'decodedSignerCert.Bytes');
  let key: KeyObject;
  try {
    key = parsePrivateKey(ca.Key);
  } catch (e) {
    throw new Error(`error parsing private key: ${(e as Error).message}`);
  }
  const { schema, x509 } = asn1();
  const tbs = cert.tbsCertificate;
  const caPub = Buffer.from(schema.AsnConvert.serialize(tbs.subjectPublicKeyInfo));
  if (!createPublicKey(key).export({ type: 'spki', format: 'der' }).equals(caPub)) {
    throw new Error("error creating certificate: x509: provided PrivateKey doesn't match parent's PublicKey");
  }
  const skid = tbs.extensions?.find((e) => e.extnID === x509.id_ce_subjectKeyIdentifier);
  const keyId = skid ? schema.AsnConvert.parse(skid.extnValue, x509.SubjectKeyIdentifier).buffer : undefined;
  return { subject: tbs.subject, key, ...(keyId ? { keyId } : {}) };
}

const newRsaKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

function withKey(pem: unknown): KeyObject {
  try {
    return parsePrivateKey(str(pem));
  } catch (e) {
    throw new Error(`parsing private key: ${(e as Error).message}`);
  }
}

/** buildCustomCert: a certificate object from a base64 PEM certificate and key, checked. */
function buildCustomCert(b64cert: string, b64key: string): SprigCertificate {
  let cert: string;
  let key: string;
  try {
    cert = goBase64Decode(b64cert, B64_STD).toString('latin1');
  } catch {
    throw new Error('unable to decode base64 certificate');
  }
  try {
    key = goBase64Decode(b64key, B64_STD).toString('latin1');
  } catch {
    throw new Error('unable to decode base64 private key');
  }
  parseCert(cert, 'decodedCert.Bytes');
  try {
    parsePrivateKey(key);
  } catch (e) {
    throw new Error(`error parsing private key: ${(e as Error).message}`);
  }
  return new SprigCertificate(cert, key);
}

export const certFuncs: FuncMap = {
  buildCustomCert: (c: unknown, k: unknown) => buildCustomCert(str(c), str(k)),
  genCA: (cn: unknown, days: unknown) => issue(str(cn), null, null, int(days), true, newRsaKey()),
  genCAWithKey: (cn: unknown, days: unknown, key: unknown) => issue(str(cn), null, null, int(days), true, withKey(key)),
  genSelfSignedCert: (cn: unknown, ips: unknown, dns: unknown, days: unknown) => issue(str(cn), ips, dns, int(days), false, newRsaKey()),
  genSelfSignedCertWithKey: (cn: unknown, ips: unknown, dns: unknown, days: unknown, key: unknown) =>
    issue(str(cn), ips, dns, int(days), false, withKey(key)),
  genSignedCert: (cn: unknown, ips: unknown, dns: unknown, days: unknown, ca: unknown) =>
    issue(str(cn), ips, dns, int(days), false, newRsaKey(), caSigner(ca)),
  genSignedCertWithKey: (cn: unknown, ips: unknown, dns: unknown, days: unknown, ca: unknown, key: unknown) =>
    issue(str(cn), ips, dns, int(days), false, withKey(key), caSigner(ca)),
};
