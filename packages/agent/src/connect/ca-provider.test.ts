import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCsr, newKey, parseCsr } from '@proconsul/x509';
import { CAConfigError, parseConsulCAConfig } from './ca-config.js';
import { serialHex } from './spiffe.js';
import { caCommonName, certInfo, crossSign, generateRoot, signLeaf } from './ca-provider.js';
import { serviceUri, trustDomain } from './spiffe.js';
import { connectConfig } from './config.js';
import { ConfigError } from '../config/errors.js';
import { parseServiceUri } from './spiffe.js';

const CLUSTER = '11111111-2222-3333-4444-555555555555';
const dir = mkdtempSync(join(tmpdir(), 'ca-provider-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function opensslVerify(ca: string, cert: string, untrusted?: string): string {
  writeFileSync(join(dir, 'ca.pem'), ca);
  writeFileSync(join(dir, 'cert.pem'), cert);
  const extra = untrusted ? (writeFileSync(join(dir, 'u.pem'), untrusted), ['-untrusted', join(dir, 'u.pem')]) : [];
  return execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), ...extra, join(dir, 'cert.pem')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

describe('built-in CA provider', () => {
  it.each([['ec', 224], ['ec', 256], ['ec', 384], ['rsa', 2048]] as const)('a %s %i root signs a leaf for a CSR that openssl verifies', (type, bits) => {
    const k = newKey(type, bits);
    const now = Date.UTC(2026, 0, 1);
    const root = generateRoot({ privateKeyPem: k.pem, clusterId: CLUSTER, serial: 7n, nowMs: Date.now(), ttlMs: 87600 * 3600_000, uid: 'abc12345' });
    const info = certInfo(root);
    expect(info).toMatchObject({ serial: 7n, keyType: type, keyBits: bits, uris: [`spiffe://${CLUSTER}.consul`] });
    const x = new X509Certificate(root);
    expect(x.subject).toBe(`CN=pri-abc12345.consul.ca.11111111.consul`);
    expect(x.ca).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(k.pem))).toBe(true);

    const leafKey = newKey('ec', 256);
    const uri = serviceUri(trustDomain(CLUSTER), 'dc1', 'web');
    const csr = parseCsr(createCsr(leafKey.priv, leafKey.spki, { uris: [uri] }));
    expect(csr.uris).toEqual([uri]);
    const leaf = signLeaf({ caCertPem: root, caKeyPem: k.pem, spki: csr.spki, uris: csr.uris, dnsNames: [], ipAddresses: [], serial: 9n, nowMs: now + 3600_000, ttlMs: 72 * 3600_000 });
    const lx = new X509Certificate(leaf);
    expect(lx.subject ?? '').toBe(''); // no subject: only the SAN names the service
    expect(lx.subjectAltName).toBe(`URI:${uri}`);
    expect(lx.checkIssued(x)).toBe(true);
    expect(lx.verify(x.publicKey)).toBe(true);
    expect(Date.parse(lx.validFrom)).toBe(now + 3600_000 - 60_000);
    expect(Date.parse(lx.validTo) - Date.parse(lx.validFrom)).toBe(72 * 3600_000);
    expect(certInfo(leaf).serial).toBe(9n);
    // openssl checks the whole chain at the current time: sign one valid now.
    const current = signLeaf({ caCertPem: root, caKeyPem: k.pem, spki: csr.spki, uris: csr.uris, dnsNames: [], ipAddresses: [], serial: 10n, nowMs: Date.now(), ttlMs: 3600_000 });
    expect(opensslVerify(root, current)).toMatch(/: OK$/);
  });

  it('a new root cross-signed by the old key chains a new leaf to the old root', () => {
    const oldKey = newKey('ec', 256);
    const freshKey = newKey('rsa', 2048);
    const oldRoot = generateRoot({ privateKeyPem: oldKey.pem, clusterId: CLUSTER, serial: 1n, nowMs: Date.now(), ttlMs: 3600_000 * 24 });
    const freshRoot = generateRoot({ privateKeyPem: freshKey.pem, clusterId: CLUSTER, serial: 2n, nowMs: Date.now(), ttlMs: 3600_000 * 24 });
    const xc = crossSign(freshRoot, oldRoot, oldKey.pem, 3n, Date.now());
    const x = new X509Certificate(xc);
    expect(x.subject).toBe(new X509Certificate(freshRoot).subject);
    expect(x.issuer).toBe(new X509Certificate(oldRoot).subject);
    const k = newKey();
    const leaf = signLeaf({ caCertPem: freshRoot, caKeyPem: freshKey.pem, spki: k.spki, uris: ['spiffe://x.consul/ns/default/dc/dc1/svc/a'], dnsNames: [], ipAddresses: [], serial: 4n, nowMs: Date.now(), ttlMs: 3600_000 });
    expect(opensslVerify(freshRoot, leaf)).toMatch(/: OK$/);
    expect(opensslVerify(oldRoot, leaf, xc)).toMatch(/: OK$/);
    expect(() => opensslVerify(oldRoot, leaf)).toThrow();
  });

  it('a CSR whose signature does not match its key is refused; a PEM of another type too', () => {
    const a = newKey();
    const b = newKey();
    const forged = createCsr(a.priv, b.spki, { uris: ['spiffe://x/ns/default/dc/dc1/svc/a'] });
    expect(() => parseCsr(forged)).toThrow(/verification failure/);
    expect(() => parseCsr(generateRoot({ privateKeyPem: a.pem, clusterId: CLUSTER, serial: 1n, nowMs: Date.now(), ttlMs: 1e6 }))).toThrow('first PEM-block should be CERTIFICATE REQUEST type');
    expect(() => parseCsr('junk')).toThrow('no PEM-encoded data found');
  });

  it('names: CACN, SPIFFE service IDs, serial hex', () => {
    expect(caCommonName('consul', 'A-b_c9xyz123', CLUSTER)).toBe('pri-abc9xyz1.consul.ca.11111111.consul');
    expect(parseServiceUri('spiffe://t.consul/ns/default/dc/dc1/svc/web')).toEqual({ host: 't.consul', namespace: 'default', datacenter: 'dc1', service: 'web' });
    expect(parseServiceUri('spiffe://t.consul/ap/p/ns/default/dc/dc1/svc/web')?.service).toBe('web');
    expect(parseServiceUri('spiffe://t.consul/agent/client/dc/dc1/id/x')).toBeUndefined();
    expect(parseServiceUri('https://t.consul/ns/default/dc/dc1/svc/web')).toBeUndefined();
    expect([serialHex(8n), serialHex(256n), serialHex(0xabcdefn)]).toEqual(['08', '01:00', 'ab:cd:ef']);
  });
});

describe('CA configuration', () => {
  it('has Consul defaults and refuses what Consul refuses, with its texts', () => {
    expect(parseConsulCAConfig({})).toEqual({ leafCertTtlMs: 72 * 3600_000, intermediateCertTtlMs: 8760 * 3600_000, rootCertTtlMs: 87600 * 3600_000, privateKeyType: 'ec', privateKeyBits: 256, privateKey: '', rootCert: '', csrMaxPerSecond: 50, csrMaxConcurrent: 0 });
    expect(parseConsulCAConfig({ CSRMaxPerSecond: '2.5', csrmaxconcurrent: '3' })).toMatchObject({ csrMaxPerSecond: 2.5, csrMaxConcurrent: 3 });
    expect(parseConsulCAConfig({ CSRMaxPerSecond: 0, CSRMaxConcurrent: 1, Unknown: 'ignored' })).toMatchObject({ csrMaxPerSecond: 0, csrMaxConcurrent: 1 });
    // SkipValidate skips CommonCAProviderConfig.Validate, not the decoding.
    expect(parseConsulCAConfig({ SkipValidate: true, LeafCertTTL: '1m' }).leafCertTtlMs).toBe(60_000);
    expect(parseConsulCAConfig({ leafcertttl: '24h', PrivateKeyType: 'rsa', PrivateKeyBits: '4096' })).toMatchObject({ leafCertTtlMs: 24 * 3600_000, privateKeyBits: 4096 });
    const refused: [Record<string, unknown>, string][] = [
      [{ LeafCertTTL: '59m' }, 'leaf cert TTL must be greater or equal than 1h0m0s'],
      [{ LeafCertTTL: '9000h' }, 'leaf cert TTL must be less than 8760h0m0s'],
      [{ LeafCertTTL: '72h', IntermediateCertTTL: '100h' }, 'Intermediate Cert TTL must be greater or equal than 3 * LeafCertTTL (>=216h0m0s).'],
      [{ PrivateKeyBits: 255 }, 'EC key length must be one of (224, 256, 384, 521) bits'],
      [{ PrivateKeyType: 'rsa' }, 'RSA key length must be 2048 or 4096 bits'],
      [{ PrivateKeyType: 'dsa' }, "private key type must be either 'ec' or 'rsa'"],
      [{ RootCert: 'x' }, 'must provide a private key when providing a root cert'],
      // mapstructure's weak decoding (GetCommonConfig / ParseConsulCAConfig), its points sorted.
      [{ CSRMaxPerSecond: 'x' }, 'error decoding config: 1 error(s) decoding:\n\n* cannot parse \'CSRMaxPerSecond\' as float: strconv.ParseFloat: parsing "x": invalid syntax'],
      // mapstructure v1.5.0's decodeFloat and decodeInt name the value as %v prints it.
      [{ CSRMaxPerSecond: { a: [1, 'b'] } }, "error decoding config: 1 error(s) decoding:\n\n* 'CSRMaxPerSecond' expected type 'float32', got unconvertible type 'map[string]interface {}', value: 'map[a:[1 b]]'"],
      [{ LeafCertTTL: [true, false] }, "error decoding config: 1 error(s) decoding:\n\n* 'LeafCertTTL' expected type 'time.Duration', got unconvertible type '[]interface {}', value: '[true false]'"],
      [{ PrivateKeyBits: 'y', CSRMaxConcurrent: 'z', LeafCertTTL: 'soon' }, [
        'error decoding config: 3 error(s) decoding:\n',
        "* cannot parse 'CSRMaxConcurrent' as int: strconv.ParseInt: parsing \"z\": invalid syntax",
        "* cannot parse 'PrivateKeyBits' as int: strconv.ParseInt: parsing \"y\": invalid syntax",
        "* error decoding 'LeafCertTTL': time: invalid duration \"soon\"",
      ].join('\n')],
    ];
    for (const [raw, text] of refused) expect(() => parseConsulCAConfig(raw), text).toThrow(new CAConfigError(text));
  });

  it('the agent config block: snake_case keys over the defaults; other providers refused', () => {
    expect(connectConfig({ enabled: true, ca_config: { leaf_cert_ttl: '24h', private_key_type: 'rsa' } })).toEqual({
      enabled: true,
      caProvider: 'consul',
      caConfig: { LeafCertTTL: '24h', IntermediateCertTTL: '8760h', RootCertTTL: '87600h', PrivateKeyType: 'rsa' },
      testCaLeafRootChangeSpreadMs: 0,
    });
    expect(connectConfig({ test_ca_leaf_root_change_spread: '2s' }).testCaLeafRootChangeSpreadMs).toBe(2_000);
    expect(connectConfig(undefined).enabled).toBe(true);
    expect(connectConfig({ enabled: false }).enabled).toBe(false);
    expect(() => connectConfig({ ca_provider: 'vault' })).toThrow('connect.ca_provider: the "vault" CA provider is not supported by this agent (only "consul", the built-in CA)');
    expect(() => connectConfig({ ca_provider: 'x' })).toThrow('connect.ca_provider: unknown CA provider "x"');
    // With ca_provider "consul" the agent refuses a configuration ParseConsulCAConfig refuses (builder.go Validate).
    expect(() => connectConfig({ ca_provider: 'consul', ca_config: { csr_max_per_second: 'x' } })).toThrow(
      new ConfigError('error decoding config: 1 error(s) decoding:\n\n* cannot parse \'CSRMaxPerSecond\' as float: strconv.ParseFloat: parsing "x": invalid syntax'),
    );
    expect(() => connectConfig({ ca_provider: 'consul', ca_config: { leaf_cert_ttl: '30m' } })).toThrow('leaf cert TTL must be greater or equal than 1h0m0s');
    // Without it, Consul's builder leaves the check to the leader's CA initialization.
    expect(connectConfig({ ca_config: { csr_max_per_second: 'x' } }).caConfig['CSRMaxPerSecond']).toBe('x');
  });
});
