// The Connect CA on real agent processes (127.0.91.x): three servers with ACLs and a client.
// The leader makes the root after election; roots and leaves are served by followers and the
// client; `openssl verify` checks a leaf against the root; ACLs deny; the root survives the
// leader's death and a full restart; a PUT of the configuration rotates the root; and an agent
// with Connect disabled answers Consul's 500.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const MGMT = '8a1f0e2c-3d4b-4c5a-9e6f-7a8b9c0d1e2f';
const S = ['127.0.91.1', '127.0.91.2', '127.0.91.3'];
const C = '127.0.91.4';
const OFF = '127.0.91.5';
const dir = tempDir('connect-ca-');
const started: AgentProcess[] = [];
afterAll(async () => {
  for (const a of started) await a.kill9();
  dir.remove();
});

const config = join(dir.path, 'server.json');
writeFileSync(config, JSON.stringify({ connect: { enabled: true }, acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: MGMT } } }));
const clientConfig = join(dir.path, 'client.json');
writeFileSync(clientConfig, JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { agent: MGMT } } }));

async function agent(ip: string, args: string[]): Promise<AgentProcess> {
  const a = await startAgentProcess(['-bind', ip, '-client', ip, '-node', `n-${ip.split('.').join('-')}`, '-dns-port', '-1', '-log-level', 'warn', ...args], `${ip}:8500`, { waitForLeader: false });
  started.push(a);
  return a;
}
const server = (ip: string, i: number): Promise<AgentProcess> =>
  agent(ip, ['-server', '-bootstrap-expect', '3', '-data-dir', join(dir.path, `s${i}`), '-config-file', config, '-retry-join', S[(i + 1) % 3]!, '-retry-interval', '1s']);

const asMgmt = { 'X-Consul-Token': MGMT };
type Roots = { ActiveRootID: string; TrustDomain: string; Roots: Record<string, any>[] };

async function activeRoots(base: string): Promise<Roots> {
  return eventually(async () => {
    const r = await http(base, 'GET', '/v1/connect/ca/roots');
    const v = r.status === 200 ? (r.json() as Roots) : undefined;
    return v && v.ActiveRootID !== '' ? v : undefined;
  }, `CA roots at ${base}`, 200);
}

function verify(rootPem: string, leafPem: string, untrusted?: string): string {
  const root = join(dir.path, 'root.pem');
  const leaf = join(dir.path, 'leaf.pem');
  writeFileSync(root, rootPem);
  writeFileSync(leaf, leafPem);
  const extra: string[] = [];
  if (untrusted) {
    writeFileSync(join(dir.path, 'inter.pem'), untrusted);
    extra.push('-untrusted', join(dir.path, 'inter.pem'));
  }
  return execFileSync('openssl', ['verify', '-CAfile', root, ...extra, leaf], { encoding: 'utf8' }).trim();
}

describe('Connect CA on a cluster', () => {
  let servers: AgentProcess[];
  let client: AgentProcess;
  let first: Roots;

  it('the leader makes one root after election, served by every server and the client', async () => {
    servers = await Promise.all(S.map((ip, i) => server(ip, i)));
    client = await agent(C, ['-data-dir', join(dir.path, 'c'), '-config-file', clientConfig, '-retry-join', S[0]!, '-retry-interval', '1s']);
    first = await activeRoots(servers[0]!.base);
    expect(first.TrustDomain).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.consul$/);
    expect(first.Roots).toHaveLength(1);
    const root = first.Roots[0]!;
    expect(Object.keys(root)).toEqual([
      'ID', 'Name', 'SerialNumber', 'SigningKeyID', 'ExternalTrustDomain', 'NotBefore', 'NotAfter', 'RootCert', 'IntermediateCerts',
      'Active', 'PrivateKeyType', 'PrivateKeyBits', 'CreateIndex', 'ModifyIndex',
    ]);
    expect(root).toMatchObject({ ID: first.ActiveRootID, Name: 'Consul CA Primary Cert', Active: true, PrivateKeyType: 'ec', PrivateKeyBits: 256, IntermediateCerts: null });
    expect(root.ExternalTrustDomain).toBe(first.TrustDomain.replace(/\.consul$/, ''));
    const x = new X509Certificate(root.RootCert as string);
    expect(x.ca).toBe(true);
    expect(x.subjectAltName).toBe(`URI:spiffe://${first.TrustDomain}`);
    expect(x.subject).toMatch(/^CN=pri-[0-9a-z]{1,8}\.consul\.ca\.[0-9a-f]{8}\.consul$/);
    expect(x.fingerprint.toLowerCase()).toBe(root.ID);
    expect(Date.parse(x.validTo) - Date.parse(x.validFrom)).toBe(87600 * 3600_000);
    // Every agent answers the same roots (followers and the client through the leader).
    for (const a of [...servers, client]) expect((await http(a.base, 'GET', '/v1/connect/ca/roots')).json()).toEqual(first);
    const agentRoots = await http(client.base, 'GET', '/v1/agent/connect/ca/roots');
    expect(agentRoots.json()).toEqual(first);
    expect(Number(agentRoots.headers.get('x-consul-index'))).toBe(root.ModifyIndex);
    const pem = await http(servers[1]!.base, 'GET', '/v1/connect/ca/roots?pem=true');
    expect(pem.headers.get('content-type')).toBe('application/pem-certificate-chain');
    expect(pem.text).toBe(root.RootCert);
    expect((await http(servers[1]!.base, 'GET', '/v1/connect/ca/roots?pem=yes')).text).toBe("The 'pem' query parameter must be a boolean value");
  }, 120_000);

  it('the configuration needs operator:write even to read (it may hold the key), shows Consul defaults', async () => {
    const denied = await http(client.base, 'GET', '/v1/connect/ca/configuration');
    expect(denied.status).toBe(403);
    expect(denied.text).toMatch(/^Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'operator:write'$/);
    const c = await http(servers[2]!.base, 'GET', '/v1/connect/ca/configuration', undefined, asMgmt);
    expect(c.json()).toMatchObject({ Provider: 'consul', Config: { IntermediateCertTTL: '8760h', LeafCertTTL: '72h', RootCertTTL: '87600h' }, State: null, ForceWithoutCrossSigning: false });
  });

  it('a leaf through the client verifies against the root, with the service URI, an EC key and 72h', async () => {
    const r = await http(client.base, 'GET', '/v1/agent/connect/ca/leaf/web', undefined, asMgmt);
    expect(r.status).toBe(200);
    const leaf = r.json();
    expect(Object.keys(leaf)).toEqual(['SerialNumber', 'CertPEM', 'PrivateKeyPEM', 'Service', 'ServiceURI', 'ValidAfter', 'ValidBefore', 'CreateIndex', 'ModifyIndex']);
    const uri = `spiffe://${first.TrustDomain}/ns/default/dc/dc1/svc/web`;
    expect(leaf).toMatchObject({ Service: 'web', ServiceURI: uri });
    expect(Number(r.headers.get('x-consul-index'))).toBe(leaf.ModifyIndex);
    expect(verify(first.Roots[0]!.RootCert, leaf.CertPEM)).toBe(`${join(dir.path, 'leaf.pem')}: OK`);
    const x = new X509Certificate(leaf.CertPEM);
    expect(x.subjectAltName).toBe(`URI:${uri}`);
    expect(x.publicKey.asymmetricKeyType).toBe('ec');
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x.checkPrivateKey(await import('node:crypto').then((c) => c.createPrivateKey(leaf.PrivateKeyPEM)))).toBe(true);
    expect(Date.parse(leaf.ValidBefore) - Date.parse(leaf.ValidAfter)).toBe(72 * 3600_000);
    expect(Math.abs(Date.parse(leaf.ValidAfter) - (Date.now() - 60_000))).toBeLessThan(30_000);
    expect(leaf.SerialNumber).toBe(x.serialNumber.toLowerCase().match(/../g)!.join(':'));
    // The same certificate again (cached on the agent); a blocking query waits out ?wait.
    expect((await http(client.base, 'GET', '/v1/agent/connect/ca/leaf/web', undefined, asMgmt)).json()).toEqual(leaf);
    const t0 = Date.now();
    const blocked = await http(client.base, 'GET', `/v1/agent/connect/ca/leaf/web?index=${leaf.ModifyIndex}&wait=1s`, undefined, asMgmt);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(blocked.json().SerialNumber).toBe(leaf.SerialNumber);
    // A follower issues too.
    const f = await http(servers[1]!.base, 'GET', '/v1/agent/connect/ca/leaf/db', undefined, asMgmt);
    expect(f.json().ServiceURI).toBe(`spiffe://${first.TrustDomain}/ns/default/dc/dc1/svc/db`);
  });

  it('a leaf needs service:write on the service', async () => {
    const t = await http(servers[0]!.base, 'PUT', '/v1/acl/policy', JSON.stringify({ Name: 'web-write', Rules: 'service "web" { policy = "write" }' }), asMgmt);
    const token = (await http(servers[0]!.base, 'PUT', '/v1/acl/token', JSON.stringify({ Policies: [{ ID: t.json().ID }] }), asMgmt)).json();
    // The client resolves a new token through a server, which may not have applied it yet.
    const ok = await eventually(async () => {
      const r = await http(client.base, 'GET', '/v1/agent/connect/ca/leaf/web', undefined, { 'X-Consul-Token': token.SecretID });
      return r.status === 200 ? r : undefined;
    }, 'the new token to be known');
    expect(ok.json().Service).toBe('web');
    const denied = await http(client.base, 'GET', '/v1/agent/connect/ca/leaf/api', undefined, { 'X-Consul-Token': token.SecretID });
    expect(denied.status).toBe(403);
    expect(denied.text).toBe(`Permission denied: token with AccessorID '${token.AccessorID}' lacks permission 'service:write' on "api"`);
    expect((await http(client.base, 'GET', '/v1/agent/connect/ca/leaf/web')).status).toBe(403);
  });

  it('a PUT of a new key type rotates the root: old kept inactive, new leaves chain to both', async () => {
    const denied = await http(client.base, 'PUT', '/v1/connect/ca/configuration', JSON.stringify({ Provider: 'consul', Config: {} }));
    expect(denied.status).toBe(403);
    const put = await http(client.base, 'PUT', '/v1/connect/ca/configuration', JSON.stringify({ Provider: 'consul', Config: { LeafCertTTL: '24h', PrivateKeyType: 'ec', PrivateKeyBits: 384 } }), asMgmt);
    expect(put.status).toBe(200);
    expect(put.text).toBe('');
    const after = (await http(servers[0]!.base, 'GET', '/v1/connect/ca/roots')).json() as Roots;
    expect(after.TrustDomain).toBe(first.TrustDomain);
    expect(after.ActiveRootID).not.toBe(first.ActiveRootID);
    expect(after.Roots.map((r) => [r.ID, r.Active]).sort()).toEqual([[first.ActiveRootID, false], [after.ActiveRootID, true]].sort());
    const fresh = after.Roots.find((r) => r.Active)!;
    expect(fresh).toMatchObject({ PrivateKeyType: 'ec', PrivateKeyBits: 384 });
    expect(fresh.IntermediateCerts).toHaveLength(1);
    // The agent re-issues under the new root; the leaf verifies with the new root, and with the
    // old one through the cross-signed intermediate it carries.
    const leaf = await eventually(async () => {
      const l = (await http(client.base, 'GET', '/v1/agent/connect/ca/leaf/web', undefined, asMgmt)).json();
      return Date.parse(l.ValidBefore) - Date.parse(l.ValidAfter) === 24 * 3600_000 ? l : undefined;
    }, 'a leaf under the new root');
    const [own, cross] = (leaf.CertPEM as string).split(/(?=-----BEGIN CERTIFICATE-----)/);
    expect(verify(fresh.RootCert, own!)).toMatch(/: OK$/);
    expect(verify(first.Roots[0]!.RootCert, own!, cross)).toMatch(/: OK$/);
    // Consul's checks of a new configuration, with its texts.
    const bad = await http(client.base, 'PUT', '/v1/connect/ca/configuration', JSON.stringify({ Provider: 'consul', Config: { PrivateKeyType: 'ec', PrivateKeyBits: 255 } }), asMgmt);
    expect([bad.status, bad.text]).toEqual([400, 'error configuring provider: EC key length must be one of (224, 256, 384, 521) bits']);
    const state = await http(client.base, 'PUT', '/v1/connect/ca/configuration', JSON.stringify({ Provider: 'consul', Config: {}, State: { x: 'y' } }), asMgmt);
    expect([state.status, state.text]).toEqual([400, 'Provider State is read-only. It must be omitted or identical to the current value']);
    first = after;
  }, 60_000);

  it('keeps the root when the leader dies and after a full restart', async () => {
    const leaderAddr = JSON.parse((await http(servers[0]!.base, 'GET', '/v1/status/leader')).text) as string;
    const i = S.findIndex((ip) => leaderAddr.startsWith(`${ip}:`));
    await servers[i]!.kill9();
    const other = servers[(i + 1) % 3]!;
    await eventually(async () => {
      const l = JSON.parse((await http(other.base, 'GET', '/v1/status/leader')).text) as string;
      return l !== '' && !l.startsWith(`${S[i]}:`);
    }, 'a new leader', 200);
    expect((await activeRoots(other.base)).ActiveRootID).toBe(first.ActiveRootID);
    const leaf = (await http(other.base, 'GET', '/v1/agent/connect/ca/leaf/cache', undefined, asMgmt)).json();
    expect(verify(first.Roots.find((r) => r.Active)!.RootCert, leaf.CertPEM.split(/(?=-----BEGIN CERTIFICATE-----)/)[0])).toMatch(/: OK$/);

    for (const s of servers) await s.kill9();
    servers = await Promise.all(S.map((ip, n) => server(ip, n)));
    const again = await activeRoots(servers[0]!.base);
    expect(again.ActiveRootID).toBe(first.ActiveRootID);
    expect(again.TrustDomain).toBe(first.TrustDomain);
    expect(again.Roots).toHaveLength(2);
  }, 120_000);
});

describe('Connect disabled (connect { enabled = false }; on by default as in Consul 1.14+)', () => {
  it('answers Consul\'s 500 on the CA endpoints', async () => {
    const a = await agent(OFF, ['-server', '-bootstrap', '-data-dir', join(dir.path, 'off'), '-hcl', 'connect { enabled = false }']);
    await eventually(async () => (await http(a.base, 'GET', '/v1/status/leader')).text !== '""', 'a leader');
    for (const path of ['/v1/connect/ca/roots', '/v1/connect/ca/configuration', '/v1/agent/connect/ca/roots', '/v1/agent/connect/ca/leaf/web']) {
      const r = await http(a.base, 'GET', path);
      expect([path, r.status, r.text]).toEqual([path, 500, 'Connect must be enabled in order to use this endpoint']);
    }
    const put = await http(a.base, 'PUT', '/v1/connect/ca/configuration', JSON.stringify({ Provider: 'consul', Config: {} }));
    expect([put.status, put.text]).toEqual([500, 'Connect must be enabled in order to use this endpoint']);
  }, 60_000);
});
