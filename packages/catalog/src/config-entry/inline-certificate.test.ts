import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigEntry } from './index.js';

let dir: string;
const pem = (name: string): string => readFileSync(path.join(dir, name), 'utf8');
const openssl = (...args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
};
/** A self-signed certificate for `key`, made with the system's openssl. */
const selfSigned = (key: string, out: string, subj: string, san?: string): void =>
  openssl('req', '-x509', '-new', '-key', key, '-days', '1', '-subj', subj, ...(san ? ['-addext', `subjectAltName=${san}`] : []), '-out', out);

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'proconsul-inline-cert-'));
  openssl('genrsa', '-traditional', '-out', 'rsa.pem', '2048');
  selfSigned('rsa.pem', 'rsa-cert.pem', '/CN=gw.example.com', 'DNS:gw.example.com,IP:127.0.0.1');
  openssl('genrsa', '-traditional', '-out', 'rsa1024.pem', '1024');
  openssl('genrsa', '-out', 'other.pem', '2048');
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ec.pem');
  selfSigned('ec.pem', 'ec-cert.pem', '/CN=ec.example.com');
  selfSigned('ec.pem', 'badhost-cert.pem', '/CN=ec.example.com', `DNS:${'a'.repeat(64)}.com`);
  selfSigned('ec.pem', 'nocn-cert.pem', '/O=proconsul', 'DNS:x.example.com');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (certificate: string, key: string) => ({ Kind: 'inline-certificate', Name: 'cert', Certificate: certificate, PrivateKey: key });

describe('the inline-certificate config entry (config_entry_inline_certificate.go)', () => {
  it('stores an RSA pair and an EC pair as given', () => {
    expect(parseConfigEntry(entry(pem('rsa-cert.pem'), pem('rsa.pem')))).toEqual({ ...entry(pem('rsa-cert.pem'), pem('rsa.pem')), CreateIndex: 0, ModifyIndex: 0 });
    expect(parseConfigEntry({ kind: 'inline-certificate', name: 'ec', certificate: pem('ec-cert.pem'), privatekey: pem('ec.pem') })).toMatchObject({ Name: 'ec' });
  });

  it.each([
    ['no key PEM', () => entry(pem('rsa-cert.pem'), 'not a key'), 'failed to parse private key PEM'],
    ['a short RSA key', () => entry(pem('rsa-cert.pem'), pem('rsa1024.pem')), 'key length must be at least 2048 bits'],
    ['no certificate PEM', () => entry('', pem('rsa.pem')), 'failed to parse certificate PEM'],
    ['a certificate that does not parse', () => entry('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', pem('rsa.pem')), 'failed to parse certificate: x509: malformed certificate'],
    ['a key of another pair', () => entry(pem('rsa-cert.pem'), pem('other.pem')), 'tls: private key does not match public key'],
    ['a key of another type', () => entry(pem('rsa-cert.pem'), pem('ec.pem')), 'tls: private key type does not match public key type'],
    ['a certificate given as the key', () => entry(pem('rsa-cert.pem'), pem('rsa-cert.pem')), 'tls: found a certificate rather than a key in the PEM for the private key'],
    ['a host that is not a DNS name', () => entry(pem('badhost-cert.pem'), pem('ec.pem')), `host "${'a'.repeat(64)}.com" must be a valid DNS hostname`],
    ['a certificate without a common name', () => entry(pem('nocn-cert.pem'), pem('ec.pem')), 'host "" must be a valid DNS hostname'],
  ])('refuses %s', (_name, raw, text) => {
    expect(() => parseConfigEntry(raw())).toThrow(text);
  });
});
