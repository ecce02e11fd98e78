/**
 * `proconsul tls ca create` and `tls cert create` in a scratch directory: Consul's file names,
 * the certificates read back with node's X509Certificate and checked with `openssl verify`
 * (chain, names, key usage), and the refusals Consul prints.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@proconsul/testing';

const bin = resolve(repoRoot, 'packages/cli/bin/proconsul.js');
let dir: string;

function tlsIn(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'tls', ...args], { cwd, env: { PATH: process.env['PATH'] ?? '' }, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const tls = (...args: string[]): ReturnType<typeof tlsIn> => tlsIn(dir, ...args);
const cert = (name: string): X509Certificate => new X509Certificate(readFileSync(join(dir, name)));
const opensslText = (file: string): string => execFileSync('openssl', ['x509', '-in', file, '-text', '-noout'], { encoding: 'utf8' });
/** `openssl verify` of a leaf against a CA file: exit status and output (errors included). */
function opensslVerify(caFile: string, leafFile: string, host: string): { code: number | null; out: string } {
  const r = spawnSync('openssl', ['verify', '-CAfile', caFile, '-verify_hostname', host, '-purpose', 'sslserver', leafFile], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'proconsul-tls-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('proconsul tls', () => {
  it('creates a CA with Consul file names, and refuses to overwrite it', () => {
    expect(tls('ca', 'create')).toEqual({ code: 0, stdout: '==> Saved consul-agent-ca.pem\n==> Saved consul-agent-ca-key.pem\n', stderr: '' });
    const ca = cert('consul-agent-ca.pem');
    expect(ca.ca).toBe(true);
    expect(ca.subject).toMatch(/^C=US\npostalCode=94105\nST=CA\nL=San Francisco\nstreet=101 Second Street\nO=HashiCorp Inc\.\nCN=Consul Agent CA \d+$/);
    expect(ca.verify(ca.publicKey)).toBe(true);
    const days = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / 86_400_000;
    expect(Math.round(days)).toBe(1825);
    expect(createPrivateKey(readFileSync(join(dir, 'consul-agent-ca-key.pem'))).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(readFileSync(join(dir, 'consul-agent-ca-key.pem'), 'utf8')).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(statSync(join(dir, 'consul-agent-ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(tls('ca', 'create')).toEqual({ code: 1, stdout: '', stderr: 'consul-agent-ca.pem already exists.\n' });
    // Without -name-constraint there is no NameConstraints extension.
    expect(opensslText(join(dir, 'consul-agent-ca.pem'))).not.toContain('Name Constraints');
  });

  it('creates server certificates for server.<dc>.<domain>, numbered, signed by the CA', () => {
    const r = tls('cert', 'create', '-server', '-node', 'n1', '-additional-dnsname', 'db.example', '-additional-ipaddress', '10.0.0.7');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('==> WARNING: Server Certificates grants authority to become a\n');
    expect(r.stdout).toContain('==> Using consul-agent-ca.pem and consul-agent-ca-key.pem\n==> Saved dc1-server-consul-0.pem\n==> Saved dc1-server-consul-0-key.pem\n');
    const c = cert('dc1-server-consul-0.pem');
    expect(c.subject).toBe('CN=server.dc1.consul');
    expect(c.subjectAltName).toBe('DNS:db.example, DNS:n1.server.dc1.consul, DNS:server.dc1.consul, DNS:localhost, IP Address:10.0.0.7, IP Address:127.0.0.1');
    expect(c.checkIssued(cert('consul-agent-ca.pem'))).toBe(true);
    expect(c.keyUsage?.sort()).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(Math.round((Date.parse(c.validTo) - Date.parse(c.validFrom)) / 86_400_000)).toBe(365);
    expect(c.checkPrivateKey(createPrivateKey(readFileSync(join(dir, 'dc1-server-consul-0-key.pem'))))).toBe(true);
    const verify = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'consul-agent-ca.pem'), '-verify_hostname', 'server.dc1.consul', '-purpose', 'sslserver', join(dir, 'dc1-server-consul-0.pem')], { encoding: 'utf8' });
    expect(verify).toContain(': OK');
    // The next one takes the next free number; -dc and -domain name it.
    expect(tls('cert', 'create', '-server').stdout).toContain('==> Saved dc1-server-consul-1.pem');
    expect(tls('cert', 'create', '-server', '-dc', 'east', '-domain', 'consul').stdout).toContain('==> Saved east-server-consul-0.pem');
    expect(cert('east-server-consul-0.pem').subject).toBe('CN=server.east.consul');
  });

  it('creates client and cli certificates', () => {
    const r = tls('cert', 'create', '-client');
    expect(r.stdout).toBe('==> Using consul-agent-ca.pem and consul-agent-ca-key.pem\n==> Saved dc1-client-consul-0.pem\n==> Saved dc1-client-consul-0-key.pem\n');
    expect(cert('dc1-client-consul-0.pem').subjectAltName).toBe('DNS:client.dc1.consul, DNS:localhost, IP Address:127.0.0.1');
    expect(tls('cert', 'create', '-cli').stdout).toContain('==> Saved dc1-cli-consul-0.pem');
    expect(cert('dc1-cli-consul-0.pem').subjectAltName).toBe('DNS:cli.dc1.consul, DNS:localhost');
  });

  it.each([
    [['cert', 'create'], 'Please provide either -server, -client, or -cli'],
    [['cert', 'create', '-server', '-client'], 'Please provide either -server, -client, or -cli'],
    [['cert', 'create', '-client', '-node', 'x'], '-node requires -server'],
    [['cert', 'create', '-client', '-ca', 'missing.pem'], /^Error reading CA: ENOENT/],
    [['cert', 'create', '-client', '-additional-ipaddress', 'not-an-ip'], 'Invalid IP address: not-an-ip'],
    [['cert', 'create', '-client', '-domain', 'other'], /^Error reading CA: ENOENT.*other-agent-ca\.pem/],
  ])('refuses %j with one line and exit 1', (args, message) => {
    const r = tls(...args);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBe(1);
    if (typeof message === 'string') expect(lines[0]).toBe(message);
    else expect(lines[0]).toMatch(message);
  });
});

describe('proconsul tls ca create -name-constraint', () => {
  let ncDir: string;
  beforeAll(() => {
    ncDir = mkdtempSync(join(tmpdir(), 'proconsul-tls-nc-'));
  });
  afterAll(() => rmSync(ncDir, { recursive: true, force: true }));
  const at = (file: string): string => join(ncDir, file);

  /** A leaf for `dnsName` signed by the CA with openssl itself, so no Proconsul check stands in the way. */
  function opensslLeaf(dnsName: string, file: string): void {
    execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at(`${file}-key.pem`), '-subj', `/CN=${dnsName}`, '-out', at(`${file}.csr`)], { stdio: 'pipe' });
    const ext = at(`${file}.ext`);
    writeFileSync(ext, `subjectAltName=DNS:${dnsName}\nextendedKeyUsage=serverAuth\n`);
    execFileSync('openssl', ['x509', '-req', '-in', at(`${file}.csr`), '-CA', at('consul-agent-ca.pem'), '-CAkey', at('consul-agent-ca-key.pem'), '-set_serial', '7', '-days', '1', '-extfile', ext, '-out', at(`${file}.pem`)], { stdio: 'pipe' });
  }

  it('adds a critical NameConstraints extension permitting the additional names, -domain and localhost', () => {
    expect(tlsIn(ncDir, 'ca', 'create', '-name-constraint', '-additional-name-constraint', 'example.com')).toEqual({ code: 0, stdout: '==> Saved consul-agent-ca.pem\n==> Saved consul-agent-ca-key.pem\n', stderr: '' });
    const text = opensslText(at('consul-agent-ca.pem'));
    const block = /X509v3 Name Constraints: critical\n\s+Permitted:\n((?: +(?:DNS|IP|email|URI|DirName|othername):.*\n)*)/.exec(text);
    expect(block, text).not.toBeNull();
    expect(block![1]!.trim().split(/\n\s*/)).toEqual(['DNS:example.com', 'DNS:consul', 'DNS:localhost']);
    expect(text).not.toContain('Excluded:');
  });

  it('signs server.dc1.consul, which openssl verifies against the constrained CA', () => {
    const r = tlsIn(ncDir, 'cert', 'create', '-server', '-additional-dnsname', 'ui.example.com');
    expect(r.code, r.stderr).toBe(0);
    const v = opensslVerify(at('consul-agent-ca.pem'), at('dc1-server-consul-0.pem'), 'server.dc1.consul');
    expect(v, v.out).toEqual({ code: 0, out: `${at('dc1-server-consul-0.pem')}: OK\n` });
  });

  it('refuses, as Consul does, a certificate for a name outside the constraints, and writes nothing', () => {
    const r = tlsIn(ncDir, 'cert', 'create', '-server', '-additional-dnsname', 'db.internal');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('x509: a root or intermediate certificate is not authorized to sign for this name: DNS name "db.internal" is not permitted by any constraint\n');
    expect(existsSync(at('dc1-server-consul-1.pem'))).toBe(false);
    // -domain other makes server.dc1.other, outside `consul`.
    const other = tlsIn(ncDir, 'cert', 'create', '-client', '-domain', 'other', '-ca', 'consul-agent-ca.pem', '-key', 'consul-agent-ca-key.pem');
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('DNS name "client.dc1.other" is not permitted by any constraint');
  });

  it('makes openssl reject a leaf outside the constraints that another tool signed with the CA key', () => {
    opensslLeaf('api.example.com', 'inside');
    expect(opensslVerify(at('consul-agent-ca.pem'), at('inside.pem'), 'api.example.com').code).toBe(0);
    opensslLeaf('db.internal', 'outside');
    const v = opensslVerify(at('consul-agent-ca.pem'), at('outside.pem'), 'db.internal');
    expect(v.code).not.toBe(0);
    expect(v.out).toContain('permitted subtree violation');
  });

  it('ignores -additional-name-constraint without -name-constraint', () => {
    const d = mkdtempSync(join(tmpdir(), 'proconsul-tls-nc-off-'));
    try {
      expect(tlsIn(d, 'ca', 'create', '-additional-name-constraint', 'example.com').code).toBe(0);
      expect(opensslText(join(d, 'consul-agent-ca.pem'))).not.toContain('Name Constraints');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('proconsul tls ca create -common-name -cluster-id', () => {
  it('names the CA and gives it the SPIFFE signing URI of the cluster and domain', () => {
    const d = mkdtempSync(join(tmpdir(), 'proconsul-tls-cid-'));
    try {
      const id = '8f0d3c52-8e6a-4b1e-9c2d-0a1b2c3d4e5f';
      expect(tlsIn(d, 'ca', 'create', '-common-name', 'Team CA', '-cluster-id', id, '-domain', 'example').code).toBe(0);
      const text = opensslText(join(d, 'example-agent-ca.pem'));
      expect(text).toMatch(/Subject: .*CN ?= ?Team CA$/m);
      expect(text).toMatch(new RegExp(`X509v3 Subject Alternative Name: \\n\\s+URI:spiffe://${id}\\.example\\n`));
      // Without them: Consul's default name with the serial, and no SAN.
      const plain = mkdtempSync(join(tmpdir(), 'proconsul-tls-cid-off-'));
      try {
        expect(tlsIn(plain, 'ca', 'create').code).toBe(0);
        const t2 = opensslText(join(plain, 'consul-agent-ca.pem'));
        expect(t2).toMatch(/CN ?= ?Consul Agent CA \d+$/m);
        expect(t2).not.toContain('Subject Alternative Name');
      } finally {
        rmSync(plain, { recursive: true, force: true });
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
