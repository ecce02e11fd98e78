import bcryptLib from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { SPRIG_CRYPTO_CASES } from './testing/crypto-cases.js';
import { render, renderError } from './testing/render.js';

describe('sprig crypto functions', () => {
  it.each(SPRIG_CRYPTO_CASES)('%s', (tpl, want) => {
    expect(render(tpl)).toBe(want);
  });

  it('bcrypt and htpasswd hash as x/crypto/bcrypt ($2a$, cost 10)', () => {
    const h = render('{{ bcrypt "secret" }}');
    expect(h).toMatch(/^\$2a\$10\$.{53}$/);
    expect(bcryptLib.compareSync('secret', h)).toBe(true);
    expect(render('{{ htpasswd "u" "p" "sha" }}')).toBe('u:{SHA}UWuXg/ylF+7L0dBk2i0WUxCxl1k=');
    expect(render('{{ htpasswd "a:b" "p" "sha" }}')).toBe('invalid username: a:b');
    expect(render(`{{ bcrypt "${'x'.repeat(73)}" }}`)).toBe('failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes');
  });

  it('private keys in the PEM blocks Sprig writes', () => {
    expect(render('{{ genPrivateKey "ecdsa" }}')).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(render('{{ genPrivateKey "ed25519" }}')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(render('{{ genPrivateKey "nope" }}')).toBe('Unknown type nope');
    expect(render('{{ genPrivateKey "rsa" }}')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
  });

  it('AES: a Go ciphertext decrypts, bad input fails', () => {
    // openssl enc -aes-256-cbc of "hello": key "k" zero-padded to 32 bytes, a zero IV in front.
    const ct = 'AAAAAAAAAAAAAAAAAAAAAIojbtFh7/ysZTB2oDn0SCs=';
    expect(render(`{{ decryptAES "k" "${ct}" }}`)).toBe('hello');
    // IV and one block, base64: 44 characters.
    expect(render('{{ encryptAES "k" "hello" | len }}')).toBe('44');
    expect(render('{{ encryptAES "k" "" }}|{{ decryptAES "k" "" }}')).toBe('|');
    expect(renderError('{{ decryptAES "k" "AAAA" }}')).toContain('slice bounds out of range');
  });
});
