// Sprig's hash, password and cipher functions (sprig crypto.go). Where Sprig
// returns an error as the result text ("failed to ..."), so do these.

import { createCipheriv, createDecipheriv, createHash, createHmac, generateKeyPairSync, randomBytes, scryptSync } from 'node:crypto';
import bcryptLib from 'bcryptjs';
import { privateKeyPem } from '@proconsul/x509';
import type { FuncMap } from '../engine/exec.js';
import { goBase64Decode } from '../consul/helpers.js';
import { dsaKeyPem } from './certs.js';
import { int, str } from './convert.js';

const B64_STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** hash/adler32.Checksum. */
function adler32(b: Buffer): number {
  let a = 1;
  let s = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    s = (s + a) % 65521;
  }
  return (s * 65536 + a) >>> 0;
}

/** x/crypto/bcrypt GenerateFromPassword at DefaultCost (10); Go writes the $2a$ prefix. */
function bcrypt(input: string): string {
  if (Buffer.byteLength(input) > 72) return 'failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes';
  return bcryptLib.hashSync(input, 10).replace(/^\$2b\$/, '$2a$');
}

// derivePassword: the Master Password algorithm's templates (sprig crypto.go).
const PASSWORD_TEMPLATES: Record<string, string[]> = {
  maximum: ['anoxxxxxxxxxxxxxxxxx', 'axxxxxxxxxxxxxxxxxno'],
  long: ['CvcvnoCvcvCvcv', 'CvcvCvcvnoCvcv', 'CvcvCvcvCvcvno', 'CvccnoCvcvCvcv', 'CvccCvcvnoCvcv', 'CvccCvcvCvcvno',
    'CvcvnoCvccCvcv', 'CvcvCvccnoCvcv', 'CvcvCvccCvcvno', 'CvcvnoCvcvCvcc', 'CvcvCvcvnoCvcc', 'CvcvCvcvCvccno',
    'CvccnoCvccCvcv', 'CvccCvccnoCvcv', 'CvccCvccCvcvno', 'CvcvnoCvccCvcc', 'CvcvCvccnoCvcc', 'CvcvCvccCvccno',
    'CvccnoCvcvCvcc', 'CvccCvcvnoCvcc', 'CvccCvcvCvccno'],
  medium: ['CvcnoCvc', 'CvcCvcno'],
  short: ['Cvcn'],
  basic: ['aaanaaan', 'aannaaan', 'aaannaaa'],
  pin: ['nnnn'],
};
const TEMPLATE_CHARS: Record<string, string> = {
  V: 'AEIOU',
  C: 'BCDFGHJKLMNPQRSTVWXYZ',
  v: 'aeiou',
  c: 'bcdfghjklmnpqrstvwxyz',
  A: 'AEIOUBCDFGHJKLMNPQRSTVWXYZ',
  a: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz',
  n: '0123456789',
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()',
};
const SEED = 'com.lyndir.masterpassword';

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function derivePassword(counter: number, type: string, password: string, user: string, site: string): string {
  const templates = Object.hasOwn(PASSWORD_TEMPLATES, type) ? PASSWORD_TEMPLATES[type]! : undefined;
  if (!templates) return `cannot find password template ${type}`;
  const salt = Buffer.concat([Buffer.from(SEED), u32(Buffer.byteLength(user)), Buffer.from(user)]);
  const key = scryptSync(Buffer.from(password), salt, 64, { N: 32768, r: 8, p: 2, maxmem: 64 * 1024 * 1024 });
  const seed = createHmac('sha256', key).update(Buffer.concat([Buffer.from(SEED), u32(Buffer.byteLength(site)), Buffer.from(site), u32(counter)])).digest();
  const tmpl = templates[seed[0]! % templates.length]!;
  return [...tmpl].map((c, i) => {
    const chars = TEMPLATE_CHARS[c]!;
    return chars[seed[i + 1]! % chars.length];
  }).join('');
}

/** generatePrivateKey's PEM blocks: PKCS#1 for RSA, SEC 1 for ECDSA, sprig's own for DSA, PKCS#8 for ed25519. */
function genPrivateKey(type: string): string {
  switch (type) {
    case '': case 'rsa':
      return privateKeyPem(generateKeyPairSync('rsa', { modulusLength: 4096 }).privateKey);
    case 'ecdsa':
      return privateKeyPem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    case 'ed25519':
      return privateKeyPem(generateKeyPairSync('ed25519').privateKey);
    case 'dsa':
      return dsaKeyPem();
    default:
      return `Unknown type ${type}`;
  }
}

/** The AES-256 key: the password's bytes, zero-padded or cut to 32. */
function aesKey(password: string): Buffer {
  const key = Buffer.alloc(32);
  Buffer.from(password).copy(key, 0, 0, 32);
  return key;
}

function encryptAES(password: string, plain: string): string {
  if (plain === '') return '';
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-cbc', aesKey(password), iv);
  // PKCS#7 padding, as Sprig adds it itself.
  return Buffer.concat([iv, c.update(Buffer.from(plain)), c.final()]).toString('base64');
}

function decryptAES(password: string, crypt64: string): string {
  if (crypt64 === '') return '';
  const crypt = goBase64Decode(crypt64, B64_STD);
  if (crypt.length < 16) throw new Error(`runtime error: slice bounds out of range [:16] with capacity ${crypt.length}`);
  const body = crypt.subarray(16);
  if (body.length % 16 !== 0) throw new Error('crypto/cipher: input not full blocks');
  const d = createDecipheriv('aes-256-cbc', aesKey(password), crypt.subarray(0, 16));
  d.setAutoPadding(false);
  const out = Buffer.concat([d.update(body), d.final()]);
  // Sprig trusts the last byte as the padding length, unchecked.
  const pad = out.length === 0 ? 0 : out[out.length - 1]!;
  if (out.length === 0 || pad > out.length) throw new Error(`runtime error: slice bounds out of range [:${out.length - pad}]`);
  return out.subarray(0, out.length - pad).toString('utf8');
}

const hex = (alg: string) => (s: unknown) => createHash(alg).update(str(s)).digest('hex');

export const cryptoFuncs: FuncMap = {
  sha1sum: hex('sha1'),
  sha256sum: hex('sha256'),
  sha512sum: hex('sha512'),
  adler32sum: (s: unknown) => String(adler32(Buffer.from(str(s)))),
  bcrypt: (s: unknown) => bcrypt(str(s)),
  htpasswd: (user: unknown, pass: unknown, alg: unknown) => {
    if (str(user).includes(':')) return `invalid username: ${str(user)}`;
    if (str(alg) === 'sha') return `${str(user)}:{SHA}${createHash('sha1').update(str(pass)).digest('base64')}`;
    return `${str(user)}:${bcrypt(str(pass))}`;
  },
  derivePassword: (counter: unknown, type: unknown, password: unknown, user: unknown, site: unknown) =>
    derivePassword(int(counter), str(type), str(password), str(user), str(site)),
  genPrivateKey: (type: unknown) => genPrivateKey(str(type)),
  encryptAES: (p: unknown, s: unknown) => encryptAES(str(p), str(s)),
  decryptAES: (p: unknown, s: unknown) => decryptAES(str(p), str(s)),
};
