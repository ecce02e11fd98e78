// TLS on the server port with certificates from `proconsul tls`: three servers with
// verify_incoming, verify_outgoing and verify_server_hostname and a TLS client agent form a
// cluster and serve KV (Raft and agent RPC inside TLS: plaintext is refused); a client agent
// without the CA, or with another CA, cannot use RPC; a server whose certificate names another
// datacenter is refused under verify_server_hostname; the CLI talks HTTPS with CONSUL_CACERT;
// bad TLS files refuse the start with one line.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, RUN_JS, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const CLI = resolve(RUN_JS, '../../../cli/bin/proconsul.js');
const dir = tempDir('proconsul-rpc-tls-');
const f = (name: string): string => join(dir.path, name);
const started: AgentProcess[] = [];

function cli(args: string[], cwd: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env['PATH'] ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function config(name: string, body: object): string {
  writeFileSync(f(name), JSON.stringify(body));
  return f(name);
}

async function agent(ip: string, args: string[]): Promise<AgentProcess> {
  const d = tempDir('proconsul-rpc-tls-data-');
  const a = await startAgentProcess(
    ['-data-dir', d.path, '-bind', ip, '-client', ip, '-node', `n-${ip.split('.').join('-')}`, '-dns-port', '-1', '-retry-interval', '1s', ...args],
    `${ip}:8500`,
    { waitForLeader: false },
  );
  started.push(a);
  return a;
}

/** Bytes sent on a plain TCP connection to a server port, and whether the server closed it unanswered. */
function plaintext(ip: string, bytes: Buffer): Promise<{ closed: boolean; answer: number }> {
  return new Promise((done) => {
    const s = connect({ host: ip, port: 8300 });
    let answer = 0;
    const t = setTimeout(() => {
      s.destroy();
      done({ closed: false, answer });
    }, 3_000);
    s.on('connect', () => s.write(bytes));
    s.on('data', (d: Buffer) => (answer += d.length));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(t);
      done({ closed: true, answer });
    });
  });
}

/**
 * RPCTLS, a handshake with the given certificate, then the Raft byte and a byte of frame: whether
 * the server closed the connection within 2 s (it keeps a Raft connection it accepts open).
 */
function raftOverTls(ip: string, cert: string, key: string): Promise<boolean> {
  return new Promise((done) => {
    const s = connect({ host: ip, port: 8300 });
    s.on('error', () => undefined);
    s.on('connect', () => {
      s.write(Buffer.of(0x03));
      const t = tlsConnect({ socket: s, ca: readFileSync(f('consul-agent-ca.pem')), cert: readFileSync(f(cert)), key: readFileSync(f(key)), servername: 'server.dc1.consul' });
      t.on('error', () => undefined);
      const timer = setTimeout(() => {
        t.destroy();
        done(false);
      }, 2_000);
      t.on('close', () => {
        clearTimeout(timer);
        done(true);
      });
      t.on('secureConnect', () => t.write(Buffer.of(0x01, 0)));
    });
  });
}

const S = ['127.0.71.1', '127.0.71.2', '127.0.71.3'];
const C = '127.0.71.4';
let servers: AgentProcess[] = [];
let client: AgentProcess;

beforeAll(async () => {
  // A development CA and certificates, as the Consul tutorial makes them.
  expect(cli(['tls', 'ca', 'create'], dir.path).stdout).toBe('==> Saved consul-agent-ca.pem\n==> Saved consul-agent-ca-key.pem\n');
  const server = cli(['tls', 'cert', 'create', '-server'], dir.path);
  expect(server.stdout).toContain('==> Saved dc1-server-consul-0.pem\n==> Saved dc1-server-consul-0-key.pem\n');
  expect(cli(['tls', 'cert', 'create', '-client'], dir.path).stdout).toContain('==> Saved dc1-client-consul-0.pem');
  expect(cli(['tls', 'cert', 'create', '-server', '-dc', 'dc2'], dir.path).stdout).toContain('==> Saved dc2-server-consul-0.pem');
  mkdirSync(f('other'));
  expect(cli(['tls', 'ca', 'create'], f('other')).status).toBe(0);
  expect(cli(['tls', 'cert', 'create', '-client'], f('other')).status).toBe(0);

  const serverCfg = config('server.json', {
    tls: {
      defaults: { ca_file: f('consul-agent-ca.pem'), cert_file: f('dc1-server-consul-0.pem'), key_file: f('dc1-server-consul-0-key.pem'), verify_incoming: true, verify_outgoing: true },
      internal_rpc: { verify_server_hostname: true },
    },
  });
  const clientCfg = config('client.json', {
    ports: { https: 8501 },
    tls: {
      defaults: { ca_file: f('consul-agent-ca.pem'), cert_file: f('dc1-client-consul-0.pem'), key_file: f('dc1-client-consul-0-key.pem'), verify_outgoing: true },
      internal_rpc: { verify_server_hostname: true },
    },
  });
  servers = await Promise.all(S.map((ip, i) => agent(ip, ['-server', '-bootstrap-expect', '3', '-retry-join', S[(i + 1) % 3]!, '-config-file', serverCfg])));
  client = await agent(C, ['-retry-join', S[0]!, '-config-file', clientCfg]);
}, 120_000);

afterAll(async () => {
  for (const a of started) await a.kill9();
  dir.remove();
});

describe('three TLS servers and a TLS client agent', () => {
  it('elect a leader over TLS and serve KV through the client', async () => {
    const leader = await eventually(async () => {
      const r = await http(client.base, 'GET', '/v1/status/leader').catch(() => undefined);
      return r?.status === 200 && r.json() !== '' ? (r.json() as string) : undefined;
    }, 'a leader seen through the TLS client', 200);
    expect(S.map((ip) => `${ip}:8300`)).toContain(leader);
    expect((await http(client.base, 'PUT', '/v1/kv/tls/hello', 'world')).text).toBe('true');
    for (const s of servers) {
      await eventually(async () => (await http(s.base, 'GET', '/v1/kv/tls/hello?stale&raw')).text === 'world', `the write on ${s.base}`);
    }
    expect((await http(client.base, 'GET', '/v1/kv/tls/hello?raw')).text).toBe('world');
  }, 120_000);

  it('refuse plaintext Raft and RPC under verify_incoming', async () => {
    const raft = await plaintext(S[0]!, Buffer.of(0x01, 0, 0, 0, 1, 0xc0));
    expect(raft).toEqual({ closed: true, answer: 0 });
    const rpc = await plaintext(S[1]!, Buffer.of(0x00, 0, 0, 0, 1, 0xc0));
    expect(rpc).toEqual({ closed: true, answer: 0 });
    await eventually(async () => servers[0]!.output().includes('Non-TLS connection attempted with VerifyIncoming set'), 'the refusal in the log');
  });

  it('take Raft over TLS only from a server certificate (verify_server_hostname)', async () => {
    expect(await raftOverTls(S[2]!, 'dc1-server-consul-0.pem', 'dc1-server-consul-0-key.pem')).toBe(false);
    expect(await raftOverTls(S[2]!, 'dc1-client-consul-0.pem', 'dc1-client-consul-0-key.pem')).toBe(true);
    expect(servers[2]!.output()).toContain('AuthorizeServerConn failed certificate validation for certificate with a SAN.DNSName of server.dc1.consul');
  });

  it('let a client agent without the CA, with another CA, or without a certificate, not use RPC', async () => {
    const plain = await agent('127.0.71.5', ['-retry-join', S[0]!]);
    const otherCfg = config('other.json', {
      tls: { defaults: { ca_file: f('other/consul-agent-ca.pem'), cert_file: f('other/dc1-client-consul-0.pem'), key_file: f('other/dc1-client-consul-0-key.pem'), verify_outgoing: true } },
    });
    const other = await agent('127.0.71.6', ['-retry-join', S[0]!, '-config-file', otherCfg]);
    const noCertCfg = config('no-cert.json', { tls: { defaults: { ca_file: f('consul-agent-ca.pem'), verify_outgoing: true } } });
    const noCert = await agent('127.0.71.10', ['-retry-join', S[0]!, '-config-file', noCertCfg]);
    for (const a of [plain, other, noCert]) {
      // It is a gossip member (gossip has its own key, not TLS) but every RPC fails.
      await eventually(async () => (await http(a.base, 'GET', '/v1/agent/members')).json().filter((m: { Status: number }) => m.Status === 1).length >= 5, 'gossip membership');
      const r = await http(a.base, 'GET', '/v1/kv/tls/hello?raw');
      expect(r.status, r.text).toBe(500);
      expect(r.text).toMatch(/rpc error/);
    }
    const otherErr = (await http(other.base, 'GET', '/v1/kv/tls/hello')).text;
    expect(otherErr).toMatch(/certificate/i);
  }, 60_000);

  it('talk HTTPS to the CLI with CONSUL_CACERT (and refuse it without)', () => {
    const env = { CONSUL_HTTP_ADDR: `https://${C}:8501`, CONSUL_TLS_SERVER_NAME: 'client.dc1.consul' };
    const ok = cli(['kv', 'get', 'tls/hello'], dir.path, { ...env, CONSUL_CACERT: f('consul-agent-ca.pem') });
    expect(ok.stdout, ok.stderr).toBe('world\n');
    const noCa = cli(['kv', 'get', 'tls/hello'], dir.path, env);
    expect(noCa.status).toBe(1);
    expect(noCa.stderr).toMatch(/certificate/);
    const noVerify = cli(['kv', 'get', 'tls/hello'], dir.path, { ...env, CONSUL_HTTP_SSL_VERIFY: 'false' });
    expect(noVerify.stdout).toBe('world\n');
  });
});

describe('verify_server_hostname', () => {
  it('refuses a server whose certificate names another datacenter', async () => {
    const W = '127.0.71.7';
    const wrongCfg = config('wrong-dc.json', {
      tls: { defaults: { ca_file: f('consul-agent-ca.pem'), cert_file: f('dc2-server-consul-0.pem'), key_file: f('dc2-server-consul-0-key.pem') } },
    });
    await agent(W, ['-server', '-bootstrap', '-config-file', wrongCfg]);
    const strictCfg = config('strict.json', {
      tls: {
        defaults: { ca_file: f('consul-agent-ca.pem'), verify_outgoing: true },
        internal_rpc: { verify_server_hostname: true },
      },
    });
    // ca_path: a directory of CAs instead of one file.
    mkdirSync(f('cas'));
    copyFileSync(f('consul-agent-ca.pem'), f('cas/agent-ca.pem'));
    const chainOnlyCfg = config('chain-only.json', { tls: { defaults: { ca_path: f('cas'), verify_outgoing: true } } });
    const strict = await agent('127.0.71.8', ['-retry-join', W, '-config-file', strictCfg]);
    const chainOnly = await agent('127.0.71.9', ['-retry-join', W, '-config-file', chainOnlyCfg]);
    // Checking only the chain, the server answers over TLS...
    await eventually(async () => (await http(chainOnly.base, 'GET', '/v1/kv/anything')).status === 404, 'a TLS answer without hostname verification', 150);
    // ...but it is not server.dc1.consul.
    const r = await http(strict.base, 'GET', '/v1/kv/anything');
    expect(r.status).toBe(500);
    expect(r.text).toContain('server.dc1.consul');
  }, 60_000);
});

describe('internal RPC TLS configuration errors', () => {
  it.each([
    [{ tls: { defaults: { verify_outgoing: true } } }, '==> VerifyOutgoing set, and no CA certificate provided!'],
    [{ tls: { internal_rpc: { verify_incoming: true, cert_file: 'c', key_file: 'k' } } }, '==> VerifyIncoming set but no CA certificates were provided'],
    [{ tls: { defaults: { ca_file: '/ca.pem', verify_incoming: true } } }, '==> VerifyIncoming requires either a Cert and Key pair in the configuration file, or auto_encrypt/auto_config be enabled'],
    [{ tls: { defaults: { verify_server_hostname: true } } }, '==> verify_server_hostname is only valid in the tls.internal_rpc stanza'],
    [{ tls: { internal_rpc: { ca_file: '/nonexistent/ca.pem' } } }, /^==> Error starting agent: Error loading from \/nonexistent\/ca\.pem: ENOENT/],
    [{ tls: { defaults: { cert_file: '/nonexistent/c.pem', key_file: '/nonexistent/k.pem' } } }, /^==> Error starting agent: Failed to load cert\/key pair: ENOENT/],
    ['mismatch', /^==> Error starting agent: Failed to load cert\/key pair: .*key values mismatch/],
  ])('refuses %j with one line and exit 1', (cfg, message) => {
    const body: object = cfg === 'mismatch' ? { tls: { defaults: { cert_file: f('dc1-server-consul-0.pem'), key_file: f('dc1-client-consul-0-key.pem') } } } : (cfg as object);
    const file = config('bad.json', body);
    const r = spawnSync(process.execPath, [RUN_JS, '-dev', '-client', '127.0.71.20', '-bind', '127.0.71.20', '-dns-port', '-1', '-config-file', file], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    const lines = (r.stderr + r.stdout).split('\n').filter((l) => l.startsWith('==> '));
    expect(lines.length).toBe(1);
    if (typeof message === 'string') expect(lines[0]).toBe(message);
    else expect(lines[0]).toMatch(message);
  });
});
