// Virtual IPs of services imported from a cluster peer (Consul's state/catalog.go
// ensureServiceTxn with a PeerName; agent/dns.go "virtual" with a peer), against two real peered
// clusters: A (127.0.123.1, dc1) exports `web` with its sidecar and a Connect-native `db`; B
// (server 127.0.123.2, client 127.0.123.3, dc2) imports them, as Consul's peerstream sends them:
// the typical instances without their Connect parts, and a synthetic `<service>-sidecar-proxy` at
// A's mesh gateway for each (never A's own proxies). B gives the services addresses of its own,
// keyed by peer and service: they show as `consul-virtual` on the imported proxies and answer
// `<service>.virtual.cluster-a.consul` (dig, on B's server and client); an un-exported service's
// address goes back and is given to B's next mesh service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, eventually, type AgentProcess } from './helpers.js';
import { call, startPeeredClusters, type PeeredClusters } from './peered-clusters.js';

const A_IP = '127.0.123.1';
const B_IP = '127.0.123.2';
const CLIENT_IP = '127.0.123.3';
const DNS_PORT = 8600;
let clusters: PeeredClusters | undefined;
let a: AgentProcess | undefined;
let b: AgentProcess | undefined;

type Json = any;
const vipOf = (service: Json): string | undefined => service?.TaggedAddresses?.['consul-virtual']?.Address;
const exportTo = (names: string[]) =>
  call(a!.base, 'PUT', '/v1/config', { Kind: 'exported-services', Name: 'default', Services: names.map((Name) => ({ Name, Consumers: [{ Peer: 'cluster-b' }] })) });

beforeAll(async () => {
  clusters = await startPeeredClusters({ a: A_IP, b: B_IP, client: CLIENT_IP }, DNS_PORT, 'peering-vip-');
  ({ a, b } = clusters);
  const register = (Service: Record<string, unknown>) => call(a!.base, 'PUT', '/v1/catalog/register', { Node: 'a-node', Address: '10.1.0.1', Service });
  expect((await register({ ID: 'web', Service: 'web', Port: 8080 })).status).toBe(200);
  expect((await register({ ID: 'web-sidecar-proxy', Service: 'web-sidecar-proxy', Kind: 'connect-proxy', Port: 21000, Proxy: { DestinationServiceName: 'web' } })).status).toBe(200);
  expect((await register({ ID: 'db', Service: 'db', Port: 5432, Connect: { Native: true } })).status).toBe(200);
  expect((await register({ ID: 'mgw', Service: 'mesh-gateway', Kind: 'mesh-gateway', Port: 8443, TaggedAddresses: { wan: { Address: '198.51.100.1', Port: 443 } } })).status).toBe(200);
  expect((await exportTo(['web', 'db'])).status).toBe(200);
  await eventually(async () => (await call(b!.base, 'GET', '/v1/health/connect/db?peer=cluster-a')).json().length === 1, 'B imports db', 150, 100);
  await eventually(async () => (await call(b!.base, 'GET', '/v1/health/connect/web?peer=cluster-a')).json().length === 1, 'B imports web', 150, 100);
}, 180_000);

afterAll(async () => {
  await clusters?.stop();
});

describe('virtual IPs of imported services', () => {
  it('imports the typical instances and synthetic proxies at the mesh gateway, never the real sidecar', async () => {
    const [proxy] = (await call(b!.base, 'GET', '/v1/health/service/web-sidecar-proxy?peer=cluster-a')).json();
    expect(proxy.Service).toMatchObject({
      Kind: 'connect-proxy', ID: 'web-sidecar-proxy-instance-0', Service: 'web-sidecar-proxy', Port: 8443, PeerName: 'cluster-a',
      Proxy: { DestinationServiceName: 'web', DestinationServiceID: 'web-instance-0' },
    });
    expect(proxy.Service.TaggedAddresses.wan).toEqual({ Address: '198.51.100.1', Port: 443 });
    const peerMeta = proxy.Service.Connect.PeerMeta;
    expect(peerMeta.Protocol).toBe('tcp');
    expect(peerMeta.SNI).toEqual([expect.stringMatching(/^web\.default\.default\.cluster-b\.external\.[0-9a-f-]+\.consul$/)]);
    expect(peerMeta.SpiffeID).toEqual([expect.stringMatching(/^spiffe:\/\/[0-9a-f-]+\.consul\/ns\/default\/dc\/dc1\/svc\/web$/), expect.stringMatching(/\/gateway\/mesh\/dc\/dc1$/)]);
    // The gateway has no checks, so neither has its synthetic proxy (flattenChecks of none is none).
    expect(proxy.Checks).toEqual([]);
    // db: a typical instance without Connect.Native; its mesh side is db-sidecar-proxy.
    const [db] = (await call(b!.base, 'GET', '/v1/health/service/db?peer=cluster-a')).json();
    expect(db.Service.Connect).toEqual({}); // no Native: Consul's JSON of an empty ServiceConnect
    expect((await call(b!.base, 'GET', '/v1/health/connect/db?peer=cluster-a')).json().map((e: Json) => e.Service.ID)).toEqual(['db-sidecar-proxy-instance-0']);
  });

  it('gives them the importer’s own addresses, shown as consul-virtual on the imported proxies', async () => {
    // A's addresses (web 240.0.0.1, db 240.0.0.2) never travel; B numbers the imports itself.
    const [proxy] = (await call(b!.base, 'GET', '/v1/catalog/service/web-sidecar-proxy?peer=cluster-a')).json();
    expect(proxy.PeerName).toBe('cluster-a');
    const [dbProxy] = (await call(b!.base, 'GET', '/v1/catalog/service/db-sidecar-proxy?peer=cluster-a')).json();
    const addresses = [proxy.ServiceTaggedAddresses?.['consul-virtual'], dbProxy.ServiceTaggedAddresses?.['consul-virtual']];
    expect(addresses.map((x) => x?.Port)).toEqual([8443, 8443]);
    expect(addresses.map((x) => x?.Address).sort()).toEqual(['240.0.0.1', '240.0.0.2']);
    // The typical instances carry none, as in Consul.
    const [web] = (await call(b!.base, 'GET', '/v1/health/service/web?peer=cluster-a')).json();
    expect(vipOf(web.Service)).toBeUndefined();
    const [db] = (await call(b!.base, 'GET', '/v1/health/service/db?peer=cluster-a')).json();
    expect(vipOf(db.Service)).toBeUndefined();
  });

  it('does not import again what did not change (the address it gave is not a difference)', async () => {
    // The stream pulls A's exports at least every 10 s: a blocking read over 12 s must not wake.
    const first = await call(b!.base, 'GET', '/v1/health/service/db-sidecar-proxy?peer=cluster-a');
    const index = first.headers.get('x-consul-index');
    const started = Date.now();
    const next = await call(b!.base, 'GET', `/v1/health/service/db-sidecar-proxy?peer=cluster-a&index=${index}&wait=12s`);
    expect(next.headers.get('x-consul-index')).toBe(index);
    expect(Date.now() - started).toBeGreaterThan(11_000);
  }, 30_000);

  it('answers <service>.virtual.<peer>.consul on the server and a client agent', async () => {
    const webVip = vipOf((await call(b!.base, 'GET', '/v1/health/connect/web?peer=cluster-a')).json()[0].Service);
    const dbVip = vipOf((await call(b!.base, 'GET', '/v1/health/connect/db?peer=cluster-a')).json()[0].Service);
    for (const ip of [B_IP, CLIENT_IP]) {
      await eventually(async () => dig(ip, DNS_PORT, 'web.virtual.cluster-a.consul', 'A')[0] === webVip, `web.virtual.cluster-a via ${ip}`, 100, 100);
      expect(dig(ip, DNS_PORT, 'web.virtual.cluster-a.peer.consul', 'A')).toEqual([webVip]);
      expect(dig(ip, DNS_PORT, 'db.virtual.cluster-a.consul', 'A')).toEqual([dbVip]);
      // Not a local service of B, nor of another peer.
      expect(dig(ip, DNS_PORT, 'web.virtual.consul', 'A')).toEqual([]);
      expect(dig(ip, DNS_PORT, 'web.virtual.nope.consul', 'A')).toEqual([]);
    }
    // On A the same name is its own local service.
    expect(dig(A_IP, DNS_PORT, 'web.virtual.consul', 'A')).toEqual(['240.0.0.1']);
  });

  it('frees the address when the peer stops exporting the service, and reuses it for a local one', async () => {
    const dbVip = vipOf((await call(b!.base, 'GET', '/v1/health/connect/db?peer=cluster-a')).json()[0].Service);
    expect((await exportTo(['web'])).status).toBe(200);
    await eventually(async () => dig(B_IP, DNS_PORT, 'db.virtual.cluster-a.consul', 'A').length === 0, 'db.virtual.cluster-a to go', 150, 100);
    expect(dig(CLIENT_IP, DNS_PORT, 'db.virtual.cluster-a.consul', 'A')).toEqual([]);
    const reg = await call(b!.base, 'PUT', '/v1/catalog/register', { Node: 'b-node', Address: '10.2.0.1', Service: { ID: 'api', Service: 'api', Port: 9090, Connect: { Native: true } } });
    expect(reg.status).toBe(200);
    expect(dig(B_IP, DNS_PORT, 'api.virtual.consul', 'A')).toEqual([dbVip]);
    expect(dig(B_IP, DNS_PORT, 'web.virtual.cluster-a.consul', 'A')).not.toEqual([dbVip]);
  });
});
