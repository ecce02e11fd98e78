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
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
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
  NameConstraints,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';
import { dn as name, ECDSA_WITH_SHA256, ext, goSigAlgFor, keyIdSha1 as keyId, newKey, OID, randomSerial, signCert, sigAlgId } from '@proconsul/x509';

const DAY_MS = 86_400_000;

/** The random serial of `consul tls` certificates (shared with the agent's certificate builder). */
export const serialNumber = randomSerial;

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

function validity(days: number): Validity {
  const now = Date.now();
  return new Validity({ notBefore: new Date(now), notAfter: new Date(now + days * DAY_MS) });
}

export interface CaOptions {
  /** Critical NameConstraints with one dNSName permitted subtree per entry, in the order given
   * (what Go writes for PermittedDNSDomains with PermittedDNSDomainsCritical). */
  permittedDnsDomains?: readonly string[];
  /** The subject's CN; default `Consul Agent CA <serial>`. */
  commonName?: string;
  /** With `domain`: a URI SAN `spiffe://<clusterId>.<domain>` (Consul's SpiffeIDSigning). */
  clusterId?: string;
  domain?: string;
}

/** `consul tls ca create` (tlsutil.GenerateCA): a self-signed CA valid for `days`. */
export function createCa(days: number, opts: CaOptions = {}): Pem {
  const permittedDnsDomains = opts.permittedDnsDomains ?? [];
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
    [OID.CN, opts.commonName || `Consul Agent CA ${sn.text}`],
  ]);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: sn.bytes,
    signature: sigAlgId(ECDSA_WITH_SHA256),
    issuer: subject,
    subject,
    validity: validity(days),
    subjectPublicKeyInfo: AsnConvert.parse(k.spki, SubjectPublicKeyInfo),
    extensions: new Extensions([
      ext(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature)),
      ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: true })),
      ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(id)),
      ext(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(id) })),
      ...(opts.clusterId ? [ext(id_ce_subjectAltName, false, new SubjectAlternativeName([new GeneralName({ uniformResourceIdentifier: `spiffe://${opts.clusterId}.${opts.domain ?? 'consul'}` })]))] : []),
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
    // tlsutil.GenerateCert sets no SignatureAlgorithm: Go's default for the CA's key (an RSA CA signs with SHA256WithRSA).
    signature: sigAlgId(goSigAlgFor(caKey)),
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
