/**
 * A development CA and agent certificates as `consul tls` makes them: ECDSA P-256 keys (PEM
 * `EC PRIVATE KEY`), a self-signed CA named `Consul Agent CA <serial>`, leaf certificates
 * with CN `server.<dc>.<domain>` / `client.<dc>.<domain>`, their DNS and IP SANs, and
 * server+client auth. Node signs; @peculiar/asn1-x509 lays out the DER.
 *
 * With `-name-constraint` the CA carries a critical NameConstraints extension permitting only
 * the given DNS domains (Go's PermittedDNSDomains), and a leaf is checked against it before it
 * is handed out, as Consul's `tlsutil.Verify` (Go's x509 verifier) does after signing.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  GeneralSubtree,
  GeneralSubtrees,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_nameConstraints,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_clientAuth,
  id_kp_serverAuth,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  NameConstraints,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const DAY_MS = 86_400_000;

export interface Pem {
  cert: string;
  key: string;
}

export interface LeafOptions {
  /** Common name, also the first DNS SAN (`server.dc1.consul`). */
  name: string;
  dnsNames: string[];
  ipAddresses: string[];
  days: number;
}

function newKey(): { priv: KeyObject; spki: Buffer; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { priv: privateKey, spki: publicKey.export({ type: 'spki', format: 'der' }), pem: privateKey.export({ type: 'sec1', format: 'pem' }).toString() };
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey bits. */
function keyId(spki: Buffer): ArrayBuffer {
  const info = AsnConvert.parse(spki, SubjectPublicKeyInfo);
  return new Uint8Array(createHash('sha1').update(Buffer.from(info.subjectPublicKey)).digest()).buffer;
}

/**
 * A positive serial below 2^128 (Consul's GenerateSerialNumber), as a minimal DER INTEGER:
 * no leading zero byte unless the next byte's top bit is set. OpenSSL refuses padded integers,
 * so a serial drawn with a zero first byte would make an unreadable certificate.
 */
export function serialNumber(random: Buffer = randomBytes(16)): { bytes: ArrayBuffer; text: string } {
  let i = 0;
  while (i < random.length - 1 && random[i] === 0) i++;
  const digits = random.subarray(i);
  const b = digits[0]! & 0x80 ? Buffer.concat([Buffer.of(0), digits]) : Buffer.from(digits);
  return { bytes: new Uint8Array(b).buffer, text: BigInt(`0x${b.toString('hex')}`).toString(10) };
}

const OID = { C: '2.5.4.6', ST: '2.5.4.8', L: '2.5.4.7', STREET: '2.5.4.9', POSTAL: '2.5.4.17', O: '2.5.4.10', CN: '2.5.4.3' };

function name(attrs: [string, string][]): Name {
  // PrintableString where the text allows it, else UTF8String (as Go's x509 chooses).
  const str = (v: string): AttributeValue => new AttributeValue(/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(v) ? { printableString: v } : { utf8String: v });
  return new Name(attrs.map(([type, value]) => new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: str(value) })])));
}

function ext(id: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID: id, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

function signCert(tbs: TBSCertificate, signer: KeyObject): string {
  const der = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign('sha256', der, signer); // DER Ecdsa-Sig-Value, as X.509 wants
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }), signatureValue: new Uint8Array(signature).buffer });
  return new X509Certificate(Buffer.from(AsnConvert.serialize(cert))).toString();
}

function validity(days: number): Validity {
  const now = Date.now();
  return new Validity({ notBefore: new Date(now), notAfter: new Date(now + days * DAY_MS) });
}

/**
 * `consul tls ca create`: a self-signed CA valid for `days`. A non-empty `permittedDnsDomains`
 * adds a critical NameConstraints extension with one dNSName permitted subtree per entry, in
 * the order given (what Go writes for PermittedDNSDomains with PermittedDNSDomainsCritical).
 */
export function createCa(days: number, permittedDnsDomains: readonly string[] = []): Pem {
  const k = newKey();
  const sn = serialNumber();
  const id = keyId(k.spki);
  const subject = name([
    [OID.C, 'US'],
    [OID.POSTAL, '94105'],
    [OID.ST, 'CA'],
    [OID.L, 'San Francisco'],
    [OID.STREET, '101 Second Street'],
    [OID.O, 'HashiCorp Inc.'],
    [OID.CN, `Consul Agent CA ${sn.text}`],
  ]);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: sn.bytes,
    signature: new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    issuer: subject,
    subject,
    validity: validity(days),
    subjectPublicKeyInfo: AsnConvert.parse(k.spki, SubjectPublicKeyInfo),
    extensions: new Extensions([
      ext(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature)),
      ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: true })),
      ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(id)),
      ext(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(id) })),
      ...(permittedDnsDomains.length > 0 ? [ext(id_ce_nameConstraints, true, permittedDns(permittedDnsDomains))] : []),
    ]),
  });
  return { cert: signCert(tbs, k.priv), key: k.pem };
}

function permittedDns(domains: readonly string[]): NameConstraints {
  const subtrees = domains.map((d) => new GeneralSubtree({ base: new GeneralName({ dNSName: d }) }));
  return new NameConstraints({ permittedSubtrees: new GeneralSubtrees(subtrees) });
}

/** The CA's DNS name constraints, or undefined when it has no NameConstraints extension. */
export function dnsNameConstraints(caDer: Buffer): { permitted: string[]; excluded: string[] } | undefined {
  const raw = AsnConvert.parse(caDer, Certificate).tbsCertificate.extensions?.find((e) => e.extnID === id_ce_nameConstraints);
  if (raw === undefined) return undefined;
  const nc = AsnConvert.parse(raw.extnValue.buffer, NameConstraints);
  const dns = (subtrees: GeneralSubtrees | undefined): string[] => (subtrees ?? []).flatMap((s) => (s.base.dNSName === undefined ? [] : [s.base.dNSName]));
  return { permitted: dns(nc.permittedSubtrees), excluded: dns(nc.excludedSubtrees) };
}

/**
 * Go's matchDomainConstraint: an empty constraint matches everything; otherwise the name must
 * end with the constraint's labels (case-insensitive), and a leading dot asks for at least one
 * more label. `server.dc1.consul` is within `consul`; `notconsul` and `consul.example` are not.
 */
export function dnsNameWithin(name: string, constraint: string): boolean {
  if (constraint === '') return true;
  const sub = constraint.startsWith('.');
  const labels = (d: string): string[] => d.toLowerCase().split('.').reverse();
  const n = labels(name);
  const c = labels(sub ? constraint.slice(1) : constraint);
  if (n.length < c.length || (sub && n.length === c.length)) return false;
  return c.every((label, i) => label === n[i]);
}

/**
 * The error Go's x509 verifier gives for the first DNS name the CA may not sign (excluded
 * subtrees first, then permitted ones), or undefined. Only dNSName constraints are checked:
 * they are the only kind Consul writes; IP SANs are unconstrained by them.
 */
export function nameConstraintError(caDer: Buffer, dnsNames: readonly string[]): string | undefined {
  const nc = dnsNameConstraints(caDer);
  if (nc === undefined) return undefined;
  const prefix = 'x509: a root or intermediate certificate is not authorized to sign for this name: ';
  for (const name of dnsNames) {
    const excludedBy = nc.excluded.find((c) => dnsNameWithin(name, c));
    if (excludedBy !== undefined) return `${prefix}DNS name ${JSON.stringify(name)} is excluded by constraint ${JSON.stringify(excludedBy)}`;
    if (nc.permitted.length > 0 && !nc.permitted.some((c) => dnsNameWithin(name, c))) return `${prefix}DNS name ${JSON.stringify(name)} is not permitted by any constraint`;
  }
  return undefined;
}

/** `consul tls cert create`: a leaf certificate signed by the CA (PEM cert and key). */
export function createLeaf(ca: Pem, o: LeafOptions): Pem {
  const caCert = new X509Certificate(ca.cert);
  const caKey = createPrivateKey(ca.key);
  if (!caCert.checkPrivateKey(caKey)) throw new Error('CA key does not match the CA certificate');
  const caParsed = AsnConvert.parse(caCert.raw, Certificate);
  const k = newKey();
  const sans = [...o.dnsNames.map((d) => new GeneralName({ dNSName: d })), ...o.ipAddresses.map((ip) => new GeneralName({ iPAddress: ip }))];
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serialNumber().bytes,
    signature: new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    issuer: caParsed.tbsCertificate.subject,
    subject: name([[OID.CN, o.name]]),
    validity: validity(o.days),
    subjectPublicKeyInfo: AsnConvert.parse(k.spki, SubjectPublicKeyInfo),
    extensions: new Extensions([
      ext(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment)),
      ext(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth, id_kp_clientAuth])),
      ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
      ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId(k.spki))),
      ext(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId(caCert.publicKey.export({ type: 'spki', format: 'der' }))) })),
      ext(id_ce_subjectAltName, false, new SubjectAlternativeName(sans)),
    ]),
  });
  const cert = signCert(tbs, caKey);
  if (!new X509Certificate(cert).verify(caCert.publicKey)) throw new Error('the new certificate does not verify against the CA');
  const refused = nameConstraintError(caCert.raw, o.dnsNames);
  if (refused !== undefined) throw new Error(refused);
  return { cert, key: k.pem };
}
