// Packet encryption (memberlist security.go): AES-GCM (128, 192 or 256 by key size), laid out as
//   [version 1][12-byte random nonce][ciphertext][16-byte tag]
// Decryption tries every installed key; a packet no key opens is dropped by the caller.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Bytes encryption adds to a payload. */
export const ENCRYPT_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;

function gcm(key: Buffer): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  return key.length === 16 ? 'aes-128-gcm' : key.length === 24 ? 'aes-192-gcm' : 'aes-256-gcm';
}

export function encryptPayload(key: Buffer, plain: Uint8Array, nonce: Buffer = randomBytes(NONCE_BYTES)): Buffer {
  const c = createCipheriv(gcm(key), key, nonce);
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([Buffer.of(VERSION), nonce, body, c.getAuthTag()]);
}

export function decryptPayload(keys: readonly Buffer[], data: Uint8Array): Buffer | undefined {
  if (data.length < ENCRYPT_OVERHEAD || data[0] !== VERSION) return undefined;
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const nonce = buf.subarray(1, 1 + NONCE_BYTES);
  const body = buf.subarray(1 + NONCE_BYTES, buf.length - TAG_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  for (const key of keys) {
    try {
      const d = createDecipheriv(gcm(key), key, nonce);
      d.setAuthTag(tag);
      return Buffer.concat([d.update(body), d.final()]);
    } catch {
      // wrong key: try the next one
    }
  }
  return undefined;
}
