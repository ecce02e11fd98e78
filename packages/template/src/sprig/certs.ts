// Sprig's certificate functions (sprig crypto.go, v3.3.0 as consul-template vendors it):
// genCA, genSelfSignedCert, genSignedCert, their *WithKey forms and buildCustomCert. The
// certificate is laid out as Go's x509.CreateCertificate lays out Sprig's template (Go
// src/crypto/x509/x509.go): a random serial below 2^128, validity from now for daysValid
// days, KeyUsage (critical), ExtKeyUsage serverAuth+clientAuth, BasicConstraints (critical),
// a SHA-1 SubjectKeyId on CAs, the CA's key id as AuthorityKeyId, then the SANs.
// Names, serials, key ids, signature algorithms, signing and PEM come from @proconsul/x509 (the
// agent's builder); Sprig's field choices and its DSA key format are here.
//
// The ASN.1 libraries cost ~60 ms and ~10 MB to load, so they are required on first use only
// (@proconsul/x509 does the same): a template that never builds a certificate never loads them.

import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { isIPv4, isIPv6 } from 'node:net';
import type * as Asn1js from 'asn1js';
import type * as Asn1X509 from '@peculiar/asn1-x509';
import { asn1, dn, ext, goSigAlgFor, keyIdSha1, OID, pemDecode, pemEncode, privateKeyPem, randomSerial, sigAlgId, signCert } from '@proconsul/x509';
import type { FuncMap } from '../engine/exec.js';
import { typeName } from '../engine/values.js';
import { goBase64Decode } from '../consul/helpers.js';
import { int, str, strval } from './convert.js';

const B64_STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DAY_NS = 86_400_000_000_000n;

let asn1js: typeof Asn1js | undefined;

/**
 * genPrivateKey "dsa": an L2048N256 key in sprig's DSAKeyFormat, SEQUENCE { 0, P, Q, G, Y, X }
 * (the layout of OpenSSL's traditional "DSA PRIVATE KEY"), which node:crypto does not export.
 */
export function dsaKeyPem(): string {
  const der = (asn1js ??= createRequire(import.meta.url)('asn1js') as typeof Asn1js);
  const { privateKey, publicKey } = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 });
  const parse = (b: ArrayBuffer | Uint8Array) => der.fromBER(b).result as Asn1js.Sequence;
  const parts = (s: Asn1js.Sequence) => s.valueBlock.value;
  // PKCS #8: SEQUENCE { version, SEQUENCE { dsa, SEQUENCE { P, Q, G } }, OCTET STRING { X } }.
  const [, alg, wrapped] = parts(parse(privateKey.export({ type: 'pkcs8', format: 'der' })));
  const pqg = parts(parts(alg as Asn1js.Sequence)[1] as Asn1js.Sequence);
  const x = parse((wrapped as Asn1js.OctetString).valueBlock.valueHexView);
  // SubjectPublicKeyInfo: SEQUENCE { algorithm, BIT STRING { Y } }.
  const y = parse((parts(parse(publicKey.export({ type: 'spki', format: 'der' })))[1] as Asn1js.BitString).valueBlock.valueHexView);
  return pemEncode('DSA PRIVATE KEY', new Uint8Array(new der.Sequence({ value: [new der.Integer({ value: 0 }), ...pqg, y, x] }).toBER()));
}

/** Sprig's `certificate` struct: what the gen* functions return and genSignedCert takes. */
export class SprigCertificate {
  static goTypeName = 'sprig.certificate';
  constructor(
    readonly Cert: string,
    readonly Key: string,
  ) {}
}

/** sprig's parsePrivateKeyPEM: PKCS #8, or PKCS #1 / SEC 1 / DSA by the block type. */
function parsePrivateKey(pem: string): KeyObject {
  const block = pemDecode(pem);
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

/** pkix.Name{CommonName: cn}: Go writes no attribute for an empty common name. */
const commonName = (cn: string): Asn1X509.Name => dn(cn === '' ? [] : [[OID.CN, cn]]);

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
  const spkiDer = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const subject = commonName(cn);
  const signer = parent ?? { subject, key };
  // Go's x509 signs with, and certifies, RSA, ECDSA and Ed25519 keys only.
  let algorithm: string;
  try {
    algorithm = goSigAlgFor(signer.key);
  } catch (e) {
    throw new Error(`error creating certificate: ${(e as Error).message}`);
  }
  if (!['rsa', 'ec', 'ed25519'].includes(key.asymmetricKeyType ?? '')) {
    const type = key.asymmetricKeyType === 'dsa' ? '*dsa.PublicKey' : '*ecdh.PublicKey';
    throw new Error(`error creating certificate: x509: unsupported public key type: ${type}`);
  }
  // time.Now().Add(24h * days): Go's Duration wraps at 64 bits.
  const now = Date.now();
  const notAfter = now + Number(BigInt.asIntN(64, BigInt(days) * DAY_NS) / 1_000_000n);
  const sameName = Buffer.from(schema.AsnConvert.serialize(signer.subject)).equals(Buffer.from(schema.AsnConvert.serialize(subject)));
  const usage = x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.digitalSignature | (isCA ? x509.KeyUsageFlags.keyCertSign : 0);
  const keyId = isCA ? keyIdSha1(spkiDer) : undefined;
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
  const tbs = new x509.TBSCertificate({
    version: x509.Version.v3,
    serialNumber: randomSerial().bytes,
    signature: sigAlgId(algorithm),
    issuer: signer.subject,
    validity: new x509.Validity({ notBefore: new Date(now), notAfter: new Date(notAfter) }),
    subject,
    subjectPublicKeyInfo: schema.AsnConvert.parse(spkiDer, x509.SubjectPublicKeyInfo),
    extensions: new x509.Extensions(extensions),
  });
  return new SprigCertificate(signCert(tbs, signer.key), privateKeyPem(key));
}

/** The parsed certificate of a PEM text, with sprig's error texts. */
function parseCert(pem: string, what: string): Asn1X509.Certificate {
  const block = pemDecode(pem);
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
