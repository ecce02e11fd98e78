/** What the proxy reads from a peer's certificate: the first URI SAN (Consul's extractCertURI) and the serial. */
import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, id_ce_subjectAltName, SubjectAlternativeName } from '@peculiar/asn1-x509';
import { encodeSerialNumber } from './spiffe.js';

/** The certificate's URI SANs in order, read from the DER (not from OpenSSL's display text). */
export function uriSans(der: Buffer): string[] {
  const ext = AsnConvert.parse(der, Certificate).tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectAltName);
  if (!ext) return [];
  const san = AsnConvert.parse(ext.extnValue.buffer, SubjectAlternativeName);
  return san.flatMap((n) => (n.uniformResourceIdentifier === undefined ? [] : [n.uniformResourceIdentifier]));
}

export interface PeerIdentity {
  /** The first URI SAN; undefined when there is none. */
  uri: string | undefined;
  /** Consul's encoding: lower-case hex bytes joined by `:`. */
  serial: string;
}

export function peerIdentity(der: Buffer): PeerIdentity {
  return { uri: uriSans(der)[0], serial: encodeSerialNumber(new X509Certificate(der).serialNumber) };
}

