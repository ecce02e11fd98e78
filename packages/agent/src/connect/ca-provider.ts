/**
 * Consul's built-in CA provider (agent/connect/ca/provider_consul.go) as pure functions of
 * their inputs: the root certificate it generates (generateCA), the leaf certificates it signs
 * (Sign) and the cross-signature of a new root by the old key during a rotation (CrossSignCA).
 * Keys, serials and times come from the caller (the leader), never from here.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  Extensions,
  GeneralName,
  type Extension,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_clientAuth,
  id_kp_serverAuth,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';
import { derInteger, dn, ext, hexString, keyIdSha256, OID, parseCertificate, sigAlgFor, sigAlgId, signCert } from '@proconsul/x509';
import { trustDomain } from './spiffe.js';

/** Go's time.Now().Add(-1 * time.Minute): leaves are valid from a minute ago (clock drift). */
const DRIFT_MS = 60_000;
/** CrossSignCA: a cross-signed root lives 7 days (old leaves expire within 3). */
const CROSS_SIGN_MS = 7 * 86_400_000;

/** spiffe://<cluster-id>.consul, the signing (trust domain) URI (uri_signing.go). */
export function signingUri(clusterId: string): string {
  return `spiffe://${trustDomain(clusterId)}`;
}

/** connect.CompactUID: 8 base-36 characters of randomness. */
export function compactUid(random: Buffer = randomBytes(8)): string {
  return random.readBigUInt64LE().toString(36).slice(0, 8);
}

/** connect.CACN: `pri-<uid>.<provider>.ca.<trust-domain first 8>.consul`. */
export function caCommonName(provider: string, uid: string, clusterId: string, primary = true): string {
  const clean = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  return `${primary ? 'pri' : 'sec'}-${clean(uid).slice(0, 8)}.${clean(provider).slice(0, 32)}.ca.${clusterId.slice(0, 8)}.consul`;
}

/** The SubjectPublicKeyInfo DER of a private key's public half. */
const spkiOf = (key: KeyObject): Buffer => createPublicKey(key).export({ type: 'spki', format: 'der' });

export interface RootInput {
  privateKeyPem: string;
  clusterId: string;
  serial: bigint;
  nowMs: number;
  ttlMs: number;
  /** CompactUID for the common name (random by default). */
  uid?: string;
}

/** generateCA: the self-signed root of the built-in provider. */
export function generateRoot(o: RootInput): string {
  const key = createPrivateKey(o.privateKeyPem);
  const spki = spkiOf(key);
  const id = keyIdSha256(spki);
  const subject = dn([[OID.CN, caCommonName('consul', o.uid ?? compactUid(), o.clusterId)]]);
  const alg = sigAlgId(sigAlgFor(key));
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: derInteger(o.serial),
    signature: alg,
    issuer: subject,
    subject,
    validity: new Validity({ notBefore: new Date(o.nowMs), notAfter: new Date(o.nowMs + o.ttlMs) }),
    subjectPublicKeyInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo),
    extensions: new Extensions([
      ext(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature)),
      ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: true })),
      ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(new Uint8Array(id).buffer)),
      ext(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(new Uint8Array(id).buffer) })),
      ext(id_ce_subjectAltName, false, new SubjectAlternativeName([new GeneralName({ uniformResourceIdentifier: signingUri(o.clusterId) })])),
    ]),
  });
  return signCert(tbs, key);
}

export interface LeafInput {
  caCertPem: string;
  caKeyPem: string;
  /** The CSR's SubjectPublicKeyInfo DER and SANs. */
  spki: Buffer;
  uris: string[];
  dnsNames: string[];
  ipAddresses: string[];
  serial: bigint;
  nowMs: number;
  ttlMs: number;
}

/** What a CA key issues to a CSR's key: the issuer, serial, validity and subject key. */
interface Issue {
  caCertPem: string;
  caKeyPem: string;
  spki: Buffer;
  serial: bigint;
  nowMs: number;
  ttlMs: number;
}

/**
 * A certificate with an empty subject (as Consul's CSRs have) for `o.spki`, issued by the CA
 * and valid from a minute ago; `extensions` gets the key identifiers of both keys.
 */
function issueWithEmptySubject(o: Issue, extensions: (ids: { subject: ArrayBuffer; authority: ArrayBuffer }) => Extension[]): string {
  const caKey = createPrivateKey(o.caKeyPem);
  const ca = parseCertificate(o.caCertPem);
  const start = o.nowMs - DRIFT_MS;
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: derInteger(o.serial),
    signature: sigAlgId(sigAlgFor(caKey)),
    issuer: ca.tbsCertificate.subject,
    subject: new Name([]),
    validity: new Validity({ notBefore: new Date(start), notAfter: new Date(start + o.ttlMs) }),
    subjectPublicKeyInfo: AsnConvert.parse(o.spki, SubjectPublicKeyInfo),
    extensions: new Extensions(extensions({ subject: new Uint8Array(keyIdSha256(o.spki)).buffer, authority: new Uint8Array(keyIdSha256(spkiOf(caKey))).buffer })),
  });
  return signCert(tbs, caKey);
}

/** Sign: a leaf with only SANs (empty subject, so the SAN extension is critical, as Go writes it). */
export function signLeaf(o: LeafInput): string {
  const sans = [
    ...o.dnsNames.map((d) => new GeneralName({ dNSName: d })),
    ...o.ipAddresses.map((ip) => new GeneralName({ iPAddress: ip })),
    ...o.uris.map((u) => new GeneralName({ uniformResourceIdentifier: u })),
  ];
  return issueWithEmptySubject(o, (ids) => [
    ext(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment | KeyUsageFlags.dataEncipherment | KeyUsageFlags.keyAgreement)),
    ext(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_clientAuth, id_kp_serverAuth])),
    ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
    ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(ids.subject)),
    ext(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(ids.authority) })),
    ext(id_ce_subjectAltName, true, new SubjectAlternativeName(sans)),
  ]);
}

export interface IntermediateInput {
  /** The primary's root and its key. */
  caCertPem: string;
  caKeyPem: string;
  /** The CSR's SubjectPublicKeyInfo DER and URI SANs (the secondary's signing ID). */
  spki: Buffer;
  uris: string[];
  serial: bigint;
  nowMs: number;
  /** IntermediateCertTTL of the primary's provider config. */
  ttlMs: number;
}

/**
 * SignIntermediate: a secondary datacenter's CA certificate issued by the primary's root, with a
 * path length of 0 (it signs leaves only). Its subject is the CSR's (empty, as Consul's
 * CreateCACSR writes it), so the URI SAN is critical, as Go writes it.
 */
export function signIntermediate(o: IntermediateInput): string {
  return issueWithEmptySubject(o, (ids) => [
    ext(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature)),
    ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: true, pathLenConstraint: 0 })),
    ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(ids.subject)),
    ext(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(ids.authority) })),
    // No URI, no SAN (a CSR without one is accepted: validateSignIntermediate).
    ...(o.uris.length > 0 ? [ext(id_ce_subjectAltName, true, new SubjectAlternativeName(o.uris.map((u) => new GeneralName({ uniformResourceIdentifier: u }))))] : []),
  ]);
}

/** connect.CreateCAExtension: the basic constraints a CA CSR requests (critical, CA, path length 0). */
export function caCsrExtension(): Extension {
  return ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: true, pathLenConstraint: 0 }));
}

/** CrossSignCA: the new root's certificate issued by the old root's key (valid 7 days). */
export function crossSign(newRootPem: string, oldRootPem: string, oldKeyPem: string, serial: bigint, nowMs: number): string {
  const oldKey = createPrivateKey(oldKeyPem);
  const fresh = parseCertificate(newRootPem).tbsCertificate;
  const old = parseCertificate(oldRootPem).tbsCertificate;
  const start = nowMs - DRIFT_MS;
  const akid = new Uint8Array(keyIdSha256(spkiOf(oldKey))).buffer;
  const extensions = new Extensions((fresh.extensions ?? []).map((e) =>
    e.extnID === id_ce_authorityKeyIdentifier ? ext(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(akid) })) : e,
  ));
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: derInteger(serial),
    signature: sigAlgId(sigAlgFor(oldKey)),
    issuer: old.subject,
    subject: fresh.subject,
    validity: new Validity({ notBefore: new Date(start), notAfter: new Date(start + CROSS_SIGN_MS) }),
    subjectPublicKeyInfo: fresh.subjectPublicKeyInfo,
    extensions,
  });
  return signCert(tbs, oldKey);
}

export interface CertInfo {
  /** connect.CalculateCertFingerprint: SHA-1 of the DER, colon hex. */
  id: string;
  serial: bigint;
  /** Colon hex of the SubjectKeyId (connect.EncodeSigningKeyID). */
  subjectKeyId: string;
  notBefore: Date;
  notAfter: Date;
  keyType: 'ec' | 'rsa';
  keyBits: number;
  uris: string[];
}

const CURVE_BITS: Record<string, number> = { 'prime256v1': 256, 'secp224r1': 224, 'secp384r1': 384, 'secp521r1': 521, 'P-256': 256, 'P-224': 224, 'P-384': 384, 'P-521': 521 };

/** What Consul reads off a certificate (newCARoot, KeyInfoFromCert, the IssuedCert fields). */
export function certInfo(pem: string): CertInfo {
  const x = new X509Certificate(pem);
  const parsed = parseCertificate(x.raw).tbsCertificate;
  const skidExt = parsed.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
  const skid = skidExt ? new Uint8Array(AsnConvert.parse(skidExt.extnValue.buffer, SubjectKeyIdentifier).buffer) : new Uint8Array();
  const sanExt = parsed.extensions?.find((e) => e.extnID === id_ce_subjectAltName);
  const uris = sanExt ? AsnConvert.parse(sanExt.extnValue.buffer, SubjectAlternativeName).flatMap((n) => (n.uniformResourceIdentifier !== undefined ? [n.uniformResourceIdentifier] : [])) : [];
  const details = x.publicKey.asymmetricKeyDetails ?? {};
  const keyType = x.publicKey.asymmetricKeyType === 'rsa' ? 'rsa' : 'ec';
  const keyBits = keyType === 'rsa' ? (details.modulusLength ?? 0) : (CURVE_BITS[details.namedCurve ?? ''] ?? 0);
  return {
    id: hexString(createHash('sha1').update(x.raw).digest()),
    serial: BigInt(`0x${x.serialNumber}`),
    subjectKeyId: hexString(skid),
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
    keyType,
    keyBits,
    uris,
  };
}

/** Consul's provider ID: SHA-256 of its key, root, key settings and role (Configure). */
export function providerId(privateKey: string, rootCert: string, keyType: string, keyBits: number, isPrimary = true): string {
  return hexString(createHash('sha256').update(`${privateKey},${rootCert},${keyType},${keyBits},${isPrimary}`).digest());
}
