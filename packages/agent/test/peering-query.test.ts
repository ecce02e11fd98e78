// Prepared-query failover to a cluster peer (Consul's queryFailover with a Peer target) and
// `?peer=` on /v1/health/connect, over two real clusters: A (127.0.118.1, dc1) exports `web`
// and the Connect-native `api` (which B sees as `api-sidecar-proxy` at A's mesh gateway); B (server 127.0.118.2, client agent 127.0.118.3, dc2) dials,
// has `web` only critical, and fails over to what A exports. DNS checked with `dig`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, digFull, eventually, type AgentProcess } from './helpers.js';
import { call, startPeeredClusters, type PeeredClusters } from './peered-clusters.js';

const A_IP = '127.0.118.1';
const B_IP = '127.0.118.2';
const CLIENT_IP = '127.0.118.3';
const DNS_PORT = 8600;
let clusters: PeeredClusters | undefined;
let a: AgentProcess | undefined;
let b: AgentProcess | undefined;
let client: AgentProcess | undefined;

const register = (base: string, node: string, address: string, service: object, status: string) => {
  const id = (service as { ID: string }).ID;
  return call(base, 'PUT', '/v1/catalog/register', {
    Node: node, Address: address, Service: { Port: 8080, ...service },
    Checks: [{ CheckID: `${id}-check`, Name: `${id} check`, ServiceID: id, Status: status }],
  });
};

beforeAll(async () => {
  clusters = await startPeeredClusters({ a: A_IP, b: B_IP, client: CLIENT_IP }, DNS_PORT, 'peering-query-');
  ({ a, b, client } = clusters);
  expect((await register(a.base, 'web-node-1', '10.0.0.1', { ID: 'web-1', Service: 'web', Tags: ['v1'] }, 'passing')).status).toBe(200);
  expect((await register(a.base, 'web-node-2', '10.0.0.2', { ID: 'web-2', Service: 'web', Tags: ['v2'] }, 'critical')).status).toBe(200);
  expect((await register(a.base, 'api-node', '10.0.0.5', { ID: 'api-1', Service: 'api', Connect: { Native: true } }, 'passing')).status).toBe(200);
  // A's mesh gateway: the peer reaches A's mesh services through it (a synthetic api-sidecar-proxy there).
  expect((await register(a.base, 'mgw-node', '10.0.0.9', { ID: 'mgw', Service: 'mesh-gateway', Kind: 'mesh-gateway', Port: 8443 }, 'passing')).status).toBe(200);
  // B's own web is critical: a query for it finds nothing here.
  expect((await register(b.base, 'b-web', '10.9.0.1', { ID: 'web-b', Service: 'web' }, 'critical')).status).toBe(200);
  const exported = await call(a.base, 'PUT', '/v1/config', {
    Kind: 'exported-services', Name: 'default',
    Services: [{ Name: 'web', Consumers: [{ Peer: 'cluster-b' }] }, { Name: 'api', Consumers: [{ Peer: 'cluster-b' }] }],
  });
  expect(exported.status).toBe(200);
  await eventually(async () => (await call(b!.base, 'GET', '/v1/health/service/web?peer=cluster-a')).json().length === 2
    && (await call(b!.base, 'GET', '/v1/health/service/api?peer=cluster-a')).json().length === 1, 'B imports web and api', 150, 100);
}, 180_000);

afterAll(async () => {
  await clusters?.stop();
});

describe('prepared query failover to a cluster peer', () => {
  it('refuses Targets together with NearestN or Datacenters, as Consul does', async () => {
    for (const failover of [{ NearestN: 1, Targets: [{ Peer: 'cluster-a' }] }, { Datacenters: ['dc1'], Targets: [{ Peer: 'cluster-a' }] }]) {
      const r = await call(b!.base, 'POST', '/v1/query', { Name: 'bad', Service: { Service: 'web', Failover: failover } });
      expect(r.status).toBe(400);
      expect(r.text).toContain('Targets cannot be populated with NearestN or Datacenters');
    }
  });

  it('answers from the peer\'s healthy instances, stamped with the peer, over HTTP on the server and a client agent', async () => {
    const q = await call(b!.base, 'POST', '/v1/query', {
      Name: 'web-q', Service: { Service: 'web', Failover: { Targets: [{ Peer: 'nope' }, { Datacenter: 'dc9' }, { Peer: 'cluster-a' }] } },
    });
    expect(q.status, q.text).toBe(200);
    for (const base of [b!.base, client!.base]) {
      const r = (await call(base, 'GET', '/v1/query/web-q/execute')).json();
      // dc9 is unknown and skipped; the empty peer `nope` and cluster-a are the two attempts.
      expect([r.Service, r.Datacenter, r.PeerName, r.Failovers]).toEqual(['web', '', 'cluster-a', 2]);
      expect(r.Nodes.map((n: { Node: { Node: string; Datacenter: string; PeerName: string } }) => [n.Node.Node, n.Node.Datacenter, n.Node.PeerName])).toEqual([['web-node-1', 'dc1', 'cluster-a']]);
    }
  });

  it('answers `<query>.query.consul` with the peer\'s instances, SRV targets named under the peer', async () => {
    for (const ip of [B_IP, CLIENT_IP]) {
      expect(dig(ip, DNS_PORT, 'web-q.query.consul', 'A')).toEqual(['10.0.0.1']);
    }
    const full = digFull(B_IP, DNS_PORT, 'web-q.query.consul', 'SRV');
    expect(full).toMatch(/SRV\s+1 1 8080 web-node-1\.node\.cluster-a\.peer\.consul\./);
    expect(full).toMatch(/web-node-1\.node\.cluster-a\.peer\.consul\.\s+\d+\s+IN\s+A\s+10\.0\.0\.1/);
  });

  it('keeps the local answer while a local instance is healthy, and fails over again when it is not', async () => {
    expect((await register(b!.base, 'b-web', '10.9.0.1', { ID: 'web-b', Service: 'web' }, 'passing')).status).toBe(200);
    const local = (await call(b!.base, 'GET', '/v1/query/web-q/execute')).json();
    expect([local.Datacenter, local.PeerName, local.Failovers, local.Nodes.length]).toEqual(['dc2', '', 0, 1]);
    expect(dig(B_IP, DNS_PORT, 'web-q.query.consul', 'A')).toEqual(['10.9.0.1']);
    expect((await register(b!.base, 'b-web', '10.9.0.1', { ID: 'web-b', Service: 'web' }, 'critical')).status).toBe(200);
    expect(dig(B_IP, DNS_PORT, 'web-q.query.consul', 'A')).toEqual(['10.0.0.1']);
  });

  it('a query whose Service.Peer names the peer reads the peer directly, with its tag filter', async () => {
    const q = await call(b!.base, 'POST', '/v1/query', { Name: 'peer-web', Service: { Service: 'web', Peer: 'cluster-a', Tags: ['v1'], OnlyPassing: true } });
    expect(q.status, q.text).toBe(200);
    const r = (await call(b!.base, 'GET', '/v1/query/peer-web/execute')).json();
    expect([r.Datacenter, r.PeerName, r.Failovers, r.Nodes.map((n: { Service: { ID: string } }) => n.Service.ID)]).toEqual(['', 'cluster-a', 0, ['web-1']]);
  });

  it('a Connect query fails over to the peer\'s Connect-capable instances (its synthetic proxies)', async () => {
    const q = await call(b!.base, 'POST', '/v1/query', { Name: 'api-q', Service: { Service: 'api', Connect: true, Failover: { Targets: [{ Peer: 'cluster-a' }] } } });
    expect(q.status, q.text).toBe(200);
    const r = (await call(b!.base, 'GET', '/v1/query/api-q/execute')).json();
    expect([r.PeerName, r.Failovers, r.Nodes.map((n: { Service: { ID: string } }) => n.Service.ID)]).toEqual(['cluster-a', 1, ['api-sidecar-proxy-instance-0']]);
    // `web` has no Connect-capable instance at the peer.
    const w = (await call(b!.base, 'GET', '/v1/query/web-q/execute?connect=true')).json();
    expect([w.Nodes, w.Failovers]).toEqual([[], 2]);
  });

    it('NXDOMAIN when neither this cluster nor the peer has a healthy instance', async () => {
    const q = await call(b!.base, 'POST', '/v1/query', { Name: 'v2-q', Service: { Service: 'web', Tags: ['v2'], Failover: { Targets: [{ Peer: 'cluster-a' }] } } });
    expect(q.status, q.text).toBe(200);
    const r = (await call(b!.base, 'GET', '/v1/query/v2-q/execute')).json();
    expect([r.Nodes, r.PeerName, r.Failovers]).toEqual([[], 'cluster-a', 1]);
    expect(digFull(B_IP, DNS_PORT, 'v2-q.query.consul', 'A')).toContain('status: NXDOMAIN');
  });
});

describe('?peer= on /v1/health/connect', () => {
  it('lists the proxies the peer sends for a Connect-native service (at its mesh gateway), stamped with the peer', async () => {
    for (const base of [b!.base, client!.base]) {
      const r = await call(base, 'GET', '/v1/health/connect/api?peer=cluster-a');
      expect(r.status).toBe(200);
      expect(r.json().map((e: { Node: { Node: string; PeerName: string }; Service: { ID: string; PeerName: string } }) => [e.Node.Node, e.Service.ID, e.Service.PeerName])).toEqual([['mgw-node', 'api-sidecar-proxy-instance-0', 'cluster-a']]);
    }
    // `web` is neither native nor proxied; no such peering; and never mixed with local rows.
    expect((await call(b!.base, 'GET', '/v1/health/connect/web?peer=cluster-a')).json()).toEqual([]);
    expect((await call(b!.base, 'GET', '/v1/health/connect/api?peer=nope')).json()).toEqual([]);
    expect((await call(b!.base, 'GET', '/v1/health/connect/api')).json()).toEqual([]);
  });

  it('stays empty on the reads Consul does not serve `peer` on', async () => {
    expect((await call(b!.base, 'GET', '/v1/health/checks/web?peer=cluster-a')).json()).toEqual([]);
    expect((await call(b!.base, 'GET', '/v1/health/node/web-node-1?peer=cluster-a')).json()).toEqual([]);
  });
});
