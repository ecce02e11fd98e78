import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, createLeaf, dnsNameConstraints, dnsNameWithin, nameConstraintError, serialNumber } from './tls-certs.js';

// OpenSSL refuses a certificate whose serial INTEGER carries a redundant leading zero byte
// ("no start line" when read back); 1 draw in 128 used to start with one.
describe('serialNumber', () => {
  const cases: [string, string][] = [
    ['00000000000000000000000000000001', '01'],
    ['007f0000000000000000000000000000', '7f0000000000000000000000000000'],
    ['00ff0000000000000000000000000000', '00ff0000000000000000000000000000'],
    ['80000000000000000000000000000000', '0080000000000000000000000000000000'],
    ['00000000000000000000000000000000', '00'],
  ];
  it.each(cases)('draw %s encodes as the minimal DER integer %s', (drawn, der) => {
    const sn = serialNumber(Buffer.from(drawn, 'hex'));
    expect(Buffer.from(sn.bytes).toString('hex')).toBe(der);
    expect(sn.text).toBe(BigInt(`0x${drawn}`).toString(10));
  });
});

// Go's matchDomainConstraint, which Consul's tlsutil.Verify applies to every DNS SAN.
describe('dnsNameWithin', () => {
  const cases: [string, string, boolean][] = [
    ['server.dc1.consul', 'consul', true],
    ['consul', 'consul', true],
    ['SERVER.DC1.Consul', 'consul', true],
    ['notconsul', 'consul', false],
    ['consul.example', 'consul', false],
    ['localhost', 'localhost', true],
    ['a.example.com', '.example.com', true],
    ['example.com', '.example.com', false],
    ['anything', '', true],
  ];
  it.each(cases)('%s within %s: %s', (name, constraint, want) => {
    expect(dnsNameWithin(name, constraint)).toBe(want);
  });
});

describe('createCa name constraints', () => {
  const der = (pem: string): Buffer => new X509Certificate(pem).raw;

  it('writes the permitted DNS domains in the order given, critical', () => {
    const ca = createCa(1, { permittedDnsDomains: ['example.com', 'consul', 'localhost'] });
    expect(dnsNameConstraints(der(ca.cert))).toEqual({ permitted: ['example.com', 'consul', 'localhost'], excluded: [] });
  });

  it('writes no extension for an empty list', () => {
    expect(dnsNameConstraints(der(createCa(1).cert))).toBeUndefined();
    expect(nameConstraintError(der(createCa(1).cert), ['anything.example'])).toBeUndefined();
  });

  it('signs names inside the constraints and refuses the first one outside', () => {
    const ca = createCa(1, { permittedDnsDomains: ['example.com', 'consul', 'localhost'] });
    const leaf = createLeaf(ca, { name: 'server.dc1.consul', dnsNames: ['ui.example.com', 'server.dc1.consul', 'localhost'], ipAddresses: ['127.0.0.1'], days: 1 });
    expect(new X509Certificate(leaf.cert).subjectAltName).toBe('DNS:ui.example.com, DNS:server.dc1.consul, DNS:localhost, IP Address:127.0.0.1');
    expect(() => createLeaf(ca, { name: 'server.dc1.consul', dnsNames: ['server.dc1.consul', 'db.internal', 'x.other'], ipAddresses: [], days: 1 })).toThrow(
      'x509: a root or intermediate certificate is not authorized to sign for this name: DNS name "db.internal" is not permitted by any constraint',
    );
  });
});

// tlsutil.GenerateCert leaves the signature algorithm to Go, which picks it from the CA's key.
describe('createLeaf with a CA made elsewhere', () => {
  it('an RSA CA signs with SHA256WithRSA', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls-certs-rsa-'));
    try {
      const [cert, key] = [join(dir, 'ca.pem'), join(dir, 'ca.key')];
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=rsa-ca', '-addext', 'basicConstraints=critical,CA:TRUE'], { stdio: 'ignore' });
      const ca = { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
      const leaf = new X509Certificate(createLeaf(ca, { name: 'server.dc1.consul', dnsNames: ['server.dc1.consul'], ipAddresses: [], days: 1 }).cert);
      expect(leaf.verify(new X509Certificate(ca.cert).publicKey)).toBe(true);
      expect(leaf.publicKey.asymmetricKeyType).toBe('ec');
      // AlgorithmIdentifier sha256WithRSAEncryption with its NULL parameter, in the TBS and outside it.
      expect(leaf.raw.toString('hex').split('300d06092a864886f70d01010b0500').length - 1).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
