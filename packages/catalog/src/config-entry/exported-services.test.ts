import { describe, expect, it } from 'vitest';
import { parseConfigEntry, resolveExportedServices, servicesExportedTo } from './index.js';

const entry = (services: unknown, name = 'default') => ({ Kind: 'exported-services', Name: name, Services: services });

describe('the exported-services config entry (config_entry_exports.go)', () => {
  it('is stored with Kind first and the peer_name alias decoded', () => {
    const e = parseConfigEntry({ kind: 'exported-services', name: 'default', services: [{ name: 'web', consumers: [{ peer_name: 'west' }] }] });
    expect(e).toEqual({ Kind: 'exported-services', Name: 'default', Services: [{ Name: 'web', Consumers: [{ Peer: 'west' }] }], CreateIndex: 0, ModifyIndex: 0 });
    expect(servicesExportedTo(e, 'WEST')).toEqual(['web']);
    expect(servicesExportedTo(e, 'east')).toEqual([]);
  });

  it.each([
    [entry([], 'other'), 'exported-services Name must be "default"'],
    [entry([{ Name: '', Consumers: [{ Peer: 'a' }] }]), 'Services[0]: service name cannot be empty'],
    [entry([{ Name: 'web' }]), 'Services[0]: must have at least one consumer'],
    [entry([{ Name: 'web', Consumers: [{ Peer: '*' }] }]), 'Services[0].Consumers[0]: exporting to all peers (wildcard) is not supported'],
    [entry([{ Name: 'web', Consumers: [{ Peer: 'a' }, { Partition: 'p1' }] }]), 'Services[0].Consumers[1]: partitions are an enterprise-only feature'],
    [entry([{ Name: 'web', Consumers: [{ SamenessGroup: 'g' }] }]), 'Services[0].Consumers[0]: sameness-groups are an enterprise-only feature'],
    [entry([{ Name: 'web', Namespace: '*', Consumers: [{ Peer: 'a' }] }]), 'Services[0]: service name must be wildcard if namespace is wildcard'],
  ])('refuses %j', (raw, text) => {
    expect(() => parseConfigEntry(raw)).toThrow(text);
  });
});

describe('GET /v1/exported-services resolution (CE resolvedExportedServicesTxn)', () => {
  it('expands the wildcard, merges and sorts consumers, leaves consul out, sorts by name', () => {
    const e = parseConfigEntry(entry([
      { Name: 'web', Consumers: [{ Peer: 'west' }, { Peer: 'east' }] },
      { Name: '*', Consumers: [{ Peer: 'south' }] },
      { Name: 'web', Consumers: [{ Peer: 'east' }] },
      { Name: 'consul', Consumers: [{ Peer: 'east' }] },
    ]));
    expect(resolveExportedServices(e, () => ['db', 'consul', 'web'])).toEqual([
      { Service: 'db', Consumers: { Peers: ['south'] } },
      { Service: 'web', Consumers: { Peers: ['east', 'south', 'west'] } },
    ]);
  });
  it('is empty without an entry, and reads the services only for a wildcard', () => {
    let asked = false;
    const typical = () => ((asked = true), ['web']);
    expect(resolveExportedServices(undefined, typical)).toEqual([]);
    expect(resolveExportedServices(parseConfigEntry(entry([{ Name: 'api', Consumers: [{ Peer: 'a' }] }])), typical)).toEqual([{ Service: 'api', Consumers: { Peers: ['a'] } }]);
    expect(asked).toBe(false);
  });
});
