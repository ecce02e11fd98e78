// ACLs on client agents, with real processes: three servers and four clients with
// default_policy = deny. A client resolves tokens through the servers (cached for token_ttl),
// enforces its own /v1/agent/* endpoints, forwards state requests with the caller's token,
// and syncs its node and services with its own tokens (blocked, with Consul's warning, until
// it has an agent token). Then every server is killed and each down_policy is checked.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient } from '../src/rpc/client.js';
import { dig, eventually, http, sleep, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const S = ['127.0.72.1', '127.0.72.2', '127.0.72.3'];
const C = { extend: '127.0.72.11', async: '127.0.72.12', allow: '127.0.72.13', deny: '127.0.72.14' };
const MGMT = 'b1a7e0c4-5d1e-4c6a-9f0e-2d3c4b5a6f70';
const RECOVERY = 'c2b8f1d5-6e2f-4d7b-8a1f-3e4d5c6b7a81';
const started: AgentProcess[] = [];
const dir = tempDir('acl-client-');

const asMgmt = { 'X-Consul-Token': MGMT };
const json = (v: unknown): string => JSON.stringify(v);
const nodeName = (ip: string): string => `c-${ip.split('.')[3]}`;

function configFile(name: string, acl: Record<string, unknown>): string {
  const path = join(dir.path, `${name}.json`);
  writeFileSync(path, json({ acl: { enabled: true, default_policy: 'deny', ...acl } }));
  return path;
}

async function start(ip: string, node: string, args: string[], cfg: string, dns = false): Promise<AgentProcess> {
  const a = await startAgentProcess(
    ['-data-dir', join(dir.path, ip), '-bind', ip, '-client', ip, '-node', node,
      '-dns-port', dns ? '8600' : '-1', '-log-level', 'warn', '-config-file', cfg, ...args],
    `${ip}:8500`,
    { waitForLeader: false },
  );
  started.push(a);
  return a;
}

async function tokenWith(base: string, name: string, rules: string): Promise<string> {
  const p = await http(base, 'PUT', '/v1/acl/policy', json({ Name: name, Rules: rules }), asMgmt);
  expect(p.status, p.text).toBe(200);
  const t = await http(base, 'PUT', '/v1/acl/token', json({ Description: name, Policies: [{ Name: name }] }), asMgmt);
  expect(t.status, t.text).toBe(200);
  return t.json().SecretID as string;
}

let servers: AgentProcess[];
const clients: Record<keyof typeof C, AgentProcess> = {} as never;
let tokens: { agent: string; web: string; reader: string };

beforeAll(async () => {
  const serverCfg = configFile('server', { tokens: { initial_management: MGMT } });
  servers = await Promise.all(S.map((ip, i) => start(ip, `s-${i + 1}`, ['-server', '-bootstrap-expect', '3', '-retry-join', S[(i + 1) % 3]!, '-retry-interval', '1s'], serverCfg)));
  await eventually(async () => (await http(servers[0]!.base, 'GET', '/v1/status/leader')).json() !== '', 'a leader', 150);
  const s = servers[0]!.base;
  tokens = {
    agent: await tokenWith(s, 'client-agents', 'node_prefix "c-" { policy = "write" }\nservice_prefix "" { policy = "read" }'),
    web: await tokenWith(s, 'web-deployer', 'service "web" { policy = "write" }'),
    reader: await tokenWith(s, 'reader', 'service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }\nagent_prefix "" { policy = "read" }\nkey_prefix "pub/" { policy = "read" }'),
  };
  const ttl = { token_ttl: '1s', policy_ttl: '1s', role_ttl: '1s' };
  const join1 = ['-retry-join', S[0]!, '-retry-interval', '1s', '-node-meta', 'role:client'];
  // The extend-cache client starts without an agent token: its node cannot be registered yet.
  clients.extend = await start(C.extend, nodeName(C.extend), join1, configFile('extend', { ...ttl, down_policy: 'extend-cache', enable_token_persistence: true }), true);
  clients.async = await start(C.async, nodeName(C.async), join1, configFile('async', { ...ttl, down_policy: 'async-cache', tokens: { agent: tokens.agent } }));
  clients.allow = await start(C.allow, nodeName(C.allow), join1, configFile('allow', { ...ttl, down_policy: 'allow', tokens: { agent: tokens.agent } }));
  clients.deny = await start(C.deny, nodeName(C.deny), join1, configFile('deny', { ...ttl, down_policy: 'deny', tokens: { agent: tokens.agent, default: tokens.reader, agent_recovery: RECOVERY } }), true);
}, 120_000);

afterAll(async () => {
  for (const a of started) await a.kill9();
  dir.remove();
});

const onClient = (c: keyof typeof C, method: string, path: string, body?: unknown, token?: string) =>
  http(clients[c].base, method, path, body === undefined ? undefined : json(body), token ? { 'X-Consul-Token': token } : {});

async function nodeMeta(name: string): Promise<Record<string, string> | undefined> {
  const r = await http(servers[0]!.base, 'GET', `/v1/catalog/node/${name}`, undefined, asMgmt);
  return r.status === 200 ? (r.json()?.Node?.Meta ?? {}) : undefined;
}

describe('a client agent with default_policy = deny', () => {
  it('blocks its node info update without an agent token, logging Consul\'s warning', async () => {
    await eventually(async () => clients.extend.output().includes('Node info update blocked by ACLs'), 'the blocked warning', 150);
    expect(clients.extend.output()).toMatch(/\[WARN\] {2}agent: Node info update blocked by ACLs: node=\S+ accessorID="anonymous token"/);
    // The leader registers every member, but only this agent writes its node meta.
    expect((await nodeMeta(nodeName(C.extend)))?.role).toBeUndefined();
    // The clients given an agent token wrote theirs.
    await eventually(async () => (await nodeMeta(nodeName(C.async)))?.role === 'client', 'the async client\'s node meta', 150);
  });

  it('enforces service registration on the agent with the caller\'s token', async () => {
    const none = await onClient('extend', 'PUT', '/v1/agent/service/register', { Name: 'web', Port: 80 });
    expect(none.status).toBe(403);
    expect(none.text).toBe(`Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'service:write' on "web"`);
    const other = await onClient('extend', 'PUT', '/v1/agent/service/register', { Name: 'db', Port: 5432 }, tokens.web);
    expect(other.status).toBe(403);
    expect(other.text).toMatch(/lacks permission 'service:write' on "db"$/);
    expect((await onClient('extend', 'PUT', '/v1/agent/service/register', { Name: 'web', Port: 80 }, tokens.web)).status).toBe(200);
    const unknown = await onClient('extend', 'GET', '/v1/agent/self', undefined, '11111111-2222-3333-4444-555555555555');
    expect(unknown.status).toBe(403);
    expect(unknown.text).toBe('ACL not found');
  });

  it('syncs a service with its own token, and node info once an agent token is set', async () => {
    await eventually(async () => {
      const r = await http(servers[1]!.base, 'GET', '/v1/catalog/service/web', undefined, asMgmt);
      return (r.json() as { Node: string }[]).some((e) => e.Node === nodeName(C.extend));
    }, 'web in the catalog', 150);
    expect((await nodeMeta(nodeName(C.extend)))?.role).toBeUndefined();
    const denied = await onClient('extend', 'PUT', '/v1/agent/token/agent', { Token: tokens.agent }, tokens.web);
    expect(denied.status).toBe(403);
    expect((await onClient('extend', 'PUT', '/v1/agent/token/agent', { Token: tokens.agent }, MGMT)).status).toBe(200);
    await eventually(async () => (await nodeMeta(nodeName(C.extend)))?.role === 'client', 'the node meta in the catalog', 150);
    // Persisted (acl.enable_token_persistence) as Consul's acl-tokens.json.
    expect(JSON.parse(readFileSync(join(dir.path, C.extend, 'acl-tokens.json'), 'utf8')).agent).toBe(tokens.agent);
    // Node info in sync is not written again by later syncs.
    const nodeIndex = async () => (await http(servers[0]!.base, 'GET', `/v1/catalog/node/${nodeName(C.extend)}`, undefined, asMgmt)).json().Node.ModifyIndex as number;
    const before = await nodeIndex();
    expect((await onClient('extend', 'PUT', '/v1/agent/service/register', { ID: 'web2', Name: 'web', Port: 81 }, tokens.web)).status).toBe(200);
    await eventually(async () => (await http(servers[0]!.base, 'GET', '/v1/catalog/service/web', undefined, asMgmt)).json().length === 2, 'web2 synced');
    expect(await nodeIndex()).toBe(before);
  });

  it('answers the sync RPCs (Catalog.NodeServices, Health.NodeChecks, Coordinate.Update) with the token\'s view', async () => {
    const leaderIp = ((await http(servers[0]!.base, 'GET', '/v1/status/leader')).json() as string).split(':')[0]!;
    const follower = S.find((ip) => ip !== leaderIp)!;
    const nodesOnly = await tokenWith(servers[0]!.base, 'nodes-only', 'node_prefix "" { policy = "read" }');
    const rpc = new RpcClient();
    const call = (ip: string, method: string, body: unknown) => rpc.call(ip, 8300, method, body, 10_000);
    const node = nodeName(C.extend); // web and web2 registered by the test above
    try {
      for (const ip of [follower, leaderIp]) {
        // The agent token reads the node and every service; one that reads nodes only gets none.
        const all = (await call(ip, 'Catalog.NodeServices', { Node: node, Token: tokens.agent })) as { Node: { Node: string }; Services: Record<string, unknown> };
        expect(all.Node.Node).toBe(node);
        expect(Object.keys(all.Services).sort()).toEqual(['web', 'web2']);
        const bare = (await call(ip, 'Catalog.NodeServices', { Node: node, Token: nodesOnly })) as { Services: Record<string, unknown> };
        expect(bare.Services).toEqual({});
        await expect(call(ip, 'Catalog.NodeServices', { Node: node, Token: tokens.web })).rejects.toThrow(`lacks permission 'node:read' on "${node}"`);
        await expect(call(ip, 'Catalog.NodeServices', { Node: node, Token: '11111111-2222-3333-4444-555555555555' })).rejects.toThrow('ACL not found');
        const checks = (await call(ip, 'Health.NodeChecks', { Node: node, Token: nodesOnly })) as { CheckID: string }[];
        expect(checks.map((c) => c.CheckID)).toEqual(['serfHealth']);
        expect(await call(ip, 'Health.NodeChecks', { Node: node, Token: tokens.web })).toEqual([]);
        // An update needs node:write, a valid coordinate of the servers' dimensionality.
        const coord = { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 };
        expect(await call(ip, 'Coordinate.Update', { Node: node, Segment: '', Coord: coord, Token: tokens.agent })).toEqual({});
        await expect(call(ip, 'Coordinate.Update', { Node: node, Segment: '', Coord: coord, Token: tokens.web })).rejects.toThrow(`lacks permission 'node:write' on "${node}"`);
        await expect(call(ip, 'Coordinate.Update', { Node: node, Segment: '', Coord: { ...coord, Vec: [0, 0, 0] }, Token: MGMT })).rejects.toThrow('incompatible coordinate');
        await expect(call(ip, 'Coordinate.Update', { Node: node, Segment: '', Coord: { ...coord, Error: Number.NaN }, Token: MGMT })).rejects.toThrow('invalid coordinate');
        await expect(call(ip, 'Health.NodeChecks', { Token: MGMT })).rejects.toThrow('missing Node');
      }
      // A call a server passed on is never passed on again: a follower that gets one refuses it.
      await expect(call(follower, 'Health.NodeChecks', { Node: node, Token: MGMT, Hops: 1 })).rejects.toThrow('No cluster leader');
    } finally {
      rpc.close();
    }
  });

  it('answers fuzzed tokens on agent endpoints with 403, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 80 }).filter((t) => t !== 'anonymous' && t.trim() === t && /^[\x20-\x7e]+$/.test(t)), async (t) => {
        const r = await onClient('extend', 'GET', '/v1/agent/self', undefined, t);
        expect(r.status).toBe(403);
        expect(r.text).toBe('ACL not found');
      }),
      { numRuns: 40 },
    );
  });

  it('filters agent lists and forwards state requests with the caller\'s token', async () => {
    const anon = await onClient('extend', 'GET', '/v1/agent/services');
    expect(anon.status).toBe(200);
    expect(anon.json()).toEqual({});
    expect(anon.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
    expect(Object.keys((await onClient('extend', 'GET', '/v1/agent/services', undefined, tokens.reader)).json()).sort()).toEqual(['web', 'web2']);
    expect((await onClient('extend', 'GET', '/v1/agent/members')).json()).toEqual([]);
    expect((await onClient('extend', 'GET', '/v1/agent/members', undefined, tokens.reader)).json().length).toBe(7);
    expect((await onClient('extend', 'GET', '/v1/agent/self')).status).toBe(403);
    expect((await onClient('extend', 'GET', '/v1/agent/self', undefined, tokens.reader)).status).toBe(200);
    // State endpoints: the servers enforce with the token the client forwarded.
    const services = await onClient('extend', 'GET', '/v1/catalog/services');
    expect(services.json()).toEqual({});
    expect(services.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
    expect(Object.keys((await onClient('extend', 'GET', '/v1/catalog/services', undefined, tokens.reader)).json())).toContain('web');
    expect((await onClient('extend', 'PUT', '/v1/kv/pub/a', 'x')).status).toBe(403);
    expect((await onClient('extend', 'PUT', '/v1/kv/pub/a', 'x', MGMT)).text).toBe('true');
    expect((await onClient('extend', 'GET', '/v1/kv/pub/a?raw', undefined, tokens.reader)).text).toBe('"x"');
    expect((await onClient('extend', 'GET', '/v1/kv/pub/a?raw')).status).toBe(403);
  });

  it('answers DNS, and forwards requests without a token, as its default token sees the catalog', async () => {
    // The extend client has no default token (anonymous: nothing); the deny client's is the reader.
    await eventually(async () => dig(C.deny, 8600, 'web.service.consul', 'SRV').length === 2, 'web over the deny client\'s DNS', 100);
    expect(dig(C.extend, 8600, 'web.service.consul', 'SRV')).toEqual([]);
    // A request without a token is forwarded with the client's default token (not the server's).
    expect(Object.keys((await onClient('deny', 'GET', '/v1/catalog/services')).json())).toContain('web');
    expect((await onClient('extend', 'GET', '/v1/catalog/services')).json()).toEqual({});
  });

  it('sees a deleted token go within token_ttl', async () => {
    const t = await tokenWith(servers[0]!.base, 'short-lived', 'agent_prefix "" { policy = "read" }');
    // The client asks any server (a stale read, as Consul's clients do): it may lag a moment.
    await eventually(async () => (await onClient('extend', 'GET', '/v1/agent/self', undefined, t)).status === 200, 'the new token accepted', 50);
    const self = (await http(servers[0]!.base, 'GET', '/v1/acl/token/self', undefined, { 'X-Consul-Token': t })).json();
    expect((await http(servers[0]!.base, 'DELETE', `/v1/acl/token/${self.AccessorID}`, undefined, asMgmt)).text).toBe('true');
    await eventually(async () => (await onClient('extend', 'GET', '/v1/agent/self', undefined, t)).text === 'ACL not found', 'the deleted token refused', 50);
  });
});

describe('down_policy, with every server killed', () => {
  it('extend-cache and async-cache keep cached tokens, allow allows, deny denies; agent_recovery still works', async () => {
    const stranger = await tokenWith(servers[0]!.base, 'stranger', 'agent_prefix "" { policy = "read" }');
    await sleep(500); // on every server before they die, so the clients' failure is the down policy's
    for (const c of Object.keys(C) as (keyof typeof C)[]) {
      expect((await onClient(c, 'GET', '/v1/agent/self', undefined, tokens.reader)).status, c).toBe(200);
    }
    for (const s of servers) await s.kill9();
    await sleep(1500); // past token_ttl and policy_ttl: every cached entry has expired

    const self = (c: keyof typeof C, t?: string) => onClient(c, 'GET', '/v1/agent/self', undefined, t);
    // extend-cache and async-cache: the expired entry is used; a token never seen gets the
    // default policy (deny).
    expect((await self('extend', tokens.reader)).status).toBe(200);
    expect((await self('async', tokens.reader)).status).toBe(200);
    expect((await self('async', tokens.reader)).status).toBe(200);
    const uncached = await self('extend', stranger);
    expect(uncached.status).toBe(403);
    expect(uncached.text).toBe(`Permission denied: token with AccessorID 'primary-dc-down' lacks permission 'agent:read' on "${nodeName(C.extend)}"`);
    expect((await self('async', stranger)).status).toBe(403);
    // allow: anything goes while no server answers; deny: nothing, cached or not.
    // (a made-up token: with a server answering it would be "ACL not found")
    expect((await self('allow', 'd4c3b2a1-0000-4000-8000-000000000000')).status).toBe(200);
    expect((await self('deny', tokens.reader)).status).toBe(403);
    // agent_recovery is resolved by the agent itself.
    expect((await self('deny', RECOVERY)).status).toBe(200);
    expect(clients.extend.output()).toContain('Error resolving token');
  }, 60_000);
});
