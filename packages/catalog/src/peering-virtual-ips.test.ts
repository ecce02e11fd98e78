// Virtual IPs of imported services (state/catalog.go ensureServiceTxn with a PeerName,
// freeServiceVirtualIP; key: catalog_schema.go indexFromPeeredServiceName).
import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import type { Command, RegisterCommand } from './commands.js';
import type { ImportedServices, PeeringRecord } from './peering-types.js';

const ID = '11111111-2222-3333-4444-555555555555';
const peering = (name = 'West', id = ID): Omit<PeeringRecord, 'CreateIndex' | 'ModifyIndex'> => ({
  ID: id, Name: name, Meta: null, State: 'ACTIVE', PeerID: 'p', PeerCAPems: [], PeerServerName: '',
  PeerServerAddresses: [], DeletedAt: '', RemoteDatacenter: 'dc9', EstablishmentSecret: '', StreamSecret: 's',
});

const register = (id: string, service: string, extra: Record<string, unknown> = {}): RegisterCommand => ({
  Type: 'Register', Node: 'n1', Address: '10.0.0.1', Service: { ID: id, Service: service, Port: 21000, ...extra },
});
const sidecar = (dest: string): RegisterCommand => register(`${dest}-sidecar-proxy`, `${dest}-sidecar-proxy`, { Kind: 'connect-proxy', Proxy: { DestinationServiceName: dest } });

/** What a peer cluster exports: `web` with its sidecar, a Connect-native `db`, a plain `cache`, and its mesh gateway. */
function exporter(): Catalog {
  const src = new Catalog();
  const cmds = [
    register('web', 'web', { Port: 80 }), sidecar('web'), register('db', 'db', { Port: 5432, Connect: { Native: true } }), register('cache', 'cache'),
    register('mgw', 'mesh-gateway', { Kind: 'mesh-gateway' }),
  ];
  cmds.forEach((c, i) => expect(src.apply(i + 1, c).ok).toBe(true));
  return src;
}

/** As the agent's peering exports are built: each service, and the synthetic proxies of a mesh one. */
function exportsOf(src: Catalog, names: string[]): ImportedServices {
  const out: ImportedServices = {};
  for (const n of names) {
    out[n] ??= src.exportedInstances(n).value;
    const proxies = src.exportedMeshProxies(n, { peer: 'east', datacenter: 'dc9' });
    if (proxies) out[`${n}-sidecar-proxy`] = proxies.value;
  }
  return out;
}

function apply(c: Catalog, idx: number, cmd: Command): void {
  const r = c.apply(idx, cmd);
  expect(r.ok, r.error).toBe(true);
}

describe('virtual IPs of imported services', () => {
  it('keys them by peer and service: the peer sends none, the importer gives its own, apart from local ones', () => {
    const src = exporter();
    // The exporter's own addresses never travel.
    expect(src.virtualIPForService('web')).toBe('240.0.0.1');
    expect(src.exportedInstances('web-sidecar-proxy').value).toEqual([]);
    expect(exportsOf(src, ['web'])['web-sidecar-proxy']![0]!.Service.TaggedAddresses).toBeNull();

    const c = new Catalog();
    apply(c, 1, sidecar('web')); // a local `web` in the mesh: 240.0.0.1 here
    apply(c, 2, { Type: 'PeeringWrite', Peering: peering() });
    apply(c, 3, { Type: 'PeeringImport', ID, Services: exportsOf(src, ['web', 'web-sidecar-proxy', 'db', 'cache']) });

    expect(c.virtualIPForService('web')).toBe('240.0.0.1');
    expect(c.virtualIPForService('web', 'west')).toBe('240.0.0.2');
    expect(c.virtualIPForService('WEB', 'WEST')).toBe('240.0.0.2');
    expect(c.virtualIPForService('db', 'west')).toBe('240.0.0.3');
    expect(c.virtualIPForService('cache', 'west')).toBe('');
    expect(c.virtualIPForService('db')).toBe('');
    expect(c.virtualIPForService('web', 'east')).toBe('');

    // Imported mesh instances carry it as consul-virtual, with their port; the others do not.
    const proxy = c.importedServiceNodes('west', 'web-sidecar-proxy', {}).value[0]!;
    expect(proxy.ServiceTaggedAddresses).toEqual({ 'consul-virtual': { Address: '240.0.0.2', Port: 21000 } });
    const dbProxy = c.importedServiceEntries('west', 'db-sidecar-proxy', {}).value[0]!;
    expect(dbProxy.Service.TaggedAddresses).toEqual({ 'consul-virtual': { Address: '240.0.0.3', Port: 21000 } });
    expect(c.importedServiceEntries('west', 'db', {}).value[0]!.Service.TaggedAddresses).toBeUndefined();
    expect(c.importedConnectEntries('west', 'web', {}).value[0]!.Service.TaggedAddresses).toHaveProperty('consul-virtual');
    expect(c.importedServiceNodes('west', 'cache', {}).value[0]!.ServiceTaggedAddresses).toBeUndefined();
    // The entry remembers its peer as written.
    expect(c.snapshot().VirtualIPs!.Services.map((e) => [e.Peer ?? '', e.Service])).toEqual([['', 'web'], ['West', 'db'], ['West', 'web']]);
  });

  it('keeps an address across imports, frees it when the last instance of the name goes, and reuses it', () => {
    const src = exporter();
    const c = new Catalog();
    apply(c, 1, { Type: 'PeeringWrite', Peering: peering() });
    apply(c, 2, { Type: 'PeeringImport', ID, Services: exportsOf(src, ['db', 'web', 'web-sidecar-proxy']) });
    expect([c.virtualIPForService('db', 'west'), c.virtualIPForService('web', 'west')]).toEqual(['240.0.0.1', '240.0.0.2']);
    // The same set again: same addresses, and the instance reads the same.
    const before = c.importedServiceNodes('west', 'db-sidecar-proxy', {}).value[0]!.ServiceTaggedAddresses;
    expect(before).toHaveProperty('consul-virtual');
    apply(c, 3, { Type: 'PeeringImport', ID, Services: exportsOf(src, ['db', 'web', 'web-sidecar-proxy']) });
    expect(c.importedServiceNodes('west', 'db-sidecar-proxy', {}).value[0]!.ServiceTaggedAddresses).toEqual(before);

    // `db` is no longer exported: its address goes back. The proxy goes too, but as in Consul
    // the address of `web` stays while an instance named `web` remains.
    apply(c, 4, { Type: 'PeeringImport', ID, Services: { web: src.exportedInstances('web').value } });
    expect(c.virtualIPForService('db', 'west')).toBe('');
    expect(c.virtualIPForService('web', 'west')).toBe('240.0.0.2');
    apply(c, 5, { Type: 'PeeringImport', ID, Services: {} });
    expect(c.virtualIPForService('web', 'west')).toBe('');
    // Freed addresses come back lowest first.
    apply(c, 6, register('api', 'api', { Connect: { Native: true } }));
    expect(c.virtualIPForService('api')).toBe('240.0.0.1');
  });

  it('frees the addresses of a deleted peering, but not one a config entry of that name holds (by name, as Consul)', () => {
    const src = exporter();
    const c = new Catalog();
    apply(c, 1, { Type: 'PeeringWrite', Peering: peering() });
    apply(c, 2, { Type: 'PeeringImport', ID, Services: exportsOf(src, ['db', 'web-sidecar-proxy']) });
    apply(c, 3, { Type: 'ConfigEntry', Op: 'upsert', Entry: { Kind: 'service-defaults', Name: 'db', CreateIndex: 0, ModifyIndex: 0 } });
    apply(c, 4, { Type: 'PeeringDelete', Name: 'WEST' });
    expect(c.virtualIPForService('web', 'west')).toBe('');
    expect(c.virtualIPForService('db', 'west')).toBe('240.0.0.1');
  });

  it('refuses an import whose mesh services cannot all get an address, changing nothing', () => {
    const c = new Catalog();
    const full = c.snapshot();
    full.VirtualIPs = { Index: 1, Counter: 0x0ffffffc, Free: [], Services: [] };
    c.restore(full);
    apply(c, 2, { Type: 'PeeringWrite', Peering: peering() });
    const r = c.apply(3, { Type: 'PeeringImport', ID, Services: exportsOf(exporter(), ['db', 'web']) });
    expect(r).toMatchObject({ ok: false, error: 'failed updating virtual IP: cannot allocate any more unique service virtual IPs' });
    expect(c.importedServices('west').value).toEqual({});
    apply(c, 4, { Type: 'PeeringImport', ID, Services: exportsOf(exporter(), ['db']) });
    expect(c.virtualIPForService('db', 'west')).toBe('255.255.255.253');
  });

  it('refuses an import whose instances lack Node, Service or Checks, changing nothing', () => {
    const c = new Catalog();
    apply(c, 1, { Type: 'PeeringWrite', Peering: peering() });
    const bad = { web: [{ Node: { Node: 'n1' }, Service: null, Checks: [] }] } as unknown as ImportedServices;
    expect(c.apply(2, { Type: 'PeeringImport', ID, Services: bad })).toMatchObject({ ok: false, error: 'Invalid Services: an instance needs Node, Service and Checks' });
    expect(c.importedServices('west').value).toEqual({});
  });

  it('survive a snapshot round trip, and a snapshot without peers in its table still restores', () => {
    const src = exporter();
    const c = new Catalog();
    apply(c, 1, sidecar('web'));
    apply(c, 2, { Type: 'PeeringWrite', Peering: peering() });
    apply(c, 3, { Type: 'PeeringImport', ID, Services: exportsOf(src, ['db', 'web']) });
    const snap = c.snapshot();
    const r = new Catalog();
    r.restore(JSON.parse(JSON.stringify(snap)));
    expect(r.snapshot()).toEqual(snap);
    expect([r.virtualIPForService('web'), r.virtualIPForService('db', 'west'), r.virtualIPForService('web', 'west')]).toEqual(['240.0.0.1', '240.0.0.2', '240.0.0.3']);
    // The restored table frees by peer as the original would.
    apply(r, 4, { Type: 'PeeringImport', ID, Services: {} });
    expect(r.virtualIPForService('db', 'west')).toBe('');
    expect(r.virtualIPForService('web')).toBe('240.0.0.1');

    // A table written before entries had a Peer: every entry is this cluster's.
    const old = JSON.parse(JSON.stringify(snap));
    old.VirtualIPs.Services = [{ Service: 'web', Offset: 1, ManualIPs: [], CreateIndex: 1, ModifyIndex: 1 }];
    old.VirtualIPs.Counter = 1;
    const o = new Catalog();
    o.restore(old);
    expect(o.virtualIPForService('web')).toBe('240.0.0.1');
    expect(o.virtualIPForService('web', 'west')).toBe('');
  });
});
