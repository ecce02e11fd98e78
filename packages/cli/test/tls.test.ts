/**
 * `proconsul tls ca create` and `tls cert create` in a scratch directory: Consul's file names,
 * the certificates read back with node's X509Certificate and checked with `openssl verify`
 * (chain, names, key usage), and the refusals Consul prints.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@proconsul/testing';

const bin = resolve(repoRoot, 'packages/cli/bin/proconsul.js');
let dir: string;

function tls(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'tls', ...args], { cwd: dir, env: { PATH: process.env['PATH'] ?? '' }, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const cert = (name: string): X509Certificate => new X509Certificate(readFileSync(join(dir, name)));

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
