import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import type { Command, RegisterCommand } from './commands.js';
import { VirtualIPTable, virtualIPString } from './virtual-ips.js';

function proxy(node: string, dest: string, port = 21000): RegisterCommand {
  return {
    Type: 'Register',
    Node: node,
    Address: '10.0.0.1',
    Service: { ID: `${dest}-sidecar-proxy`, Service: `${dest}-sidecar-proxy`, Kind: 'connect-proxy', Port: port, Proxy: { DestinationServiceName: dest } },
  };
}

function plain(node: string, name: string, connect?: Record<string, unknown>): RegisterCommand {
  return { Type: 'Register', Node: node, Address: '10.0.0.1', Service: { ID: name, Service: name, Port: 8080, ...(connect ? { Connect: connect } : {}) } };
}

const deregister = (node: string, id: string): Command => ({ Type: 'Deregister', Node: node, ServiceID: id });

function applyAll(c: Catalog, cmds: Command[], from = 1): number {
  let idx = from;
  for (const cmd of cmds) {
    const r = c.apply(idx++, cmd);
    expect(r.ok, r.error).toBe(true);
  }
  return idx;
}

describe('virtual IP assignment (assignServiceVirtualIP)', () => {
  it('gives each mesh service name the next address from 240.0.0.1, once', () => {
    const c = new Catalog();
    applyAll(c, [plain('n1', 'web'), proxy('n1', 'web'), plain('n1', 'db', { Native: true }), proxy('n2', 'web', 21001), plain('n1', 'cache')]);
    expect(c.virtualIPForService('web')).toBe('240.0.0.1');
    expect(c.virtualIPForService('WEB')).toBe('240.0.0.1');
    expect(c.virtualIPForService('db')).toBe('240.0.0.2');
    // A typical service outside the mesh has none; neither has the proxy's own name.
    expect(c.virtualIPForService('cache')).toBe('');
    expect(c.virtualIPForService('web-sidecar-proxy')).toBe('');
  });

  it('carries the address as the consul-virtual tagged address of proxies and native instances, with their port', () => {
    const c = new Catalog();
    applyAll(c, [plain('n1', 'web'), proxy('n1', 'web', 21000), plain('n1', 'db', { Native: true })]);
    const [p] = c.serviceNodes('web-sidecar-proxy').value;
    expect(p!.ServiceTaggedAddresses).toEqual({ 'consul-virtual': { Address: '240.0.0.1', Port: 21000 } });
    const [d] = c.serviceNodes('db').value;
    expect(d!.ServiceTaggedAddresses).toEqual({ 'consul-virtual': { Address: '240.0.0.2', Port: 8080 } });
    // The typical instance is stored as registered (Consul adds it only to connect-enabled ones).
    const [w] = c.serviceNodes('web').value;
    expect(w!.ServiceTaggedAddresses).toBeUndefined();
    // What a peer imports leaves it out: the address means nothing in another cluster.
    expect(c.exportedInstances('db').value[0]!.Service.TaggedAddresses).toBeNull();
    expect(c.serviceNodes('db').value[0]!.ServiceTaggedAddresses).toHaveProperty('consul-virtual');
  });

  it('keeps the tagged addresses a registration gave, and an identical re-registration moves no index', () => {
    const c = new Catalog();
    const reg = proxy('n1', 'web');
    reg.Service!.TaggedAddresses = { lan: { Address: '10.0.0.9', Port: 21000 } };
    const next = applyAll(c, [reg]);
    const before = c.serviceNodes('web-sidecar-proxy');
    expect(before.value[0]!.ServiceTaggedAddresses).toEqual({
      lan: { Address: '10.0.0.9', Port: 21000 },
      'consul-virtual': { Address: '240.0.0.1', Port: 21000 },
    });
    applyAll(c, [reg], next);
    expect(c.serviceNodes('web-sidecar-proxy').index).toBe(before.index);
  });
});

describe('virtual IP freeing and reuse (freeServiceVirtualIP)', () => {
  it('frees the address when the last instance of the name goes, and reuses the lowest freed one first', () => {
    const c = new Catalog();
    let idx = applyAll(c, [plain('n1', 'a', { Native: true }), plain('n1', 'b', { Native: true }), plain('n1', 'c', { Native: true })]);
    expect(['a', 'b', 'c'].map((s) => c.virtualIPForService(s))).toEqual(['240.0.0.1', '240.0.0.2', '240.0.0.3']);
    idx = applyAll(c, [deregister('n1', 'c'), deregister('n1', 'a')], idx);
    expect(c.virtualIPForService('a')).toBe('');
    expect(c.virtualIPForService('c')).toBe('');
    idx = applyAll(c, [plain('n1', 'd', { Native: true }), plain('n1', 'e', { Native: true }), plain('n1', 'f', { Native: true })], idx);
    expect(['d', 'e', 'f'].map((s) => c.virtualIPForService(s))).toEqual(['240.0.0.1', '240.0.0.3', '240.0.0.4']);
  });

  it('keeps the address while an instance of the name remains, even a typical one', () => {
    const c = new Catalog();
    let idx = applyAll(c, [plain('n1', 'web'), proxy('n1', 'web')]);
    idx = applyAll(c, [deregister('n1', 'web-sidecar-proxy')], idx);
    expect(c.virtualIPForService('web')).toBe('240.0.0.1');
    applyAll(c, [deregister('n1', 'web')], idx);
    expect(c.virtualIPForService('web')).toBe('');
  });

  it('frees with the node that held the last instance', () => {
    const c = new Catalog();
    const idx = applyAll(c, [plain('n1', 'web', { Native: true })]);
    applyAll(c, [{ Type: 'Deregister', Node: 'n1' }], idx);
    expect(c.virtualIPForService('web')).toBe('');
  });

  it('gives resolvers, routers and splitters an address and keeps it while such an entry names the service', () => {
    const c = new Catalog();
    let idx = applyAll(c, [{ Type: 'ConfigEntry', Op: 'upsert', Entry: { Kind: 'service-resolver', Name: 'api', CreateIndex: 0, ModifyIndex: 0 } }]);
    expect(c.virtualIPForService('api')).toBe('240.0.0.1');
    idx = applyAll(c, [plain('n1', 'api', { Native: true }), deregister('n1', 'api')], idx);
    expect(c.virtualIPForService('api')).toBe('240.0.0.1');
    applyAll(c, [{ Type: 'ConfigEntry', Op: 'delete', Entry: { Kind: 'service-resolver', Name: 'api', CreateIndex: 0, ModifyIndex: 0 } }], idx);
    expect(c.virtualIPForService('api')).toBe('');
  });

  it('keeps the address while a service-defaults entry names the service, and its deletion frees nothing (deleteConfigEntryTxn)', () => {
    const c = new Catalog();
    const defaults = (Op: 'upsert' | 'delete'): Command => ({ Type: 'ConfigEntry', Op, Entry: { Kind: 'service-defaults', Name: 'db', Protocol: 'tcp', CreateIndex: 0, ModifyIndex: 0 } });
    let idx = applyAll(c, [defaults('upsert'), plain('n1', 'db', { Native: true }), deregister('n1', 'db')]);
    expect(c.virtualIPForService('db')).toBe('240.0.0.1');
    idx = applyAll(c, [defaults('delete')], idx);
    expect(c.virtualIPForService('db')).toBe('240.0.0.1');
    // Consul frees it with the next instance's deregistration.
    applyAll(c, [plain('n1', 'db', { Native: true }), deregister('n1', 'db')], idx);
    expect(c.virtualIPForService('db')).toBe('');
  });

  it('rolls the table back with a failed transaction', () => {
    const c = new Catalog();
    const idx = applyAll(c, [{ Type: 'Register', Node: 'n1', Address: '10.0.0.1' }]);
    const r = c.apply(idx, {
      Type: 'Txn',
      Ops: [
        { Service: { Verb: 'set', Node: 'n1', Service: { ID: 'web', Service: 'web', Port: 80, Connect: { Native: true } } } },
        { Service: { Verb: 'cas', Node: 'n1', Service: { ID: 'other', Service: 'other', ModifyIndex: 99 } } },
      ],
    } as Command);
    expect(r.txn?.Errors).not.toBeNull();
    expect(c.virtualIPForService('web')).toBe('');
    applyAll(c, [plain('n1', 'db', { Native: true })], idx + 1);
    expect(c.virtualIPForService('db')).toBe('240.0.0.1');
  });
});

describe('manual virtual IPs (AssignManualServiceVIPs)', () => {
  it('sets them on a service with a virtual IP and takes them from any other service', () => {
    const c = new Catalog();
    const idx = applyAll(c, [plain('n1', 'a', { Native: true }), plain('n1', 'b', { Native: true })]);
    expect(c.apply(idx, { Type: 'ServiceVirtualIPSet', Service: 'a', ManualVIPs: ['10.1.1.1', '10.1.1.2'] }).manualVIPs).toEqual({ found: true, unassignedFrom: [] });
    expect(c.apply(idx + 1, { Type: 'ServiceVirtualIPSet', Service: 'b', ManualVIPs: ['10.1.1.2'] }).manualVIPs).toEqual({ found: true, unassignedFrom: ['a'] });
    expect(c.serviceVirtualIP('a')!.ManualIPs).toEqual(['10.1.1.1']);
    expect(c.serviceVirtualIP('b')!.ManualIPs).toEqual(['10.1.1.2']);
    expect(c.apply(idx + 2, { Type: 'ServiceVirtualIPSet', Service: 'nope', ManualVIPs: ['10.1.1.3'] }).manualVIPs).toEqual({ found: false, unassignedFrom: [] });
    expect(c.apply(idx + 3, { Type: 'ServiceVirtualIPSet', Service: 'a', ManualVIPs: ['::1'] })).toMatchObject({ ok: false, error: '"::1" is not a valid IPv4 address' });
  });
});

describe('virtual IPs in snapshots', () => {
  it('survive a snapshot round trip: assigned, freed, counter and manual addresses', () => {
    const c = new Catalog();
    let idx = applyAll(c, [plain('n1', 'a', { Native: true }), plain('n1', 'b', { Native: true }), plain('n1', 'c', { Native: true })]);
    idx = applyAll(c, [deregister('n1', 'a'), { Type: 'ServiceVirtualIPSet', Service: 'b', ManualVIPs: ['10.9.9.9'] }], idx);
    const snap = c.snapshot();
    const r = new Catalog();
    r.restore(JSON.parse(JSON.stringify(snap)));
    expect(r.snapshot()).toEqual(snap);
    expect(r.virtualIPForService('b')).toBe('240.0.0.2');
    expect(r.serviceVirtualIP('b')!.ManualIPs).toEqual(['10.9.9.9']);
    // The freed address comes back first, then the counter goes on after 240.0.0.3.
    applyAll(r, [plain('n1', 'd', { Native: true }), plain('n1', 'e', { Native: true })], idx);
    expect(r.virtualIPForService('d')).toBe('240.0.0.1');
    expect(r.virtualIPForService('e')).toBe('240.0.0.4');
  });

  it('restores a snapshot taken before virtual IPs existed as an empty table', () => {
    const c = new Catalog();
    applyAll(c, [plain('n1', 'cache')]);
    const { VirtualIPs: _v, ...old } = c.snapshot();
    const r = new Catalog();
    r.restore(old as ReturnType<Catalog['snapshot']>);
    applyAll(r, [plain('n1', 'x', { Native: true })], 5);
    expect(r.virtualIPForService('x')).toBe('240.0.0.1');
  });
});

describe('VirtualIPTable', () => {
  it('formats offsets from 240.0.0.0 and stops before 15.255.255.254, as Consul', () => {
    expect(virtualIPString(1)).toBe('240.0.0.1');
    expect(virtualIPString(256)).toBe('240.0.1.0');
    expect(virtualIPString(0x0ffffffd)).toBe('255.255.255.253');
    const t = new VirtualIPTable();
    t.restore({ Index: 1, Counter: 0x0ffffffc, Free: [], Services: [] });
    expect(t.assign('last', 2)).toBe('255.255.255.253');
    expect(t.canAssign('more')).toBe(false);
    expect(() => t.assign('more', 3)).toThrow('cannot allocate any more unique service virtual IPs');
    t.free('last', 4);
    expect(t.assign('more', 5)).toBe('255.255.255.253');
  });
});
