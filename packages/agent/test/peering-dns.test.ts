// DNS names of what a cluster peer exports (Consul's agent/dns.go with a PeerName):
// `<service>.service.<peer>.peer.<domain>` (A, SRV, tag forms) and `<node>.node.<peer>.peer`,
// answered by the importing cluster's server from its own state and by a client agent through
// it (`/v1/health/service?peer=`, `/v1/catalog/node?peer=`). Cluster A (127.0.115.1, dc1)
// exports `web`; cluster B (server 127.0.116.1, client 127.0.116.2, dc2) dials.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, digFull, eventually, type AgentProcess } from './helpers.js';
import { call, startPeeredClusters, type PeeredClusters } from './peered-clusters.js';

const A_IP = '127.0.115.1';
const B_IP = '127.0.116.1';
const CLIENT_IP = '127.0.116.2';
const DNS_PORT = 8600;
let clusters: PeeredClusters | undefined;
let a: AgentProcess | undefined;
let b: AgentProcess | undefined;

const register = (node: string, address: string, id: string, tags: string[], status: string, serviceAddress = '') =>
  call(a!.base, 'PUT', '/v1/catalog/register', {
    Node: node, Address: address, NodeMeta: { rack: 'r1' },
    Service: { ID: id, Service: 'web', Port: 8080, Tags: tags, Address: serviceAddress },
    Checks: [{ CheckID: `${id}-check`, Name: `${id} check`, ServiceID: id, Status: status }],
  });

beforeAll(async () => {
  clusters = await startPeeredClusters({ a: A_IP, b: B_IP, client: CLIENT_IP }, DNS_PORT, 'peering-dns-');
  ({ a, b } = clusters);
  expect((await register('web-node-1', '10.0.0.1', 'web-1', ['v1'], 'passing')).status).toBe(200);
  expect((await register('web-node-2', '10.0.0.2', 'web-2', ['v2'], 'passing', '10.0.0.22')).status).toBe(200);
  expect((await register('web-node-3', '10.0.0.3', 'web-3', ['v1'], 'critical')).status).toBe(200);
  const exported = await call(a.base, 'PUT', '/v1/config', { Kind: 'exported-services', Name: 'default', Services: [{ Name: 'web', Consumers: [{ Peer: 'cluster-b' }] }] });
  expect(exported.status).toBe(200);
  await eventually(async () => (await call(b!.base, 'GET', '/v1/health/service/web?peer=cluster-a')).json().length === 3, 'B imports web', 150, 100);
}, 180_000);

afterAll(async () => {
  await clusters?.stop();
});

describe('DNS names of a peer’s services', () => {
  it('answers A records with the healthy imported instances, on the server and a client agent', async () => {
    for (const ip of [B_IP, CLIENT_IP]) {
      const answers = await eventually(async () => {
        const l = dig(ip, DNS_PORT, 'web.service.cluster-a.peer.consul', 'A');
        return l.length === 2 && l;
      }, `web via ${ip}`, 100, 100);
      expect(answers.sort()).toEqual(['10.0.0.1', '10.0.0.22']);
    }
    // The exporting cluster's own name for it is local there, and B has no local web.
    expect(dig(A_IP, DNS_PORT, 'web.service.consul', 'A').sort()).toEqual(['10.0.0.1', '10.0.0.22']);
    expect(digFull(B_IP, DNS_PORT, 'web.service.consul', 'A')).toContain('status: NXDOMAIN');
  });

  it('answers SRV with targets named under the peer, and filters on tags', async () => {
    const full = digFull(B_IP, DNS_PORT, 'web.service.cluster-a.peer.consul', 'SRV');
    expect(full).toMatch(/SRV\s+1 1 8080 web-node-1\.node\.cluster-a\.peer\.consul\./);
    expect(full).toMatch(/SRV\s+1 1 8080 0a000016\.addr\.consul\./);
    expect(full).toMatch(/web-node-1\.node\.cluster-a\.peer\.consul\.\s+\d+\s+IN\s+A\s+10\.0\.0\.1/);
    expect(dig(B_IP, DNS_PORT, 'v1.web.service.cluster-a.peer.consul', 'A')).toEqual(['10.0.0.1']);
    expect(dig(CLIENT_IP, DNS_PORT, '_web._v2.service.cluster-a.peer.consul', 'SRV')).toEqual(['1 1 8080 0a000016.addr.consul.']);
    expect(digFull(B_IP, DNS_PORT, 'v3.web.service.cluster-a.peer.consul', 'A')).toContain('status: NXDOMAIN');
  });

  it('answers a node of the peer, and NXDOMAIN for unknown peers and names', async () => {
    for (const ip of [B_IP, CLIENT_IP]) {
      expect(dig(ip, DNS_PORT, 'web-node-1.node.cluster-a.peer.consul', 'A')).toEqual(['10.0.0.1']);
      expect(dig(ip, DNS_PORT, 'web-node-1.node.cluster-a.peer.consul', 'TXT')).toEqual(['"rack=r1"']);
    }
    expect(digFull(B_IP, DNS_PORT, 'web-node-1.node.consul', 'A')).toContain('status: NXDOMAIN');
    expect(digFull(B_IP, DNS_PORT, 'web.service.nope.peer.consul', 'A')).toContain('status: NXDOMAIN');
    expect(digFull(CLIENT_IP, DNS_PORT, 'web.service.cluster-a.peer.dc2.dc.consul', 'A')).toContain('status: NXDOMAIN');
    // The HTTP read the client agent's DNS uses.
    const node = (await call(b!.base, 'GET', '/v1/catalog/node/web-node-2?peer=cluster-a')).json();
    expect([node.Node.Node, node.Node.PeerName, node.Node.Datacenter, Object.keys(node.Services)]).toEqual(['web-node-2', 'cluster-a', 'dc1', ['web-2']]);
    expect(node.Services['web-2'].PeerName).toBe('cluster-a');
    expect((await call(b!.base, 'GET', '/v1/catalog/node/web-node-2?peer=nope')).json()).toBeNull();
  });

  it('follows the exporter: a deregistered instance leaves the answers', async () => {
    expect((await call(a!.base, 'PUT', '/v1/catalog/deregister', { Node: 'web-node-2' })).status).toBe(200);
    await eventually(async () => dig(B_IP, DNS_PORT, 'web.service.cluster-a.peer.consul', 'A').join() === '10.0.0.1', 'B drops web-2', 100, 100);
    await eventually(async () => dig(CLIENT_IP, DNS_PORT, 'web.service.cluster-a.peer.consul', 'A').join() === '10.0.0.1', 'the client drops web-2', 100, 100);
    expect(digFull(B_IP, DNS_PORT, 'web-node-2.node.cluster-a.peer.consul', 'A')).toContain('status: NXDOMAIN');
  });
});
