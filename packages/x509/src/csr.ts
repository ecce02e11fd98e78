/**
 * PKCS #10 certificate signing requests (RFC 2986), as Consul's connect.CreateCSR writes them
 * and connect.ParseCSR reads them (agent/connect/csr.go, parsing.go): an empty subject, the SANs
 * (URI, DNS, IP) in an extensionRequest attribute, signed by the requester's key. The few DER
 * structures asn1-x509 has no class for are laid out here with a minimal TLV reader and writer.
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { Extension } from '@peculiar/asn1-x509';
import { sigAlgFor, sigAlgId } from './algorithms.js';
import { asn1 } from './asn1.js';
import { ext } from './builder.js';
import { pemDecode, pemEncode } from './pem.js';

const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? Buffer.of(n) : n < 0x100 ? Buffer.of(0x81, n) : n < 0x10000 ? Buffer.of(0x82, n >> 8, n & 0xff) : Buffer.of(0x83, n >> 16, (n >> 8) & 0xff, n & 0xff);
  return Buffer.concat([Buffer.of(tag), len, content]);
}

interface Tlv {
  tag: number;
  /** The whole element (tag, length, content). */
  raw: Buffer;
  content: Buffer;
}

/** The elements of a DER sequence's content, in order. */
function children(content: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < content.length) {
    const tag = content[i]!;
    let len = content[i + 1];
    let hdr = 2;
    if (len === undefined) throw new Error('truncated DER');
    if (len & 0x80) {
      const octets = len & 0x7f;
      if (octets < 1 || octets > 3) throw new Error('unsupported DER length');
      len = 0;
      for (let k = 0; k < octets; k++) len = (len << 8) | content[i + 2 + k]!;
      hdr += octets;
    }
    if (i + hdr + len > content.length) throw new Error('truncated DER');
    out.push({ tag, raw: content.subarray(i, i + hdr + len), content: content.subarray(i + hdr, i + hdr + len) });
    i += hdr + len;
  }
  return out;
}

export interface CsrSans {
  uris: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
}

/**
 * A CSR (PEM `CERTIFICATE REQUEST`) for `key` with these SANs and an empty subject; `extra`
 * extensions are requested too (a CA's basic constraints, as connect.CreateCACSR adds them).
 */
export function createCsr(key: KeyObject, spki: Buffer, sans: CsrSans, extra: Extension[] = []): string {
  const { schema, x509 } = asn1();
  const names = [
    ...(sans.dnsNames ?? []).map((d) => new x509.GeneralName({ dNSName: d })),
    ...(sans.ipAddresses ?? []).map((ip) => new x509.GeneralName({ iPAddress: ip })),
    ...sans.uris.map((u) => new x509.GeneralName({ uniformResourceIdentifier: u })),
  ];
  const extensions = new x509.Extensions([ext(x509.id_ce_subjectAltName, false, new x509.SubjectAlternativeName(names)), ...extra]);
  const attr = new x509.Attribute({ type: EXTENSION_REQUEST, values: [schema.AsnConvert.serialize(extensions)] });
  const info = tlv(0x30, Buffer.concat([
    Buffer.of(0x02, 0x01, 0x00),
    Buffer.from(schema.AsnConvert.serialize(new x509.Name([]))),
    spki,
    tlv(0xa0, Buffer.from(schema.AsnConvert.serialize(attr))),
  ]));
  const signature = sign('sha256', info, key);
  const der = tlv(0x30, Buffer.concat([info, Buffer.from(schema.AsnConvert.serialize(sigAlgId(sigAlgFor(key)))), tlv(0x03, Buffer.concat([Buffer.of(0), signature]))]));
  return pemEncode('CERTIFICATE REQUEST', der);
}

export interface ParsedCsr {
  publicKey: KeyObject;
  /** SubjectPublicKeyInfo DER. */
  spki: Buffer;
  uris: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
}

/** Consul's connect.ParseCSR, with the signature checked (Go's x509 does on CheckSignature). */
export function parseCsr(pem: string): ParsedCsr {
  const block = pemDecode(pem);
  if (!block) throw new Error('no PEM-encoded data found');
  if (block.type !== 'CERTIFICATE REQUEST') throw new Error('first PEM-block should be CERTIFICATE REQUEST type');
  const [outer] = children(block.der);
  if (!outer || outer.tag !== 0x30) throw new Error('x509: malformed certificate request');
  const [info, , sig] = children(outer.content);
  if (!info || !sig || sig.tag !== 0x03) throw new Error('x509: malformed certificate request');
  const parts = children(info.content);
  const spkiEl = parts[2];
  if (!spkiEl) throw new Error('x509: malformed certificate request');
  const spki = Buffer.from(spkiEl.raw);
  const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  if (!verify('sha256', info.raw, publicKey, sig.content.subarray(1))) throw new Error('x509: ECDSA verification failure');
  const out: ParsedCsr = { publicKey, spki, uris: [], dnsNames: [], ipAddresses: [], emailAddresses: [] };
  const attrs = parts[3];
  if (attrs && attrs.tag === 0xa0) {
    const { schema, x509 } = asn1();
    for (const a of children(attrs.content)) {
      const attr = schema.AsnConvert.parse(a.raw, x509.Attribute);
      if (attr.type !== EXTENSION_REQUEST) continue;
      for (const v of attr.values) {
        for (const e of schema.AsnConvert.parse(v, x509.Extensions)) {
          if (e.extnID !== x509.id_ce_subjectAltName) continue;
          for (const n of schema.AsnConvert.parse(e.extnValue.buffer, x509.SubjectAlternativeName)) {
            if (n.uniformResourceIdentifier !== undefined) out.uris.push(n.uniformResourceIdentifier);
            if (n.dNSName !== undefined) out.dnsNames.push(n.dNSName);
            if (n.iPAddress !== undefined) out.ipAddresses.push(n.iPAddress);
            if (n.rfc822Name !== undefined) out.emailAddresses.push(n.rfc822Name);
          }
        }
      }
    }
  }
  return out;
}
