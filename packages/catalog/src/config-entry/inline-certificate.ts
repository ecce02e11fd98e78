/**
 * The inline-certificate kind as Consul 1.17 CE declares it
 * (agent/structs/config_entry_inline_certificate.go): a PEM certificate and private key an
 * api-gateway listener refers to. Validate parses both, checks the RSA key length, that the
 * key matches the certificate (crypto/tls X509KeyPair's checks and texts) and that every host
 * the certificate names is a DNS name. Entries carry no Hash (Consul's hashstructure value).
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { isDomainName } from './gateway-validate.js';
import { metaErrors } from './validate.js';
import { f, multiError, o, type StructType } from './schema.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** structs.InlineCertificateConfigEntry. */
export const INLINE_CERTIFICATE: StructType = {
  fields: [f('Kind', 'string'), f('Name', 'string'), f('Certificate', 'string'), f('PrivateKey', 'string'), o('Meta', 'stringMap')],
};

/** Envoy drops RSA keys shorter than this (MinKeyLength). */
const MIN_RSA_KEY_BITS = 2048;

interface PemBlock {
  type: string;
  text: string;
  der: Buffer;
}

const PEM_BLOCK = /-----BEGIN ([^\r\n-]*)-----\r?\n([A-Za-z0-9+/=\s]*?)-----END \1-----/g;

/** The PEM blocks in `s`, in order (what repeated pem.Decode calls find). */
function pemBlocks(s: string): PemBlock[] {
  return [...s.matchAll(PEM_BLOCK)].map((m) => ({ type: m[1]!, text: m[0], der: Buffer.from(m[2]!.replace(/\s/g, ''), 'base64') }));
}

function parseCertificate(der: Buffer): X509Certificate | undefined {
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
}

function parseKey(pem: string): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

/** crypto/tls X509KeyPair: the certificate and key blocks found, parsed and matched. */
function keyPairError(certPem: string, keyPem: string): string | undefined {
  const certBlocks = pemBlocks(certPem);
  const certs = certBlocks.filter((b) => b.type === 'CERTIFICATE');
  if (certs.length === 0) {
    const skipped = certBlocks.map((b) => b.type);
    if (skipped.length === 0) return 'tls: failed to find any PEM data in certificate input';
    if (skipped.length === 1 && skipped[0]!.endsWith('PRIVATE KEY')) {
      return 'tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched';
    }
    return `tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: [${skipped.join(' ')}]`;
  }
  const skipped: string[] = [];
  let keyBlock: PemBlock | undefined;
  for (const b of pemBlocks(keyPem)) {
    if (b.type === 'PRIVATE KEY' || b.type.endsWith(' PRIVATE KEY')) {
      keyBlock = b;
      break;
    }
    skipped.push(b.type);
  }
  if (!keyBlock) {
    if (skipped.length === 0) return 'tls: failed to find any PEM data in key input';
    if (skipped.length === 1 && skipped[0] === 'CERTIFICATE') return 'tls: found a certificate rather than a key in the PEM for the private key';
    return `tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM blocks of the following types: [${skipped.join(' ')}]`;
  }
  const cert = parseCertificate(certs[0]!.der);
  if (!cert) return 'x509: malformed certificate';
  const key = parseKey(keyBlock.text);
  if (!key) return 'tls: failed to parse private key';
  const pubType = cert.publicKey.asymmetricKeyType;
  if (pubType !== 'rsa' && pubType !== 'ec' && pubType !== 'ed25519') return 'tls: unknown public key algorithm';
  if (key.asymmetricKeyType !== pubType) return 'tls: private key type does not match public key type';
  return cert.checkPrivateKey(key) ? undefined : 'tls: private key does not match public key';
}

/** The hosts a certificate names: its subject CN, DNS SANs and IP SANs (InlineCertificateConfigEntry.Hosts). */
function certificateHosts(cert: X509Certificate): string[] {
  const cn = cert.subject.split('\n').find((line) => line.startsWith('CN='));
  const hosts = [cn ? cn.slice(3) : ''];
  for (const san of (cert.subjectAltName ?? '').split(', ')) {
    if (san.startsWith('DNS:')) hosts.push(san.slice(4));
    else if (san.startsWith('IP Address:')) hosts.push(san.slice(11));
  }
  return hosts;
}

/** Normalize (nothing in CE but the Hash) then Validate. */
export function inlineCertificate(e: Obj): string | undefined {
  const meta = metaErrors(e.Meta);
  if (meta.length > 0) return multiError(meta);
  const keyBlock = pemBlocks(str(e.PrivateKey))[0];
  if (!keyBlock) return 'failed to parse private key PEM';
  if (keyBlock.type === 'RSA PRIVATE KEY') {
    // validateKeyLength (non-FIPS).
    const key = parseKey(keyBlock.text);
    if (!key) return 'x509: failed to parse private key';
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_KEY_BITS) return 'key length must be at least 2048 bits';
  }
  const certBlock = pemBlocks(str(e.Certificate))[0];
  if (!certBlock) return 'failed to parse certificate PEM';
  const cert = parseCertificate(certBlock.der);
  if (!cert) return 'failed to parse certificate: x509: malformed certificate';
  const pair = keyPairError(str(e.Certificate), str(e.PrivateKey));
  if (pair) return pair;
  for (const host of certificateHosts(cert)) {
    if (!isDomainName(host)) return `host ${JSON.stringify(host)} must be a valid DNS hostname`;
  }
  return undefined;
}
