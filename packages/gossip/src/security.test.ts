import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeKey, generateKey, Keyring } from './keyring.js';
import { decryptPayload, encryptPayload, ENCRYPT_OVERHEAD } from './security.js';

const k = () => randomBytes(32).toString('base64');

describe('keyring', () => {
  it('accepts only base64 keys of 16, 24 or 32 bytes', () => {
    expect(decodeKey(k())).toHaveLength(32);
    for (const n of [16, 24]) expect(decodeKey(randomBytes(n).toString('base64'))).toHaveLength(n);
    for (const n of [8, 20, 31, 33]) expect(() => decodeKey(randomBytes(n).toString('base64'))).toThrow(/16, 24 or 32 bytes/);
    expect(() => decodeKey('not base64!')).toThrow(/base64/);
    expect(() => new Keyring([])).toThrow();
    expect(decodeKey(generateKey())).toHaveLength(32);
    expect(generateKey()).not.toBe(generateKey());
  });

  it('installs, uses and removes keys; the primary cannot be removed', () => {
    const [a, b] = [k(), k()];
    const ring = new Keyring([a]);
    ring.install(b);
    ring.install(b);
    expect(ring.list()).toEqual({ primary: a, keys: [a, b] });
    expect(() => ring.remove(a)).toThrow(/primary key is not allowed/);
    ring.use(b);
    expect(ring.list().primary).toBe(b);
    ring.remove(a);
    expect(ring.list().keys).toEqual([b]);
    expect(() => ring.use(a)).toThrow(/not in the keyring/);
  });
});

describe('AES-GCM packets', () => {
  it('uses AES-128, -192 or -256 by key size', () => {
    for (const n of [16, 24, 32]) {
      const key = randomBytes(n);
      const sealed = encryptPayload(key, Buffer.from('x'));
      expect(decryptPayload([randomBytes(n), key], sealed)?.toString()).toBe('x');
    }
  });

  it('round-trips under any installed key and rejects other keys or tampering', () => {
    const [a, b, c] = [decodeKey(k()), decodeKey(k()), decodeKey(k())];
    const msg = Buffer.from('hello gossip');
    const sealed = encryptPayload(a, msg);
    expect(sealed.length).toBe(msg.length + ENCRYPT_OVERHEAD);
    expect(decryptPayload([b, a], sealed)?.toString()).toBe('hello gossip');
    expect(decryptPayload([b, c], sealed)).toBeUndefined();
    const tampered = Buffer.from(sealed);
    tampered[20]! ^= 1;
    expect(decryptPayload([a], tampered)).toBeUndefined();
    expect(decryptPayload([a], sealed.subarray(0, 10))).toBeUndefined();
    expect(decryptPayload([a], msg)).toBeUndefined();
  });
});
