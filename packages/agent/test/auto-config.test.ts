// auto_config, as Consul's "Automate client agent configuration" docs set it up: a server with TLS
// (verify_incoming), ACLs with default deny, a gossip key and `auto_config { authorization {
// enabled = true, static { jwt_validation_pub_keys, bound_issuer, bound_audiences, claim_mappings,
// claim_assertions } } }`; a client agent with only the CA, `auto_config { enabled = true,
// intro_token = <JWT>, server_addresses = [...] }` gets its configuration from the server
// (AutoConfig.InitialConfiguration over RPCTLSInsecure): it joins the encrypted gossip pool from
// the answer's join addresses, registers its node with the agent token the server made for it,
// holds an agent certificate signed by the Connect CA, registers a service that reaches the
// catalog, and restarts from the persisted auto-config.json without the token. A JWT failing the
// claim assertion or the signature is refused with Consul's errors; config errors are Consul's.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, RUN_JS, startAgentProcess, tempDir, workDir, type AgentProcess } from './helpers.js';

const dir = workDir('proconsul-auto-config-');
const { file: f, cli, config } = dir;
const started: AgentProcess[] = [];

const S = '127.0.102.1';
const C = '127.0.102.2';
const MGMT = { 'X-Consul-Token': 'root-secret' };
const ISSUER = 'https://issuer.example.internal';
const AUDIENCE = 'consul-cluster-dc1';

const node = (ip: string): string => `n-${ip.split('.').join('-')}`;
const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** An ES256 JWT signed with node's crypto (JWS: the signature as r || s). */
function jwt(key: KeyObject, claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT' }))}.${b64url(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, iat: now, nbf: now, exp: now + 3600, ...claims }))}`;
  return `${head}.${b64url(sign('sha256', Buffer.from(head), { key, dsaEncoding: 'ieee-p1363' }))}`;
}

function clientArgs(ip: string, dataDir: string, cfg: string): string[] {
  return ['-data-dir', dataDir, '-bind', ip, '-client', ip, '-node', node(ip), '-dns-port', '-1', '-retry-interval', '1s', '-config-file', cfg];
}

/** A client agent that never gets its configuration: its output once `what` shows up, then killed. */
async function refusedClient(ip: string, cfg: string, what: string): Promise<string> {
  const d = tempDir('proconsul-auto-config-refused-');
  const proc = spawn(process.execPath, [RUN_JS, ...clientArgs(ip, d.path, cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  try {
    await eventually(async () => out.includes(what), `${what} (output: ${out.slice(-800)})`, 150);
    // No configuration, so no HTTP API and nothing persisted.
    expect(await fetch(`http://${ip}:8500/v1/status/leader`).then(() => true, () => false)).toBe(false);
    expect(existsSync(join(d.path, 'auto-config.json'))).toBe(false);
    return out;
  } finally {
    proc.kill('SIGKILL');
    d.remove();
  }
}

let server: AgentProcess;
let signer: KeyObject;
let clientCfg: string;
const clientData = tempDir('proconsul-auto-config-client-');
let gossipKey: string;

beforeAll(async () => {
  expect(cli(['tls', 'ca', 'create']).status).toBe(0);
  expect(cli(['tls', 'cert', 'create', '-server']).status).toBe(0);
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  signer = pair.privateKey;
  gossipKey = cli(['keygen']).stdout.trim();
  const serverCfg = config('server.json', {
    encrypt: gossipKey,
    tls: {
      defaults: { ca_file: f('consul-agent-ca.pem'), cert_file: f('dc1-server-consul-0.pem'), key_file: f('dc1-server-consul-0-key.pem'), verify_incoming: true, verify_outgoing: true },
      internal_rpc: { verify_server_hostname: true },
    },
    acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: 'root-secret' } },
    auto_config: {
      authorization: {
        enabled: true,
        static: {
          jwt_validation_pub_keys: [pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()],
          bound_issuer: ISSUER,
          bound_audiences: [AUDIENCE],
          claim_mappings: { sub: 'node_name' },
          claim_assertions: ['value.node_name == "${node}"'],
        },
      },
    },
  });
  server = await startAgentProcess(['-server', '-bootstrap', '-data-dir', tempDir('proconsul-auto-config-server-').path, '-bind', S, '-client', S, '-node', node(S), '-dns-port', '-1', '-config-file', serverCfg], `${S}:8500`, { waitForLeader: true });
  started.push(server);
  await eventually(async () => (await http(server.base, 'GET', '/v1/connect/ca/roots', undefined, MGMT)).json().ActiveRootID !== '', 'the Connect root');
  // The client has the CA file, the JWT and the server's address: no gossip key, no token, no certificate, no join.
  clientCfg = config('client.json', {
    tls: { defaults: { ca_file: f('consul-agent-ca.pem'), verify_outgoing: true }, internal_rpc: { verify_server_hostname: true } },
    auto_config: { enabled: true, intro_token: jwt(signer, { sub: node(C) }), server_addresses: [S] },
  });
}, 90_000);

afterAll(async () => {
  for (const a of started) await a.kill9();
  clientData.remove();
  dir.remove();
});

interface Persisted {
  Config: { Datacenter: string; NodeName: string; ACL: { Enabled: boolean; DefaultPolicy: string; Tokens: { Agent: string } }; Gossip: { RetryJoinLAN: string[]; Encryption: { Key: string } } };
  Certificate: { CertPEM: string; PrivateKeyPEM: string; AgentURI: string };
  CARoots: { Roots: Array<{ RootCert: string }> };
}

describe('a client agent with auto_config', () => {
  let client: AgentProcess;

  it('joins the encrypted pool and registers its node with the token the server made for it', async () => {
    client = await startAgentProcess(clientArgs(C, clientData.path, clientCfg), `${C}:8500`);
    started.push(client);
    await eventually(async () => {
      const r = await http(server.base, 'GET', `/v1/catalog/node/${node(C)}`, undefined, MGMT);
      return r.status === 200 && (r.json() as { Node: { Address: string } } | null)?.Node.Address === C;
    }, 'the client node in the catalog', 200);
    const health = (await http(server.base, 'GET', `/v1/health/node/${node(C)}`, undefined, MGMT)).json() as Array<{ CheckID: string; Status: string }>;
    expect(health.find((h) => h.CheckID === 'serfHealth')?.Status).toBe('passing');
    expect(client.output()).toMatch(/serf LAN pool started:.*encrypted=true/);
    expect(client.output()).toContain('retrieving initial agent auto configuration remotely');

    const file = join(clientData.path, 'auto-config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const p = JSON.parse(readFileSync(file, 'utf8')) as Persisted;
    expect(p.Config.Datacenter).toBe('dc1');
    expect(p.Config.NodeName).toBe(node(C));
    expect(p.Config.Gossip.Encryption.Key).toBe(gossipKey);
    expect(p.Config.Gossip.RetryJoinLAN).toEqual([`${S}:8301`]);
    expect(p.Config.ACL).toMatchObject({ Enabled: true, DefaultPolicy: 'deny' });
    const self = (await http(server.base, 'GET', '/v1/acl/token/self', undefined, { 'X-Consul-Token': p.Config.ACL.Tokens.Agent })).json() as Record<string, unknown>;
    expect(self).toMatchObject({ Description: `Auto Config Token for Node "${node(C)}"`, Local: true, NodeIdentities: [{ NodeName: node(C), Datacenter: 'dc1' }] });
  }, 120_000);

  it('holds an agent certificate signed by the Connect CA', async () => {
    const p = JSON.parse(readFileSync(join(clientData.path, 'auto-config.json'), 'utf8')) as Persisted;
    expect(p.Certificate.AgentURI).toMatch(new RegExp(`^spiffe://[0-9a-f-]+\\.consul/agent/client/dc/dc1/id/${node(C)}$`));
    expect(p.Certificate.PrivateKeyPEM).toContain('PRIVATE KEY');
    writeFileSync(f('root.pem'), p.CARoots.Roots.map((r) => r.RootCert).join('\n'));
    writeFileSync(f('leaf.pem'), p.Certificate.CertPEM.split(/(?=-----BEGIN CERTIFICATE-----)/)[0]!);
    const v = spawnSync('openssl', ['verify', '-CAfile', f('root.pem'), f('leaf.pem')], { encoding: 'utf8' });
    expect((v.stdout + v.stderr).trim()).toMatch(/: OK$/);
    expect(client.output()).toContain('auto-encrypt: got the agent certificate');
  });

  it('registers a service that reaches the catalog', async () => {
    const reg = await http(client.base, 'PUT', '/v1/agent/service/register', JSON.stringify({ Name: 'web', Port: 8080 }), MGMT);
    expect(reg.status, reg.text).toBe(200);
    await eventually(async () => {
      const r = (await http(server.base, 'GET', '/v1/catalog/service/web', undefined, MGMT)).json() as Array<{ Node: string }>;
      return r.length === 1 && r[0]!.Node === node(C);
    }, 'the service in the catalog');
  }, 30_000);

  it('restarts from the persisted configuration without the intro token', async () => {
    expect(await client.stop()).toBe(0);
    // The token file does not exist: only the persisted answer can configure the agent now.
    const noToken = config('client-no-token.json', {
      tls: { defaults: { ca_file: f('consul-agent-ca.pem'), verify_outgoing: true }, internal_rpc: { verify_server_hostname: true } },
      auto_config: { enabled: true, intro_token_file: f('gone.jwt'), server_addresses: [S] },
    });
    client = await startAgentProcess(clientArgs(C, clientData.path, noToken), `${C}:8500`);
    started.push(client);
    expect(client.output()).toContain('auto-config: restored the persisted configuration');
    expect(client.output()).not.toContain('retrieving initial agent auto configuration remotely');
    await eventually(async () => {
      const r = (await http(server.base, 'GET', `/v1/health/node/${node(C)}`, undefined, MGMT)).json() as Array<{ CheckID: string; Status: string }>;
      return r.find((h) => h.CheckID === 'serfHealth')?.Status === 'passing';
    }, 'the restarted client alive', 200);
    await eventually(async () => {
      const r = (await http(client.base, 'GET', '/v1/catalog/service/web', undefined, MGMT)).json() as Array<{ Node: string }>;
      return r.length === 1;
    }, 'RPC through the restarted client');
  }, 120_000);
});

describe('refused JWTs', () => {
  it('a JWT failing the claim assertion gets Consul\'s denial and no configuration', async () => {
    const cfg = config('client-other.json', {
      tls: { defaults: { ca_file: f('consul-agent-ca.pem'), verify_outgoing: true } },
      auto_config: { enabled: true, intro_token: jwt(signer, { sub: 'some-other-node' }), server_addresses: [`${S}:8300`] },
    });
    const out = await refusedClient('127.0.102.3', cfg, 'Permission denied: Failed JWT claim assertion');
    expect(out).toContain('No server successfully responded to the auto-config request');
  }, 60_000);

  it('a JWT signed by another key gets the signature error', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const cfg = config('client-forged.json', {
      tls: { defaults: { ca_file: f('consul-agent-ca.pem'), verify_outgoing: true } },
      auto_config: { enabled: true, intro_token: jwt(other, { sub: node('127.0.102.4') }), server_addresses: [S] },
    });
    await refusedClient('127.0.102.4', cfg, 'Permission denied: Failed JWT authorization: no known key successfully validated the token signature');
  }, 60_000);
});

describe('auto_config configuration errors', () => {
  const tlsClient = { tls: { defaults: { ca_file: 'CA', verify_outgoing: true } } };
  const tlsServer = { tls: { defaults: { ca_file: 'CA', cert_file: 'CERT', key_file: 'KEY', verify_outgoing: true } } };
  const authz = (stat: object): object => ({ auto_config: { authorization: { enabled: true, static: stat } } });
  it.each([
    [[], { auto_config: { enabled: true, intro_token: 'x', server_addresses: [S] } }, '==> auto_config.enabled cannot be set without configuring TLS for server communications'],
    [['-server'], { ...tlsServer, auto_config: { enabled: true, intro_token: 'x', server_addresses: [S] } }, '==> auto_config.enabled cannot be set to true for server agents.'],
    [[], { ...tlsClient, auto_config: { enabled: true, server_addresses: [S] } }, '==> One of auto_config.intro_token, auto_config.intro_token_file or the CONSUL_INTRO_TOKEN environment variable must be set to enable auto_config'],
    [[], { ...tlsClient, auto_config: { enabled: true, intro_token: 'x' } }, '==> auto_config.enabled is set without providing a list of addresses'],
    [[], { ...tlsClient, ...authz({ jwt_validation_pub_keys: ['PUB'] }) }, '==> auto_config.authorization.enabled cannot be set to true for client agents'],
    [['-server'], { tls: { defaults: { ca_file: 'CA' } }, ...authz({ jwt_validation_pub_keys: ['PUB'] }) }, '==> auto_config.authorization.enabled cannot be set without providing a TLS certificate for the server'],
    [['-server'], { ...tlsServer, ...authz({}) }, `==> auto_config.authorization.static has invalid configuration: exactly one of 'JWTValidationPubKeys', 'JWKSURL', or 'OIDCDiscoveryURL' must be set for type "jwt"`],
    [['-server'], { ...tlsServer, ...authz({ jwt_validation_pub_keys: ['PUB'], claim_assertions: ['value.node == "${nodes}"'] }) }, '==> auto_config.authorization.static.claim_assertion "value.node == \\"${nodes}\\"" is invalid: 1:18: unknown variable accessed: nodes'],
  ])('%j %j refuses with one line', (flags, body, message) => {
    const pub = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const text = JSON.stringify(body).replace(/"CA"/g, JSON.stringify(f('consul-agent-ca.pem'))).replace(/"CERT"/g, JSON.stringify(f('dc1-server-consul-0.pem')))
      .replace(/"KEY"/g, JSON.stringify(f('dc1-server-consul-0-key.pem'))).replace(/"PUB"/g, JSON.stringify(pub));
    writeFileSync(f('bad.json'), text);
    const d = tempDir('proconsul-auto-config-bad-');
    const r = spawnSync(process.execPath, [RUN_JS, ...flags, '-data-dir', d.path, '-client', '127.0.102.20', '-bind', '127.0.102.20', '-dns-port', '-1', '-config-file', f('bad.json')], { encoding: 'utf8', timeout: 20_000 });
    d.remove();
    expect(r.status, r.stdout + r.stderr).toBe(1);
    const lines = (r.stderr + r.stdout).split('\n').filter((l) => l.startsWith('==> '));
    expect(lines).toEqual([message]);
  });
});
