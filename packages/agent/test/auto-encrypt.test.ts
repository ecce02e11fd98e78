// auto_encrypt, as Consul's "Secure agent communication with TLS" tutorial sets it up: a server
// with a CA, a server certificate, verify_incoming/verify_outgoing/verify_server_hostname and
// `auto_encrypt { allow_tls = true }`; a client agent with only the CA and `auto_encrypt { tls =
// true }` gets its certificate from the server at start (AutoEncrypt.Sign over RPCTLSInsecure),
// joins and serves through RPC TLS that the server's verify_incoming accepts, presents that
// certificate (the agent SPIFFE ID, verifiable against the Connect root) on its HTTPS port and
// follows a root rotation without restart. A client without either is refused; a server without
// allow_tls answers Consul's error; with ACLs the agent token needs node:write on the node; the
// config errors are Consul's texts.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Packr } from 'msgpackr';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_JS, eventually, http, RUN_JS, sleep, startAgentProcess, tempDir, workDir, type AgentProcess } from './helpers.js';

const dir = workDir('proconsul-auto-encrypt-');
const { file: f, cli, config } = dir;
const started: AgentProcess[] = [];

const S = '127.0.95.1';
const C = '127.0.95.2';

const node = (ip: string): string => `n-${ip.split('.').join('-')}`;

function args(ip: string, extra: string[]): string[] {
  const d = tempDir('proconsul-auto-encrypt-data-');
  return ['-data-dir', d.path, '-bind', ip, '-client', ip, '-node', node(ip), '-dns-port', '-1', '-retry-interval', '1s', ...extra];
}

async function agent(ip: string, extra: string[], waitForLeader = false): Promise<AgentProcess> {
  const a = await startAgentProcess(args(ip, extra), `${ip}:8500`, { waitForLeader });
  started.push(a);
  return a;
}

/** The certificate chain an HTTPS port presents, as openssl's s_client prints it. */
function presented(ip: string, port: number): string[] {
  const out = execFileSync('openssl', ['s_client', '-connect', `${ip}:${port}`, '-showcerts'], { input: '', encoding: 'utf8', timeout: 10_000, stdio: ['pipe', 'pipe', 'ignore'] });
  return out.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
}

function text(pem: string): string {
  writeFileSync(f('show.pem'), pem);
  return execFileSync('openssl', ['x509', '-in', f('show.pem'), '-noout', '-text'], { encoding: 'utf8' });
}

function verify(rootPem: string, leafPem: string): string {
  writeFileSync(f('root.pem'), rootPem);
  writeFileSync(f('leaf.pem'), leafPem);
  const r = spawnSync('openssl', ['verify', '-CAfile', f('root.pem'), f('leaf.pem')], { encoding: 'utf8' });
  return (r.stdout + r.stderr).trim();
}

const packr = new Packr({ useRecords: false, mapsAsObjects: true });

/**
 * One agent RPC call on the server port inside TLS: RPCTLS (3) then the RPC byte, or RPCTLSInsecure
 * (7) with the call right inside. Resolves the answer's Error or Body; rejects when refused.
 */
function rpcOverTls(byte: 3 | 7, method: string, own?: { cert: string; key: string }): Promise<{ Error?: string; Body?: unknown }> {
  return new Promise((done, fail) => {
    const s = connect({ host: S, port: 8300 });
    s.on('error', fail);
    s.on('connect', () => {
      s.write(Buffer.of(byte));
      const t = tlsConnect({ socket: s, ca: readFileSync(f('consul-agent-ca.pem')), servername: 'server.dc1.consul', ...(own ?? {}) });
      const timer = setTimeout(() => (t.destroy(), fail(new Error('no answer'))), 5_000);
      let buf = Buffer.alloc(0);
      t.on('error', (err) => (clearTimeout(timer), fail(err)));
      t.on('close', () => (clearTimeout(timer), fail(new Error('closed'))));
      t.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length < 4 || buf.length < 4 + buf.readUInt32BE(0)) return;
        clearTimeout(timer);
        done(packr.unpack(buf.subarray(4, 4 + buf.readUInt32BE(0))) as { Error?: string; Body?: unknown });
        t.destroy();
      });
      t.on('secureConnect', () => {
        const body = packr.pack({ Seq: 1, Method: method, Body: {} });
        const head = Buffer.alloc(4);
        head.writeUInt32BE(body.length, 0);
        t.write(Buffer.concat([...(byte === 3 ? [Buffer.of(0)] : []), head, body]));
      });
    });
  });
}

interface Roots {
  ActiveRootID: string;
  TrustDomain: string;
  Roots: Array<{ ID: string; RootCert: string; Active: boolean }>;
}

let server: AgentProcess;
let client: AgentProcess;

beforeAll(async () => {
  expect(cli(['tls', 'ca', 'create']).status).toBe(0);
  expect(cli(['tls', 'cert', 'create', '-server']).status).toBe(0);
  const serverCfg = config('server.json', {
    tls: {
      defaults: { ca_file: f('consul-agent-ca.pem'), cert_file: f('dc1-server-consul-0.pem'), key_file: f('dc1-server-consul-0-key.pem'), verify_incoming: true, verify_outgoing: true },
      internal_rpc: { verify_server_hostname: true },
    },
    auto_encrypt: { allow_tls: true },
  });
  // The client has the CA and nothing else: no cert_file, no key_file.
  const clientCfg = config('client.json', {
    ports: { https: 8501 },
    tls: { defaults: { ca_file: f('consul-agent-ca.pem'), verify_outgoing: true }, internal_rpc: { verify_server_hostname: true } },
    auto_encrypt: { tls: true, dns_san: ['client.example.internal'], ip_san: [C] },
    // A fixed delay in place of the random 30 s window after a rotation (leafcert's test override).
    connect: { test_ca_leaf_root_change_spread: '3s' },
  });
  server = await agent(S, ['-server', '-bootstrap', '-config-file', serverCfg], true);
  client = await agent(C, ['-retry-join', S, '-config-file', clientCfg]);
}, 90_000);

afterAll(async () => {
  for (const a of started) await a.kill9();
  dir.remove();
});

describe('a client agent with auto_encrypt.tls', () => {
  it('joins over RPC TLS and registers a service that reaches the catalog', async () => {
    await eventually(async () => {
      const r = await http(client.base, 'GET', '/v1/status/leader').catch(() => undefined);
      return r?.status === 200 && r.json() === `${S}:8300`;
    }, 'the leader seen through the client', 150);
    const reg = await http(client.base, 'PUT', '/v1/agent/service/register', JSON.stringify({ Name: 'web', Port: 8080 }));
    expect(reg.status, reg.text).toBe(200);
    await eventually(async () => {
      const r = (await http(server.base, 'GET', '/v1/catalog/service/web')).json() as Array<{ Node: string }>;
      return r.length === 1 && r[0]!.Node === node(C);
    }, 'the service in the catalog');
    expect((await http(client.base, 'PUT', '/v1/kv/ae/hello', 'world')).text).toBe('true');
    expect((await http(server.base, 'GET', '/v1/kv/ae/hello?raw')).text).toBe('world');
    await eventually(async () => client.output().includes('auto-encrypt: got the agent certificate'), 'the certificate in the log');
  }, 60_000);

  it('presents its agent certificate on HTTPS: SPIFFE agent URI, SANs, signed by the Connect root', async () => {
    const roots = (await http(server.base, 'GET', '/v1/connect/ca/roots')).json() as Roots;
    const [leaf] = presented(C, 8501);
    expect(leaf).toBeDefined();
    const t = text(leaf!);
    expect(t).toContain(`URI:spiffe://${roots.TrustDomain}/agent/client/dc/dc1/id/${node(C)}`);
    expect(t).toContain('DNS:localhost');
    expect(t).toContain('DNS:client.example.internal');
    expect(t).toContain('IP Address:127.0.0.1');
    expect(t).toContain(`IP Address:${C}`);
    const active = roots.Roots.find((r) => r.Active)!;
    expect(verify(active.RootCert, leaf!)).toMatch(/: OK$/);
    // Not a certificate of the manual CA.
    expect(verify(execFileSync('cat', [f('consul-agent-ca.pem')], { encoding: 'utf8' }), leaf!)).not.toMatch(/: OK$/);
  });

  it('follows a root rotation without restart: a new certificate under the new root, RPC still accepted', async () => {
    const before = (await http(server.base, 'GET', '/v1/connect/ca/roots')).json() as Roots;
    const put = await http(server.base, 'PUT', '/v1/connect/ca/configuration', JSON.stringify({ Provider: 'consul', Config: { PrivateKeyType: 'ec', PrivateKeyBits: 384 } }));
    expect(put.status, put.text).toBe(200);
    const after = (await http(server.base, 'GET', '/v1/connect/ca/roots')).json() as Roots;
    expect(after.ActiveRootID).not.toBe(before.ActiveRootID);
    const fresh = after.Roots.find((r) => r.Active)!;
    // Not renewed at once: the agent certificate waits the spread after the rotation.
    await sleep(1_500);
    expect(verify(fresh.RootCert, presented(C, 8501)[0] ?? '')).not.toMatch(/: OK$/);
    await eventually(async () => verify(fresh.RootCert, presented(C, 8501)[0] ?? '').endsWith(': OK'), 'the client certificate under the new root', 150);
    await eventually(async () => client.output().includes('auto-encrypt: renewed the agent certificate'), 'the renewal in the log');
    expect((await http(client.base, 'PUT', '/v1/kv/ae/after', 'rotation')).text).toBe('true');
    // The server trusts the new root for incoming RPC at once (trackAutoEncryptCARoots): a
    // certificate under it passes verify_incoming; one of an unrelated CA does not.
    const leaf = (await http(server.base, 'GET', '/v1/agent/connect/ca/leaf/web')).json() as { CertPEM: string; PrivateKeyPEM: string };
    expect(verify(fresh.RootCert, leaf.CertPEM.split(/(?=-----BEGIN CERTIFICATE-----)/)[0]!)).toMatch(/: OK$/);
    expect(await rpcOverTls(3, 'Status.Leader', { cert: leaf.CertPEM, key: leaf.PrivateKeyPEM })).toEqual({ Seq: 1, Body: `${S}:8300` });
    mkdirSync(f('other'));
    execFileSync(process.execPath, [CLI_JS, 'tls', 'ca', 'create'], { cwd: f('other') });
    execFileSync(process.execPath, [CLI_JS, 'tls', 'cert', 'create', '-client'], { cwd: f('other') });
    const other = { cert: readFileSync(f('other/dc1-client-consul-0.pem'), 'utf8'), key: readFileSync(f('other/dc1-client-consul-0-key.pem'), 'utf8') };
    await expect(rpcOverTls(3, 'Status.Leader', other)).rejects.toThrow();
  }, 60_000);
});

describe('refusals', () => {
  it('RPCTLSInsecure serves AutoEncrypt.Sign only, and with no client certificate', async () => {
    expect(await rpcOverTls(7, 'Status.Leader')).toMatchObject({ Seq: 1, Error: "rpc: can't find method Status.Leader" });
    expect(await rpcOverTls(7, 'AutoEncrypt.Sign')).toMatchObject({ Seq: 1, Error: 'invalid CSR' });
    // The regular TLS byte still demands a certificate under verify_incoming.
    await expect(rpcOverTls(3, 'Status.Leader')).rejects.toThrow();
  });

  it('a client agent with neither auto_encrypt nor a certificate cannot use RPC', async () => {
    const noCertCfg = config('no-cert.json', { tls: { defaults: { ca_file: f('consul-agent-ca.pem'), verify_outgoing: true } } });
    const a = await agent('127.0.95.3', ['-retry-join', S, '-config-file', noCertCfg]);
    await eventually(async () => (await http(a.base, 'GET', '/v1/agent/members')).json().length >= 3, 'gossip membership');
    const r = await http(a.base, 'GET', '/v1/kv/ae/hello?raw');
    expect(r.status, r.text).toBe(500);
    expect(r.text).toMatch(/rpc error/);
  }, 60_000);

  it('a server without allow_tls answers AutoEncrypt.Sign with Consul\'s error; the client keeps asking', async () => {
    const S2 = '127.0.95.5';
    const plainServerCfg = config('server-no-allow.json', {
      tls: { defaults: { ca_file: f('consul-agent-ca.pem'), cert_file: f('dc1-server-consul-0.pem'), key_file: f('dc1-server-consul-0-key.pem'), verify_incoming: true, verify_outgoing: true } },
    });
    await agent(S2, ['-server', '-bootstrap', '-config-file', plainServerCfg], true);
    const clientCfg = config('client-2.json', { tls: { defaults: { ca_file: f('consul-agent-ca.pem') } }, auto_encrypt: { tls: true } });
    const proc = spawn(process.execPath, [RUN_JS, ...args('127.0.95.6', ['-retry-join', S2, '-config-file', clientCfg])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually(async () => /AutoEncrypt\.Sign RPC failed.*AutoEncrypt\.AllowTLS must be enabled in order to use this endpoint/.test(out), `the refusal in the client log (${out.slice(-400)})`, 150);
      // It waits for a certificate: no HTTP API yet.
      expect(await fetch('http://127.0.95.6:8500/v1/status/leader').then(() => true, () => false)).toBe(false);
    } finally {
      proc.kill('SIGKILL');
    }
  }, 60_000);
});

describe('with ACLs (default deny)', () => {
  it('the agent token needs node:write on the client\'s node name (AuthorizeAndSignCertificate)', async () => {
    const SA = '127.0.95.10';
    const asMgmt = { 'X-Consul-Token': 'root-secret' };
    const acl = (extra: object): object => ({ acl: { enabled: true, default_policy: 'deny', ...extra } });
    const aclServerCfg = config('acl-server.json', {
      tls: { defaults: { ca_file: f('consul-agent-ca.pem'), cert_file: f('dc1-server-consul-0.pem'), key_file: f('dc1-server-consul-0-key.pem'), verify_incoming: true, verify_outgoing: true } },
      auto_encrypt: { allow_tls: true },
      ...acl({ tokens: { initial_management: 'root-secret' } }),
    });
    const s = await agent(SA, ['-server', '-bootstrap', '-config-file', aclServerCfg], true);
    await eventually(async () => (await http(s.base, 'GET', '/v1/connect/ca/roots')).json().ActiveRootID !== '', 'the Connect root');
    const allowed = '127.0.95.11';
    const p = await http(s.base, 'PUT', '/v1/acl/policy', JSON.stringify({ Name: 'ae-agent', Rules: `node "${node(allowed)}" { policy = "write" }` }), asMgmt);
    expect(p.status, p.text).toBe(200);
    const t = (await http(s.base, 'PUT', '/v1/acl/token', JSON.stringify({ Policies: [{ Name: 'ae-agent' }] }), asMgmt)).json() as { SecretID: string };
    const clientTls = { tls: { defaults: { ca_file: f('consul-agent-ca.pem') } }, auto_encrypt: { tls: true } };
    // A token for another node is refused with Consul's denial, and that client keeps waiting.
    const deniedCfg = config('acl-denied.json', { ...clientTls, ...acl({ tokens: { agent: t.SecretID } }) });
    const proc = spawn(process.execPath, [RUN_JS, ...args('127.0.95.12', ['-retry-join', SA, '-config-file', deniedCfg])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually(async () => /AutoEncrypt\.Sign RPC failed.*Permission denied.*lacks permission 'node:write' on \\?"n-127-0-95-12\\?"/.test(out), `the denial in the client log (${out.slice(-400)})`, 150);
    } finally {
      proc.kill('SIGKILL');
    }
    const okCfg = config('acl-ok.json', { ...clientTls, ...acl({ tokens: { agent: t.SecretID } }) });
    const c = await agent(allowed, ['-retry-join', SA, '-config-file', okCfg]);
    await eventually(async () => c.output().includes('auto-encrypt: got the agent certificate'), 'the certificate with node:write');
  }, 60_000);
});

describe('auto_encrypt configuration errors', () => {
  it.each([
    [['-dev'], { auto_encrypt: { tls: true } }, '==> auto_encrypt.tls can only be used on a client.'],
    [['-data-dir', 'DATA'], { auto_encrypt: { allow_tls: true } }, '==> auto_encrypt.allow_tls can only be used on a server.'],
    [['-data-dir', 'DATA'], { auto_encrypt: { tls: true }, auto_config: { enabled: true } }, '==> both auto_encrypt.tls and auto_config.enabled cannot be set to true.'],
  ])('%j %j refuses with one line', (flags, body, message) => {
    const file = config('bad.json', body);
    const d = tempDir('proconsul-auto-encrypt-bad-');
    const r = spawnSync(process.execPath, [RUN_JS, ...flags.map((x) => (x === 'DATA' ? d.path : x)), '-client', '127.0.95.20', '-bind', '127.0.95.20', '-dns-port', '-1', '-config-file', file], { encoding: 'utf8', timeout: 20_000 });
    d.remove();
    expect(r.status).toBe(1);
    const lines = (r.stderr + r.stdout).split('\n').filter((l) => l.startsWith('==> '));
    expect(lines).toEqual([message]);
  });

  it('warns for allow_tls without verify_incoming and for an ip_san that is no IP address', async () => {
    const file = config('warn.json', { auto_encrypt: { allow_tls: true, ip_san: ['not-an-ip'] } });
    const a = await agent('127.0.95.21', ['-dev', '-config-file', file]);
    expect(a.output()).toContain('if auto_encrypt.allow_tls is turned on, tls.internal_rpc.verify_incoming should be enabled (either explicitly or via tls.defaults.verify_incoming).');
    expect(a.output()).toMatch(/Cannot parse ip \\?"not-an-ip\\?" from AutoEncrypt.IPSAN/);
    await a.kill9();
  }, 30_000);
});
