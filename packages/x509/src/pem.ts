/** PEM (RFC 7468) as Go's encoding/pem writes and reads it. */

/** One PEM block: base64 in 64-character lines (Go's pem.Encode). */
export function pemEncode(type: string, der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${type}-----\n${body}-----END ${type}-----\n`;
}

/** The first PEM block of a text, as Go's pem.Decode finds it (headers skipped); undefined: none. */
export function pemDecode(text: string): { type: string; der: Buffer } | undefined {
  const m = /-----BEGIN ([^\n-]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) return undefined;
  return { type: m[1]!, der: Buffer.from(m[2]!.replace(/^[\w-]+:.*$/gm, '').replace(/\s+/g, ''), 'base64') };
}
