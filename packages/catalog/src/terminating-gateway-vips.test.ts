// Virtual IPs of the services a terminating gateway links (state/catalog.go
// getTermGatewayVirtualIPs, updateTerminatingGatewayVirtualIPs, freeServiceVirtualIP; the leader
// test TestLeader_ConfigEntryBootstrap... of Consul's leader_test.go follows the same steps).
import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import type { Command, RegisterCommand } from './commands.js';
import { parseConfigEntry } from './config-entry/index.js';
import { VirtualIPTable } from './virtual-ips.js';

const gatewayInstance = (node: string, id = 'tgate1'): RegisterCommand => ({
  Type: 'Register', Node: node, Address: '10.0.0.1', Service: { ID: id, Service: 'tgate1', Kind: 'terminating-gateway', Port: 8443, TaggedAddresses: { lan: { Address: '10.0.0.1', Port: 8443 } } },
});
const plain = (name: string, extra: Record<string, unknown> = {}): RegisterCommand => ({
  Type: 'Register', Node: 'n9', Address: '10.0.0.9', Service: { ID: name, Service: name, Port: 80, ...extra },
});
const linking = (...names: string[]): Command => ({
  Type: 'ConfigEntry', Op: 'upsert', Entry: parseConfigEntry({ Kind: 'terminating-gateway', Name: 'tgate1', Services: names.map((Name) => ({ Name })) }),
});
const deleteEntry = (Kind: string, Name: string): Command => ({ Type: 'ConfigEntry', Op: 'delete', Entry: { Kind, Name, CreateIndex: 0, ModifyIndex: 0 } });

function apply(c: Catalog, idx: number, cmd: Command): void {
  const r = c.apply(idx, cmd);
  expect(r.ok, r.error).toBe(true);
}

const gatewayAddresses = (c: Catalog, node = 'g1') => c.nodeServices(node).value?.Services['tgate1']?.TaggedAddresses;

describe('virtual IPs of a terminating gateway’s services', () => {
  it('gives each linked service an address and puts them on the gateway’s instances as consul-virtual:<service>', () => {
    const c = new Catalog();
    apply(c, 1, gatewayInstance('g1'));
    apply(c, 2, linking('api', 'baz'));
    expect([c.virtualIPForService('api'), c.virtualIPForService('baz')]).toEqual(['240.0.0.1', '240.0.0.2']);
    expect(gatewayAddresses(c)).toEqual({
      lan: { Address: '10.0.0.1', Port: 8443 },
      'consul-virtual:api': { Address: '240.0.0.1', Port: 0 },
      'consul-virtual:baz': { Address: '240.0.0.2', Port: 0 },
    });
    const [row] = c.serviceNodes('tgate1').value;
    expect(row!.ModifyIndex).toBe(2);
    // An instance registered after the entry gets them at registration; a re-registration moves nothing.
    apply(c, 3, gatewayInstance('g2'));
    expect(gatewayAddresses(c, 'g2')).toEqual(gatewayAddresses(c));
    const index = c.serviceNodes('tgate1').index;
    apply(c, 4, gatewayInstance('g2'));
    expect(c.serviceNodes('tgate1').index).toBe(index);
  });

  it('rewrites the addresses when the links change and frees a dropped service’s address unless something holds it', () => {
    const c = new Catalog();
    apply(c, 1, gatewayInstance('g1'));
    apply(c, 2, plain('held', { Connect: { Native: true } })); // 240.0.0.1, kept by its instance
    apply(c, 3, linking('held', 'gone', 'other'));
    apply(c, 4, { Type: 'ConfigEntry', Op: 'upsert', Entry: parseConfigEntry({ Kind: 'terminating-gateway', Name: 'tgate2', Services: [{ Name: 'other' }] }) });
    expect(['held', 'gone', 'other'].map((s) => c.virtualIPForService(s))).toEqual(['240.0.0.1', '240.0.0.2', '240.0.0.3']);

    apply(c, 5, linking('new'));
    expect(gatewayAddresses(c)).toEqual({ lan: { Address: '10.0.0.1', Port: 8443 }, 'consul-virtual:new': { Address: '240.0.0.4', Port: 0 } });
    expect(c.serviceNodes('tgate1').value[0]!.ModifyIndex).toBe(5);
    // `gone` is freed; `held` has a connect instance; `other` is linked by another gateway.
    expect(['held', 'gone', 'other'].map((s) => c.virtualIPForService(s))).toEqual(['240.0.0.1', '', '240.0.0.3']);
    // The same links again change nothing.
    const index = c.serviceNodes('tgate1').index;
    apply(c, 6, linking('new'));
    expect(c.serviceNodes('tgate1').index).toBe(index);
  });

  it('keeps the addresses when the entry is deleted, until the service’s last instance goes (as Consul)', () => {
    const c = new Catalog();
    apply(c, 1, gatewayInstance('g1'));
    apply(c, 2, plain('legacy'));
    apply(c, 3, linking('legacy', 'unused'));
    // Linked: the last instance going does not free it.
    apply(c, 4, { Type: 'Deregister', Node: 'n9', ServiceID: 'legacy' });
    expect(c.virtualIPForService('legacy')).toBe('240.0.0.1');
    apply(c, 5, plain('legacy'));
    apply(c, 6, deleteEntry('terminating-gateway', 'tgate1'));
    expect([c.virtualIPForService('legacy'), c.virtualIPForService('unused')]).toEqual(['240.0.0.1', '240.0.0.2']);
    expect(gatewayAddresses(c)).toHaveProperty(['consul-virtual:legacy']);
    apply(c, 7, { Type: 'Deregister', Node: 'n9', ServiceID: 'legacy' });
    expect(c.virtualIPForService('legacy')).toBe('');
  });

  it('refuses the entry, or the gateway’s registration, when its services cannot all get an address', () => {
    const c = new Catalog();
    const full = c.snapshot();
    full.VirtualIPs = { Index: 1, Counter: 0x0ffffffc, Free: [], Services: [] };
    c.restore(full);
    expect(c.apply(2, linking('a', 'b'))).toMatchObject({ ok: false, error: 'failed to associate services to gateway: cannot allocate any more unique service virtual IPs' });
    expect(c.configEntryGet('terminating-gateway', 'tgate1').value).toBeNull();
    apply(c, 3, linking('a'));
    apply(c, 4, gatewayInstance('g1'));
    expect(gatewayAddresses(c)!['consul-virtual:a']!.Address).toBe('255.255.255.253');
  });

  it('survive a snapshot round trip', () => {
    const c = new Catalog();
    apply(c, 1, gatewayInstance('g1'));
    apply(c, 2, linking('api'));
    const snap = c.snapshot();
    const r = new Catalog();
    r.restore(JSON.parse(JSON.stringify(snap)));
    expect(r.snapshot()).toEqual(snap);
    expect(r.virtualIPForService('api')).toBe('240.0.0.1');
    // The new link is given its address before the dropped one is freed, as in Consul.
    apply(r, 3, linking('web'));
    expect(r.virtualIPForService('api')).toBe('');
    expect(gatewayAddresses(r)).toEqual({ lan: { Address: '10.0.0.1', Port: 8443 }, 'consul-virtual:web': { Address: '240.0.0.2', Port: 0 } });
    apply(r, 4, linking('web', 'db'));
    expect(r.virtualIPForService('db')).toBe('240.0.0.1');
  });

  it('counts how many addresses are left (canAssignAll)', () => {
    const t = new VirtualIPTable();
    t.restore({ Index: 1, Counter: 0x0ffffffc, Free: [7], Services: [] });
    expect(t.canAssignAll(['a', 'A', 'b'])).toBe(true);
    expect(t.canAssignAll(['a', 'b', 'c'])).toBe(false);
  });
});
