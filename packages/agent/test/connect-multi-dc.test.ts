// The service mesh across two datacenters, with real processes (127.0.99.x): dc1 is the primary
// (one server), dc2 a secondary (one server, primary_datacenter dc1, joined over the WAN), both
// with Connect and ACLs (default deny; dc2 uses a replication token). dc2's CA trusts dc1's roots
// and signs with an intermediate dc1 signed: the same root IDs in both, a dc2 leaf verifies
// against dc1's root with `openssl verify -untrusted <intermediate>` and a dc1 leaf against dc2's
// roots; a rotation in dc1 reaches dc2. Config entries replicate from dc1 (intentions included,
// and /v1/agent/connect/authorize in dc2 follows them); a write through dc2 lands in dc1. Last,
// `proconsul connect proxy` carries bytes from web in dc2 to db in dc1.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datacenters } from './datacenters.js';
import { eventually, http, RUN_JS, tempDir, type AgentProcess } from './helpers.js';

const CLI = resolve(RUN_JS, '../../../cli/bin/proconsul.js');

const DC1 = '127.0.99.11';
const DC2 = '127.0.99.21';
// A secondary whose replication token lacks operator:write: dc1 refuses to sign its intermediate.
const DC3 = '127.0.99.31';
const MGMT = '5c2d8e1f-0a3b-4c4d-8e5f-6a7b8c9d0e1f';
const REPLICATION = '6d3e9f20-1b4c-4d5e-9f60-7b8c9d0e1f2a';
const WEAK = '7e4fa031-2c5d-4e6f-a071-8c9d0e1f2a3b';
let dc2: AgentProcess;
let dc3: AgentProcess;

const started: AgentProcess[] = [];
const dir = tempDir('connect-mdc-');
const base = (ip: string): string => `http://${ip}:8500`;
const asMgmt = { 'X-Consul-Token': MGMT };
const get = (ip: string, path: string) => http(base(ip), 'GET', path, undefined, asMgmt);
const put = (ip: string, path: string, body: unknown) => http(base(ip), 'PUT', path, JSON.stringify(body), asMgmt);

type Root = { ID: string; RootCert: string; IntermediateCerts: string[] | null; Active: boolean; SigningKeyID: string; ExternalTrustDomain: string };
type Roots = { ActiveRootID: string; TrustDomain: string; Roots: Root[] };

const dcs = datacenters(dir.path, started);
const start = (ip: string, dc: string, args: string[], config: Record<string, unknown>): Promise<AgentProcess> =>
  dcs.start(ip, dc, args, { primary_datacenter: 'dc1', connect: { enabled: true }, ...config, acl: { enabled: true, default_policy: 'deny', ...(config.acl as object) } });
const leaderOf = dcs.leaderOf;

async function roots(ip: string, ready: (r: Roots) => boolean = (r) => r.ActiveRootID !== ''): Promise<Roots> {
  let last = '';
  return eventually(async () => {
    const r = await get(ip, '/v1/connect/ca/roots');
    last = `${r.status} ${r.text.slice(0, 200)}`;
    const v = r.status === 200 ? (r.json() as Roots) : undefined;
    return v && ready(v) ? v : undefined;
  }, `CA roots at ${ip}`, 300, 200).catch((err: Error) => {
    throw new Error(`${err.message}; last: ${last}`);
  });
}

let trustDomain = '';
const active = (r: Roots): Root => r.Roots.find((x) => x.ID === r.ActiveRootID)!;
const pems = (chain: string): string[] => chain.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? [];

let n = 0;
function opensslVerify(rootPem: string, leafPem: string, untrusted: string[]): string {
  const f = (name: string, text: string): string => {
    const p = join(dir.path, `${name}-${++n}.pem`);
    writeFileSync(p, text);
    return p;
  };
  const args = ['verify', '-CAfile', f('root', rootPem), ...(untrusted.length ? ['-untrusted', f('untrusted', untrusted.join(''))] : []), f('leaf', leafPem)];
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: 'pipe' }).trim();
}

async function leaf(ip: string, service: string): Promise<{ CertPEM: string; ServiceURI: string }> {
  let last = '';
  return eventually(async () => {
    const r = await get(ip, `/v1/agent/connect/ca/leaf/${service}`);
    last = `${r.status} ${r.text.slice(0, 200)}`;
    return r.status === 200 ? (r.json() as { CertPEM: string; ServiceURI: string }) : undefined;
  }, `a leaf for ${service} at ${ip}`, 150, 200).catch((err: Error) => {
    throw new Error(`${err.message}; last: ${last}`);
  });
}

const startDc2 = (): Promise<AgentProcess> =>
  start(DC2, 'dc2', ['-server', '-bootstrap', '-retry-join-wan', DC1, '-retry-interval-wan', '1s'], { acl: { enable_token_replication: true, tokens: { replication: REPLICATION } } });

beforeAll(async () => {
  await start(DC1, 'dc1', ['-server', '-bootstrap'], { acl: { tokens: { initial_management: MGMT } } });
  await leaderOf(DC1);
  // Consul's replication token for a secondary with Connect: acl and operator write, service and intention read.
  const p = await put(DC1, '/v1/acl/policy', { Name: 'replication', Rules: 'acl = "write"\noperator = "write"\nservice_prefix "" { policy = "read"\n intentions = "read" }' });
  expect(p.status, p.text).toBe(200);
  const t = await put(DC1, '/v1/acl/token', { SecretID: REPLICATION, Description: 'replication', Policies: [{ Name: 'replication' }] });
  expect(t.status, t.text).toBe(200);
  const weak = await put(DC1, '/v1/acl/policy', { Name: 'acl-read', Rules: 'acl = "read"' });
  expect(weak.status, weak.text).toBe(200);
  expect((await put(DC1, '/v1/acl/token', { SecretID: WEAK, Description: 'weak', Policies: [{ Name: 'acl-read' }] })).status).toBe(200);
  const wan = ['-retry-join-wan', DC1, '-retry-interval-wan', '1s'];
  [dc2, dc3] = await Promise.all([
    startDc2(),
    start(DC3, 'dc3', ['-server', '-bootstrap', ...wan], { acl: { tokens: { replication: WEAK } } }),
  ]);
  await Promise.all([leaderOf(DC2), leaderOf(DC3)]);
  trustDomain = (await roots(DC1)).TrustDomain;
}, 120_000);

afterAll(async () => {
  if (process.env.SHOW_LOGS) for (const a of started) console.log(a.base, a.output().slice(-4000));
  for (const a of started) await a.kill9();
  dir.remove();
});

describe('the Connect CA of a secondary datacenter', { timeout: 120_000 }, () => {
  let dc1: Roots;
  let dc2: Roots;

  it('trusts the primary roots: same IDs and trust domain; its active root carries an intermediate dc1 signed', async () => {
    dc1 = await roots(DC1);
    dc2 = await roots(DC2, (r) => r.ActiveRootID === dc1.ActiveRootID);
    expect(dc2.TrustDomain).toBe(dc1.TrustDomain);
    expect(dc2.Roots.map((r) => r.ID)).toEqual(dc1.Roots.map((r) => r.ID));
    const mine = active(dc2);
    const theirs = active(dc1);
    expect(mine.RootCert).toBe(theirs.RootCert);
    expect(mine.ExternalTrustDomain).toBe(theirs.ExternalTrustDomain);
    expect(theirs.IntermediateCerts).toBeNull();
    expect(mine.IntermediateCerts).toHaveLength(1);
    const inter = new X509Certificate(mine.IntermediateCerts![0]!);
    expect(inter.ca).toBe(true);
    expect(inter.checkIssued(new X509Certificate(theirs.RootCert))).toBe(true);
    expect(inter.subjectAltName).toBe(`URI:spiffe://${dc1.TrustDomain}`);
    // The SigningKeyID is the intermediate's key ID (PR 6513), not the root's.
    expect(mine.SigningKeyID).not.toBe(theirs.SigningKeyID);
    expect(opensslVerify(theirs.RootCert, mine.IntermediateCerts![0]!, [])).toMatch(/: OK$/);
  });

  it('answers its own CA configuration', async () => {
    const r = await get(DC2, '/v1/connect/ca/configuration');
    expect(r.status, r.text).toBe(200);
    expect(r.json()).toMatchObject({ Provider: 'consul', State: null, ForceWithoutCrossSigning: false });
    expect(r.json().CreateIndex).toBeGreaterThan(0);
  });

  it('signs dc2 leaves with the intermediate: they verify against dc1 root, and dc1 leaves against dc2 roots', async () => {
    const l2 = await leaf(DC2, 'web');
    expect(l2.ServiceURI).toBe(`spiffe://${dc1.TrustDomain}/ns/default/dc/dc2/svc/web`);
    const chain = pems(l2.CertPEM);
    const inter = active(dc2).IntermediateCerts![0]!;
    // The leaf and the intermediate once (Consul appends it twice: its issue 7018).
    expect(chain).toHaveLength(2);
    expect(chain[1]).toBe(inter);
    expect(opensslVerify(active(dc1).RootCert, chain[0]!, [inter])).toMatch(/: OK$/);
    expect(() => opensslVerify(active(dc1).RootCert, chain[0]!, [])).toThrow();

    const l1 = await leaf(DC1, 'db');
    expect(l1.ServiceURI).toBe(`spiffe://${dc1.TrustDomain}/ns/default/dc/dc1/svc/db`);
    const pem2 = await http(base(DC2), 'GET', '/v1/connect/ca/roots?pem=true');
    expect(pem2.status).toBe(200);
    expect(opensslVerify(pem2.text, pems(l1.CertPEM)[0]!, [])).toMatch(/: OK$/);
  });

  it('a secondary whose replication token lacks operator:write gets no intermediate, so no roots', async () => {
    // dc3 has been asking since it started; dc1 answers each time with Consul's denial.
    await eventually(async () => dc3.output().includes("Primary datacenter refused to sign our intermediate CA certificate") && dc3.output().includes("lacks permission 'operator:write'"), 'the denial in dc3', 150, 200);
    const r = await get(DC3, '/v1/connect/ca/roots');
    expect(r.status, r.text).toBe(200);
    expect(r.json()).toMatchObject({ ActiveRootID: '', Roots: [] });
  });
});

describe('config entries across datacenters', { timeout: 120_000 }, () => {
  it('replicates an intention written in dc1; dc2 authorizes by it', async () => {
    const spiffe = (svc: string): string => `spiffe://${trustDomain}/ns/default/dc/dc2/svc/${svc}`;
    const authorize = async (): Promise<{ Authorized: boolean; Reason: string }> => {
      const r = await http(base(DC2), 'POST', '/v1/agent/connect/authorize', JSON.stringify({ Target: 'db', ClientCertURI: spiffe('web'), ClientCertSerial: 'aa:bb' }), asMgmt);
      expect(r.status, r.text).toBe(200);
      return r.json();
    };
    // The management token's default is allow (its authorizer's IntentionDefaultAllow): a deny
    // intention from dc1 is what changes dc2's answer.
    expect((await authorize()).Authorized).toBe(true);
    const w = await put(DC1, '/v1/connect/intentions/exact?source=web&destination=db', { Action: 'deny' });
    expect(w.status, w.text).toBe(200);
    const seen = await eventually(async () => {
      const r = await get(DC2, '/v1/connect/intentions/exact?source=web&destination=db');
      return r.status === 200 ? r.json() : undefined;
    }, 'the intention in dc2', 150, 200);
    expect(seen).toMatchObject({ SourceName: 'web', DestinationName: 'db', Action: 'deny' });
    await eventually(async () => !(await authorize()).Authorized, 'dc2 denying web -> db', 150, 200);
    expect((await authorize()).Reason).toMatch(/Matched L4 intention/);
    // Changed in dc1 (to allow), changed in dc2.
    expect((await put(DC1, '/v1/connect/intentions/exact?source=web&destination=db', { Action: 'allow' })).status).toBe(200);
    await eventually(async () => (await authorize()).Authorized, 'dc2 allowing web -> db', 150, 200);
    // An intention written through dc2 is dc1's (Intention.Apply goes to the primary).
    expect((await put(DC2, '/v1/connect/intentions/exact?source=api&destination=db', { Action: 'deny' })).status).toBe(200);
    const there = await get(DC1, '/v1/connect/intentions/exact?source=api&destination=db');
    expect(there.status, there.text).toBe(200);
    expect(there.json()).toMatchObject({ SourceName: 'api', Action: 'deny' });
  });

  it('a config entry written through dc2 lands in dc1, then replicates back; a delete through dc2 too', async () => {
    const w = await put(DC2, '/v1/config', { Kind: 'service-defaults', Name: 'api', Protocol: 'http' });
    expect(w.status, w.text).toBe(200);
    expect(w.text).toBe('true');
    // Acknowledged by dc1: there at once.
    const inDc1 = await get(DC1, '/v1/config/service-defaults/api');
    expect(inDc1.status, inDc1.text).toBe(200);
    expect(inDc1.json()).toMatchObject({ Kind: 'service-defaults', Name: 'api', Protocol: 'http' });
    const inDc2 = await eventually(async () => {
      const r = await get(DC2, '/v1/config/service-defaults/api');
      return r.status === 200 ? r.json() : undefined;
    }, 'the entry replicated to dc2', 150, 200);
    expect(inDc2).toMatchObject({ Kind: 'service-defaults', Name: 'api', Protocol: 'http' });
    // A CAS write through dc2 compares dc1's index.
    const stale = await put(DC2, `/v1/config?cas=${inDc1.json().ModifyIndex + 1000}`, { Kind: 'service-defaults', Name: 'api', Protocol: 'grpc' });
    expect(stale.text).toBe('false');
    const del = await http(base(DC2), 'DELETE', '/v1/config/service-defaults/api', undefined, asMgmt);
    expect(del.status, del.text).toBe(200);
    expect((await get(DC1, '/v1/config/service-defaults/api')).status).toBe(404);
    await eventually(async () => (await get(DC2, '/v1/config/service-defaults/api')).status === 404, 'the delete replicated to dc2', 150, 200);
    // Bad input is still answered in dc2 with Consul's 400.
    const bad = await http(base(DC2), 'PUT', '/v1/config', '{"Kind": "service-defaults", "Name": "x", "Bogus": 1}', asMgmt);
    expect(bad.status).toBe(400);
  });

  it('an entry written in dc1 without a token for it is refused there, through dc2 too', async () => {
    const r = await http(base(DC2), 'PUT', '/v1/config', JSON.stringify({ Kind: 'service-defaults', Name: 'x', Protocol: 'http' }));
    expect(r.status, r.text).toBe(403);
  });
});

describe('a rotation in the primary', { timeout: 120_000 }, () => {
  it('reaches dc2: its roots follow, with a new intermediate, and new leaves chain to the new root', async () => {
    const before = await roots(DC1);
    const put1 = await put(DC1, '/v1/connect/ca/configuration', { Provider: 'consul', Config: { PrivateKeyType: 'ec', PrivateKeyBits: 384 } });
    expect(put1.status, put1.text).toBe(200);
    const after1 = await roots(DC1, (r) => r.ActiveRootID !== before.ActiveRootID);
    expect(after1.Roots).toHaveLength(2);
    const after2 = await roots(DC2, (r) => r.ActiveRootID === after1.ActiveRootID);
    expect(after2.Roots.map((r) => r.ID).sort()).toEqual(after1.Roots.map((r) => r.ID).sort());
    const newActive = active(after2);
    // The primary's cross-signed certificate, then dc2's new intermediate.
    expect(newActive.IntermediateCerts).toHaveLength(2);
    expect(newActive.IntermediateCerts![0]).toBe(active(after1).IntermediateCerts![0]);
    const inter = newActive.IntermediateCerts![1]!;
    expect(opensslVerify(active(after1).RootCert, inter, [])).toMatch(/: OK$/);
    const l = await eventually(async () => {
      const x = await leaf(DC2, 'web');
      return pems(x.CertPEM).includes(inter) ? x : undefined;
    }, 'a dc2 leaf under the new intermediate', 100, 200);
    expect(opensslVerify(active(after1).RootCert, pems(l.CertPEM)[0]!, pems(l.CertPEM).slice(1))).toMatch(/: OK$/);
  });

  it('a restarted secondary keeps its roots and intermediate (no new one asked for)', async () => {
    const before = await roots(DC2);
    expect(await dc2.stop()).toBe(0);
    dc2 = await startDc2();
    await leaderOf(DC2);
    // The leader's CA initialization has run once it serves a leaf again.
    const l = await leaf(DC2, 'cache');
    const after = await roots(DC2);
    expect(after.Roots.map((r) => [r.ID, r.IntermediateCerts, r.Active])).toEqual(before.Roots.map((r) => [r.ID, r.IntermediateCerts, r.Active]));
    expect(pems(l.CertPEM).slice(1)).toEqual(active(before).IntermediateCerts);
  });
});

describe('proconsul connect proxy across datacenters', { timeout: 120_000 }, () => {
  it('web in dc2 reaches db in dc1 over mTLS: a dc2 leaf with its intermediate, authorized by dc1', async () => {
    // db's application: an echo server on dc1's address.
    const echo = createServer((s) => s.pipe(s).on('error', () => undefined));
    await new Promise<void>((r) => echo.listen(9001, DC1, r));
    const proxies: ChildProcess[] = [];
    try {
      const db = await put(DC1, '/v1/agent/service/register', {
        Name: 'db', Port: 9001, Address: DC1,
        Connect: { SidecarService: { Port: 21001, Proxy: { LocalServiceAddress: DC1 } } },
      });
      expect(db.status, db.text).toBe(200);
      const web = await put(DC2, '/v1/agent/service/register', {
        Name: 'web', Port: 9002, Address: DC2,
        Connect: { SidecarService: { Port: 21002, Proxy: { LocalServiceAddress: DC2, Upstreams: [{ DestinationName: 'db', Datacenter: 'dc1', LocalBindAddress: DC2, LocalBindPort: 9191 }] } } },
      });
      expect(web.status, web.text).toBe(200);
      const proxy = (ip: string, service: string): ChildProcess => {
        const p = spawn(process.execPath, [CLI, 'connect', 'proxy', '-sidecar-for', service, `-http-addr=${ip}:8500`, `-token=${MGMT}`], { stdio: 'ignore' });
        proxies.push(p);
        return p;
      };
      proxy(DC1, 'db');
      proxy(DC2, 'web');
      // The intention test left web -> db allowed in dc1; db's sidecar passes its listening check.
      const answer = await eventually(async () => {
        const got = await echoThrough(DC2, 9191, 'across\n').catch(() => '');
        return got === 'across\n' ? got : undefined;
      }, 'bytes from web in dc2 to db in dc1 through both proxies', 150, 300);
      expect(answer).toBe('across\n');
      // Denied in dc1: db's proxy closes web's connections before they reach db.
      expect((await put(DC1, '/v1/connect/intentions/exact?source=web&destination=db', { Action: 'deny' })).status).toBe(200);
      await eventually(async () => (await echoThrough(DC2, 9191, 'denied\n').catch(() => '')) === '', 'web refused by db in dc1', 50, 300);
    } finally {
      for (const p of proxies) p.kill('SIGKILL');
      await new Promise((r) => echo.close(r));
    }
  });
});

/** Writes `text` to ip:port and resolves with what comes back before the other side closes or 2 s pass. */
function echoThrough(ip: string, port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, ip);
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve(got);
    }, 2_000);
    s.on('connect', () => s.write(text));
    s.on('data', (b: Buffer) => {
      got += b.toString();
      if (got.length >= text.length) {
        clearTimeout(timer);
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}
