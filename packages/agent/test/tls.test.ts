// The HTTPS listener with certificates made by openssl: curl and the CLI get through with the
// CA, a client without it is refused, and with verify_incoming a client needs a certificate
// signed by the CA. An agent that serves HTTPS only runs its config watches over it (127.0.63.32);
// tls_min_version TLSv1_3 refuses a TLS 1.2 client (127.0.63.33).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_JS, eventually, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IP = '127.0.63.30';
const HTTPS_PORT = 8531;
const dir = tempDir('tls-');
const f = (name: string): string => join(dir.path, name);
const CLI = resolve(RUN_JS, '../../../cli/bin/proconsul.js');

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** A CA, a server certificate for IP, a client certificate, and a second CA nobody trusts. */
function makeCerts(): void {
  for (const ca of ['ca', 'other-ca']) {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f(`${ca}.key`), '-out', f(`${ca}.pem`), '-days', '2', '-subj', `/CN=${ca}`);
  }
  writeFileSync(f('server.ext'), `subjectAltName=IP:${IP},DNS:server.dc1.consul\n`);
  writeFileSync(f('server2.ext'), 'subjectAltName=IP:127.0.63.32\n');
  for (const [name, ext] of [['server', ['-extfile', f('server.ext')]], ['server2', ['-extfile', f('server2.ext')]], ['client', []]] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${name}.pem`), '-days', '2', ...ext);
  }
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('rogue.key'), '-out', f('rogue.csr'), '-subj', '/CN=rogue');
  openssl('x509', '-req', '-in', f('rogue.csr'), '-CA', f('other-ca.pem'), '-CAkey', f('other-ca.key'), '-CAcreateserial', '-out', f('rogue.pem'), '-days', '2');
}

function curl(args: string[]): { code: number | null; out: string } {
  const r = spawnSync('curl', ['-sS', '--max-time', '5', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

let agent: AgentProcess;
const url = `https://${IP}:${HTTPS_PORT}/v1/status/leader`;

beforeAll(async () => {
  makeCerts();
  writeFileSync(f('tls.json'), JSON.stringify({ tls: { defaults: { ca_file: f('ca.pem'), cert_file: f('server.pem'), key_file: f('server.key'), verify_incoming: true } } }));
  agent = await startAgentProcess(['-dev', '-client', IP, '-bind', IP, '-dns-port', '-1', '-https-port', String(HTTPS_PORT), '-config-file', f('tls.json')], `${IP}:8500`);
});
afterAll(async () => {
  await agent?.stop();
  dir.remove();
});

describe('HTTPS listener (verify_incoming)', () => {
  it('logs the listener and answers a client with the CA and a client certificate', () => {
    expect(agent.output()).toContain(`HTTPS API listening: addrs=["${IP}:${HTTPS_PORT}"]`);
    const r = curl(['--cacert', f('ca.pem'), '--cert', f('client.pem'), '--key', f('client.key'), url]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toBe(`"${IP}:8300"`);
  });

  it('refuses a client without the CA, without a certificate, or with one from another CA', () => {
    const noCa = curl(['--cert', f('client.pem'), '--key', f('client.key'), url]);
    expect(noCa.code).toBe(60); // curl: peer certificate cannot be authenticated
    const noCert = curl(['--cacert', f('ca.pem'), url]);
    expect(noCert.code).not.toBe(0);
    const rogue = curl(['--cacert', f('ca.pem'), '--cert', f('rogue.pem'), '--key', f('rogue.key'), url]);
    expect(rogue.code).not.toBe(0);
  });

  it('lets the CLI in with -ca-file/-client-cert/-client-key or CONSUL_CACERT/CONSUL_CLIENT_*, and CONSUL_HTTP_SSL', () => {
    const env = { PATH: process.env['PATH'] ?? '', CONSUL_HTTP_ADDR: `${IP}:${HTTPS_PORT}`, CONSUL_HTTP_SSL: 'true' };
    const flags = spawnSync(process.execPath, [CLI, 'kv', 'put', '-ca-file', f('ca.pem'), '-client-cert', f('client.pem'), '-client-key', f('client.key'), 'tls/a', 'yes'], { env, encoding: 'utf8' });
    expect(flags.status, flags.stderr).toBe(0);
    const viaEnv = spawnSync(process.execPath, [CLI, 'kv', 'get', 'tls/a'], {
      env: { ...env, CONSUL_CACERT: f('ca.pem'), CONSUL_CLIENT_CERT: f('client.pem'), CONSUL_CLIENT_KEY: f('client.key') },
      encoding: 'utf8',
    });
    expect(viaEnv.stdout).toBe('yes\n');
    const noCa = spawnSync(process.execPath, [CLI, 'kv', 'get', 'tls/a'], { env, encoding: 'utf8' });
    expect(noCa.status).toBe(1);
  });
});

describe('an agent serving HTTPS only', () => {
  it('runs its config watches over HTTPS, verified with its CA and presenting its own certificate', async () => {
    const out = f('watch-out.json');
    writeFileSync(f('https-only.json'), JSON.stringify({
      ports: { http: -1, https: 8533 },
      tls: { defaults: { ca_file: f('ca.pem'), cert_file: f('server2.pem'), key_file: f('server2.key'), verify_incoming: true } },
      watches: [{ type: 'nodes', args: ['/bin/sh', '-c', `cat > '${out}'`] }],
    }));
    const proc = spawn(process.execPath, [RUN_JS, '-dev', '-client', '127.0.63.32', '-bind', '127.0.63.32', '-dns-port', '-1', '-node', 'https-only', '-config-file', f('https-only.json')], { stdio: 'ignore' });
    try {
      const nodes = await eventually(async () => (existsSync(out) && readFileSync(out, 'utf8').includes('"Node"') ? JSON.parse(readFileSync(out, 'utf8')) : undefined), 'the watch handler run over HTTPS', 150, 100);
      expect(nodes.map((n: { Node: string }) => n.Node)).toEqual(['https-only']);
    } finally {
      proc.kill('SIGKILL');
    }
  });
});

describe('tls_min_version', () => {
  it('an agent with tls.https.tls_min_version TLSv1_3 refuses a TLS 1.2 client and answers a TLS 1.3 one', async () => {
    writeFileSync(f('tls13.json'), JSON.stringify({ tls: { defaults: { ca_file: f('ca.pem'), cert_file: f('server.pem'), key_file: f('server.key') }, https: { tls_min_version: 'TLSv1_3' } } }));
    const a = await startAgentProcess(['-dev', '-client', '127.0.63.33', '-bind', '127.0.63.33', '-dns-port', '-1', '-https-port', '8533', '-config-file', f('tls13.json')], '127.0.63.33:8500');
    try {
      const u = 'https://127.0.63.33:8533/v1/status/leader';
      const old = curl(['--cacert', f('ca.pem'), '--insecure', '--tls-max', '1.2', u]);
      expect(old.code, old.out).not.toBe(0);
      expect(old.out).toMatch(/alert protocol version|unsupported protocol|wrong version/i);
      const now = curl(['--cacert', f('ca.pem'), '--insecure', '--tlsv1.3', u]);
      expect(now.code, now.out).toBe(0);
    } finally {
      await a.stop();
    }
  });
});

describe('HTTPS configuration errors', () => {
  it.each([
    [{}, 'HTTPS listener (ports.https) requires tls.defaults.cert_file and tls.defaults.key_file (or tls.https)'],
    [{ tls: { defaults: { cert_file: '/nonexistent.pem', key_file: '/nonexistent.key' } } }, /Failed to load cert\/key pair: ENOENT.*\/nonexistent\.pem/],
    [{ tls: { https: { cert_file: 'c', key_file: 'k', verify_incoming: true } } }, 'VerifyIncoming set for HTTPS: CA file must be set (tls.defaults.ca_file)'],
    [{ tls: { defaults: { tls_min_version: 'tls9' } } }, 'tls.defaults.tls_min_version: invalid TLS version: no matching TLS version found for tls9, please specify one of [TLS_AUTO, TLSv1_0, TLSv1_1, TLSv1_2, TLSv1_3]'],
  ])('refuses %j with one line and exit 1', (cfg, message) => {
    writeFileSync(f('bad.json'), JSON.stringify(cfg));
    const r = spawnSync(process.execPath, [RUN_JS, '-dev', '-client', '127.0.63.31', '-bind', '127.0.63.31', '-dns-port', '-1', '-https-port', '8532', '-config-file', f('bad.json')], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    const line = (r.stderr + r.stdout).split('\n').find((l) => l.startsWith('==> '));
    if (typeof message === 'string') expect(line).toBe(`==> ${message}`);
    else expect(line).toMatch(message);
  });
});
