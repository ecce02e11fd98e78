import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import type { PeeringRecord } from './peering-types.js';
import { IMPORTED_INSTANCES_MAX, peerImportsWatchKey } from './peering-store.js';
import { snapshotAtIndex } from './snapshot.js';

const peering = (over: Partial<PeeringRecord> = {}): Omit<PeeringRecord, 'CreateIndex' | 'ModifyIndex'> => ({
  ID: '11111111-2222-3333-4444-555555555555', Name: 'west', Meta: null, State: 'ACTIVE', PeerID: 'p', PeerCAPems: [], PeerServerName: '',
  PeerServerAddresses: ['10.0.0.9:8300'], DeletedAt: '', RemoteDatacenter: 'dc9', EstablishmentSecret: '', StreamSecret: 's', ...over,
});

/** An exporter's view of its `web` service, as the stream carries it. */
function exported(): Catalog {
  const src = new Catalog();
  src.apply(3, {
    Type: 'Register', Node: 'n1', Address: '10.0.0.1', Service: { ID: 'web1', Service: 'web', Port: 80, Tags: ['v1'] },
    Checks: [{ CheckID: 'serfHealth', Name: 'Serf', Status: 'passing' }, { CheckID: 'c1', Name: 'web', ServiceID: 'web1', Status: 'warning' }],
  });
  return src;
}

describe('peerings and imported services in the state machine', () => {
  it('imports rows apart from local reads, with the PeerName and this cluster\'s index', () => {
    const c = new Catalog();
    expect(c.apply(10, { Type: 'PeeringWrite', Peering: peering() })).toEqual({ ok: true, value: true });
    const web = exported().exportedInstances('web').value;
    // The node's and the instance's checks folded into one, with the worst status (flattenChecks).
    expect(web.map((i) => [i.Node.Node, i.Service.ID, i.Checks.map((k) => [k.CheckID, k.Name, k.Status, k.ServiceID])])).toEqual([['n1', 'web1', [['web1:overall-check', 'overall-check', 'warning', 'web1']]]]);
    expect(c.apply(11, { Type: 'PeeringImport', ID: peering().ID, Services: { web } }).ok).toBe(true);

    const h = c.importedServiceEntries('WEST', 'web');
    expect(h.index).toBe(11);
    expect(h.watch).toContain(peerImportsWatchKey('west'));
    expect(h.value[0]!.Node).toMatchObject({ Node: 'n1', Datacenter: 'dc9', PeerName: 'WEST', CreateIndex: 11, ModifyIndex: 11 });
    expect(h.value[0]!.Service).toMatchObject({ ID: 'web1', PeerName: 'WEST' });
    expect(h.value[0]!.Checks.map((k) => [k.CheckID, k.PeerName])).toEqual([['web1:overall-check', 'WEST']]);
    expect(c.importedServiceEntries('west', 'web', { passing: true }).value).toEqual([]);
    expect(c.importedServiceNodes('west', 'web', { tags: ['v1'] }).value.map((s) => s.PeerName)).toEqual(['west']);
    expect(c.importedServices('west').value).toEqual({ web: ['v1'] });
    // Never in local reads, and nothing for another peer.
    expect(c.services().value).toEqual({});
    expect(c.checkServiceNodes('web').value).toEqual([]);
    expect(c.importedServiceEntries('east', 'web').value).toEqual([]);
  });

  it('refuses a second peering with the same name or ID, an import for an unknown peering, and too many rows', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'PeeringWrite', Peering: peering() });
    expect(c.apply(2, { Type: 'PeeringWrite', Peering: peering({ ID: 'other' }) }).error).toMatch(/^A peering already exists with the name "west"/);
    expect(c.apply(3, { Type: 'PeeringWrite', Peering: peering({ Name: 'east' }) }).error).toMatch(/^A peering already exists with the ID/);
    expect(c.apply(4, { Type: 'PeeringImport', ID: 'nope', Services: {} }).ok).toBe(false);
    const many = new Array(IMPORTED_INSTANCES_MAX + 1).fill(exported().exportedInstances('web').value[0]!);
    expect(c.apply(5, { Type: 'PeeringImport', ID: peering().ID, Services: { web: many } }).error).toBe(`Too many imported instances (max ${IMPORTED_INSTANCES_MAX})`);
  });

  it('deleting a peering drops its imports; snapshot and restore keep both tables', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'PeeringWrite', Peering: peering({ Meta: { a: 'b' } }) });
    c.apply(2, { Type: 'PeeringImport', ID: peering().ID, Services: { web: exported().exportedInstances('web').value } });
    const copy = Catalog.fromSnapshot(c.snapshot());
    expect(copy.peerings().value).toEqual(c.peerings().value);
    expect(copy.importedServiceEntries('west', 'web')).toEqual(c.importedServiceEntries('west', 'web'));
    expect(copy.snapshot()).toEqual(c.snapshot());
    const restored = Catalog.fromSnapshot(snapshotAtIndex(c.snapshot(), 50));
    expect(restored.peerings().index).toBe(50);

    expect(c.apply(3, { Type: 'PeeringDelete', Name: 'WEST' })).toEqual({ ok: true, value: true });
    expect(c.peering('west')).toBeUndefined();
    expect(c.importedServiceEntries('west', 'web').value).toEqual([]);
    // A peering written again under the same name starts without the old imports.
    c.apply(4, { Type: 'PeeringWrite', Peering: peering() });
    expect(c.importedServiceMap('west')).toEqual({});
  });

  it('a snapshot taken before peerings existed restores with none', () => {
    const snap = new Catalog().snapshot();
    delete (snap as { Peerings?: unknown }).Peerings;
    expect(Catalog.fromSnapshot(snap).peerings().value).toEqual([]);
  });
});
