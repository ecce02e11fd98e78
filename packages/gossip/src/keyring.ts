// The encryption keyring (memberlist keyring.go): several installed keys, one primary. Packets
// are encrypted with the primary key and accepted under any installed key, which lets an
// operator rotate keys across a live cluster: install the new key everywhere, use it, then
// remove the old one. Keys are base64 strings of 16, 24 or 32 bytes (AES-128/192/256, as
// memberlist accepts); `proconsul keygen` prints 32.

import { randomBytes } from 'node:crypto';

/** The size `generateKey` uses (AES-256). */
export const KEY_BYTES = 32;
/** Key sizes memberlist accepts: AES-128, AES-192 and AES-256. */
export const KEY_SIZES: readonly number[] = [16, 24, 32];

/** A new random key, base64 (what `proconsul keygen` prints). */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

export function decodeKey(b64: string): Buffer {
  if (typeof b64 !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new Error('key must be base64');
  const key = Buffer.from(b64, 'base64');
  if (key.toString('base64') !== b64) throw new Error('key must be base64');
  if (!KEY_SIZES.includes(key.length)) throw new Error('key size must be 16, 24 or 32 bytes');
  return key;
}

export class Keyring {
  private keys: Buffer[] = [];

  /** The first key becomes the primary. */
  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new Error('keyring needs at least one key');
    for (const k of keys) this.install(k);
  }

  /** Adds a key for decryption (no-op if present). */
  install(b64: string): void {
    const key = decodeKey(b64);
    if (!this.keys.some((k) => k.equals(key))) this.keys.push(key);
  }

  /** Makes an installed key the primary (the one we encrypt with). */
  use(b64: string): void {
    const key = decodeKey(b64);
    const i = this.keys.findIndex((k) => k.equals(key));
    if (i < 0) throw new Error('Requested key is not in the keyring');
    this.keys.splice(i, 1);
    this.keys.unshift(key);
  }

  /** Removes a key; the primary cannot be removed. */
  remove(b64: string): void {
    const key = decodeKey(b64);
    if (this.keys[0]!.equals(key)) throw new Error('Removing the primary key is not allowed');
    this.keys = this.keys.filter((k) => !k.equals(key));
  }

  list(): { primary: string; keys: string[] } {
    return { primary: this.keys[0]!.toString('base64'), keys: this.keys.map((k) => k.toString('base64')) };
  }

  primaryKey(): Buffer {
    return this.keys[0]!;
  }

  allKeys(): readonly Buffer[] {
    return this.keys;
  }
}
