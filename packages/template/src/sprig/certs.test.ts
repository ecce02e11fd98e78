// Sprig's certificate functions, checked with openssl (Sprig's own cases: crypto_test.go).
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { render, renderError } from './testing/render.js';

const dir = mkdtempSync(join(tmpdir(), 'sprig-certs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(text: string): string {
  const path = join(dir, `f${n++}.pem`);
  writeFileSync(path, text);
  return path;
}
const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const text = (pem: string) => openssl('x509', '-noout', '-text', '-in', file(pem));
/** Renders a template whose output is `.Cert` and `.Key` separated by "@@". */
function pair(tpl: string): { cert: string; key: string } {
  const [cert, key] = render(tpl).split('@@');
  return { cert: cert!, key: key! };
}

describe('sprig certificate functions', () => {
  it('genCA: an RSA CA valid for the days asked, with the usages Sprig sets', () => {
    const { cert, key } = pair('{{ $ca := genCA "foo-ca" 365 }}{{ $ca.Cert }}@@{{ $ca.Key }}');
    const out = text(cert);
    expect(out).toContain('Subject: CN = foo-ca');
    expect(out).toContain('Issuer: CN = foo-ca');
    expect(out).toMatch(/Basic Constraints: critical\s+CA:TRUE\n/);
    expect(out).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment, Certificate Sign\n/);
    expect(out).toMatch(/Extended Key Usage: \s*TLS Web Server Authentication, TLS Web Client Authentication\n/);
    expect(out).toContain('Subject Key Identifier');
    expect(out).not.toContain('Authority Key Identifier');
    expect(out).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(out).toContain('Public-Key: (2048 bit)');
    const x = new X509Certificate(cert);
    expect(Date.parse(x.validTo) - Date.parse(x.validFrom)).toBe(365 * 86_400_000);
    expect(Math.abs(Date.parse(x.validFrom) - Date.now())).toBeLessThan(60_000);
    expect(BigInt(`0x${x.serialNumber}`) < 2n ** 128n).toBe(true);
    expect(key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+-----END RSA PRIVATE KEY-----\n$/);
    expect(openssl('rsa', '-check', '-noout', '-in', file(key))).toContain('RSA key ok');
    expect(render('{{ typeOf (genCA "x" 1) }}')).toBe('sprig.certificate');
  });

  it('genSignedCert: a leaf with IP and DNS SANs that openssl verifies against its CA', () => {
    const tpl = '{{ $ca := genCA "ca" 10 }}{{ $c := genSignedCert "svc" (list "10.0.0.1" "::1" "::ffff:1.2.3.4") (list "svc.example.com" "*.svc") 30 $ca }}'
      + '{{ $ca.Cert }}@@{{ $c.Cert }}@@{{ $c.Key }}';
    const [caCert, cert, key] = render(tpl).split('@@') as [string, string, string];
    expect(openssl('verify', '-CAfile', file(caCert), file(cert)).trim()).toMatch(/: OK$/);
    const out = text(cert);
    expect(out).toContain('DNS:svc.example.com, DNS:*.svc, IP Address:10.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:1.2.3.4');
    expect(out).toMatch(/Basic Constraints: critical\s+CA:FALSE\n/);
    expect(out).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment\n/);
    expect(out).not.toContain('Subject Key Identifier');
    // The CA's key id as the authority key id.
    const ski = /Subject Key Identifier: \s*([0-9A-F:]+)/.exec(text(caCert))![1];
    expect(out).toMatch(new RegExp(`Authority Key Identifier: \\s*(keyid:)?${ski}`));
    const x = new X509Certificate(cert);
    expect(Date.parse(x.validTo) - Date.parse(x.validFrom)).toBe(30 * 86_400_000);
    expect(x.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(openssl('rsa', '-check', '-noout', '-in', file(key))).toContain('RSA key ok');
  });

  it('the WithKey forms keep the given ECDSA and Ed25519 keys and sign with them', () => {
    for (const [algo, sig, block] of [['ecdsa', 'ecdsa-with-SHA256', 'EC PRIVATE KEY'], ['ed25519', 'ED25519', 'PRIVATE KEY']] as const) {
      const tpl = `{{ $k := genPrivateKey "${algo}" }}{{ $ca := genCAWithKey "ca-${algo}" 5 $k }}`
        + `{{ $lk := genPrivateKey "${algo}" }}{{ $c := genSignedCertWithKey "leaf" nil (list "a.example") 5 $ca $lk }}`
        + `{{ $s := genSelfSignedCertWithKey "self" (list "127.0.120.1") nil 5 $lk }}`
        + '{{ $k }}@@{{ $ca.Key }}@@{{ $ca.Cert }}@@{{ $lk }}@@{{ $c.Key }}@@{{ $c.Cert }}@@{{ $s.Cert }}@@{{ $s.Key }}';
      const [k, caKey, caCert, lk, cKey, cert, self, selfKey] = render(tpl).split('@@') as string[];
      expect(caKey).toBe(k);
      expect(cKey).toBe(lk);
      expect(selfKey).toBe(lk);
      expect(cKey).toContain(`-----BEGIN ${block}-----`);
      expect(text(caCert!)).toContain(`Signature Algorithm: ${sig}`);
      expect(openssl('verify', '-CAfile', file(caCert!), file(cert!)).trim()).toMatch(/: OK$/);
      const selfOut = text(self!);
      expect(selfOut).toContain('Issuer: CN = self');
      expect(selfOut).toContain('IP Address:127.0.120.1');
      expect(new X509Certificate(self!).verify(new X509Certificate(self!).publicKey)).toBe(true);
    }
  });

  it('genSelfSignedCert and an empty common name (SANs then critical, as Go marks them)', () => {
    const out = text(render('{{ (genSelfSignedCert "" nil (list "only.example") 1).Cert }}'));
    expect(out).toMatch(/Subject:\s*\n/);
    expect(out).toMatch(/Subject Alternative Name: critical\s+DNS:only.example\n/);
  });

  it('buildCustomCert takes a base64 CA and key back, and genSignedCert signs with it', () => {
    const tpl = '{{ $ca := genCA "ext-ca" 3 }}{{ $b := buildCustomCert ($ca.Cert | b64enc) ($ca.Key | b64enc) }}'
      + '{{ $c := genSignedCert "leaf" nil nil 3 $b }}{{ eq $b.Cert $ca.Cert }} {{ eq $b.Key $ca.Key }}@@{{ $b.Cert }}@@{{ $c.Cert }}';
    const [same, caCert, cert] = render(tpl).split('@@') as [string, string, string];
    expect(same).toBe('true true');
    expect(openssl('verify', '-CAfile', file(caCert), file(cert)).trim()).toMatch(/: OK$/);
  });

  it('genPrivateKey "dsa": sprig\'s DSA layout, which openssl reads and checks; Go certifies no DSA key', () => {
    const key = render('{{ genPrivateKey "dsa" }}');
    expect(key).toMatch(/^-----BEGIN DSA PRIVATE KEY-----\n([A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END DSA PRIVATE KEY-----\n$/);
    expect(openssl('dsa', '-noout', '-text', '-in', file(key))).toMatch(/Private-Key: \(2048 bit\)/);
    expect(execFileSync('openssl', ['pkey', '-check', '-noout', '-in', file(key)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toContain('valid');
    expect(renderError('{{ genCAWithKey "x" 1 (genPrivateKey "dsa") }}')).toContain('x509: certificate private key does not implement crypto.Signer');
    expect(renderError('{{ genSignedCertWithKey "x" nil nil 1 (genCA "ca" 1) (genPrivateKey "dsa") }}')).toContain('x509: unsupported public key type: *dsa.PublicKey');
  });

  it('fails as Sprig does on bad input', () => {
    expect(renderError('{{ buildCustomCert "%%" "" }}')).toContain('unable to decode base64 certificate');
    expect(renderError('{{ buildCustomCert ("fail" | b64enc) "" }}')).toContain('unable to decode certificate');
    expect(renderError('{{ $ca := genCA "x" 1 }}{{ buildCustomCert ($ca.Cert | b64enc) ("x" | b64enc) }}')).toContain('error parsing private key: no PEM data in input');
    expect(renderError('{{ genSelfSignedCert "x" (list 1) nil 1 }}')).toContain('error parsing ip: 1 is not a string');
    expect(renderError('{{ genSelfSignedCert "x" (list "10.0.0.256") nil 1 }}')).toContain('error parsing ip: 10.0.0.256');
    expect(renderError('{{ genSelfSignedCert "x" nil (list 2) 1 }}')).toContain('error processing alternate dns name: 2 is not a string');
    expect(renderError('{{ genSelfSignedCert "x" "10.0.0.1" nil 1 }}')).toContain('wrong type for value; expected []interface {}; got string');
    expect(renderError('{{ genSignedCert "x" nil nil 1 "ca" }}')).toContain('wrong type for value; expected sprig.certificate; got string');
    expect(renderError('{{ genCAWithKey "x" 1 "nope" }}')).toContain('parsing private key: no PEM data in input');
    expect(renderError('{{ genCAWithKey "x" 1 "-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n" }}')).toContain('no private key data in PEM block of type CERTIFICATE');
    expect(renderError('{{ genCA "x" "1" }}')).toContain('wrong type for value; expected int; got string');
    // A CA whose key is not the certificate's.
    expect(renderError('{{ $a := genCA "a" 1 }}{{ $b := genCA "b" 1 }}{{ genSignedCert "x" nil nil 1 (buildCustomCert ($a.Cert | b64enc) ($b.Key | b64enc)) }}'))
      .toContain("x509: provided PrivateKey doesn't match parent's PublicKey");
  });

  it('loads the ASN.1 library only when a certificate is built', () => {
    const index = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    const script = `import { createRequire } from 'node:module';
      const m = await import(${JSON.stringify(index)});
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('@peculiar'));
      const before = loaded();
      new m.Template('t', { funcs: m.sprigFuncs() }).parse('{{ (sprig_genCA "x" 1).Cert }}').execute(null);
      console.log(before, loaded());`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('false true');
  });
});
