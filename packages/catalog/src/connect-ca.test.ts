import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import type { ConnectCACommand } from './connect-ca.js';
import { snapshotAtIndex } from './snapshot.js';

const config = { ClusterID: '11111111-2222-3333-4444-555555555555', Provider: 'consul', Config: { LeafCertTTL: '72h' }, State: null, ForceWithoutCrossSigning: false };
const root = (id: string, active: boolean) => ({
  ID: id, Name: 'Consul CA Primary Cert', SerialNumber: 7, SigningKeyID: 'aa:bb', ExternalTrustDomain: config.ClusterID,
  NotBefore: '2026-01-01T00:00:00Z', NotAfter: '2036-01-01T00:00:00Z', RootCert: `PEM ${id}\n`, IntermediateCerts: null,
  Active: active, RotatedOutAt: '', PrivateKeyType: 'ec', PrivateKeyBits: 256,
});
const init = (index = 0): ConnectCACommand => ({
  Type: 'ConnectCA', Op: 'set-roots-config', Index: index, Config: config, Roots: [root('r1', true)],
  ProviderState: { ID: 'p1', PrivateKey: 'KEY', RootCert: 'PEM r1\n', IntermediateCert: '' },
});

describe('Connect CA tables', () => {
  it('set-roots-config writes config, roots and provider state at one index, and wakes watchers', async () => {
    const c = new Catalog();
    const before = c.connectCARead((ca) => ca.rootList());
    const woke = c.watch(before.watch);
    expect(c.apply(3, init()).value).toBe(true);
    await woke;
    const r = c.connectCARead((ca) => ({ roots: ca.rootList(), config: ca.config, state: ca.providerStates.get('p1') }));
    expect(r.index).toBe(3);
    expect(r.value.roots).toEqual([{ ...root('r1', true), CreateIndex: 3, ModifyIndex: 3 }]);
    expect(r.value.config).toMatchObject({ ClusterID: config.ClusterID, CreateIndex: 3, ModifyIndex: 3 });
    expect(r.value.state).toMatchObject({ PrivateKey: 'KEY', CreateIndex: 3 });
    expect(c.connectCA.activeRoot()?.ID).toBe('r1');
  });

  it('a set-roots-config from a stale index loses (CAS) and changes nothing', () => {
    const c = new Catalog();
    c.apply(3, init());
    const r = c.apply(4, { ...init(0), Roots: [root('r1', false), root('r2', true)] });
    expect(r).toEqual({ ok: true, value: false });
    expect(c.connectCA.rootList().map((x) => x.ID)).toEqual(['r1']);
  });

  it('rotation keeps the old root inactive with its CreateIndex; exactly one active root is required', () => {
    const c = new Catalog();
    c.apply(3, init());
    expect(c.apply(5, { ...init(3), Roots: [root('r1', false), root('r2', true)] }).value).toBe(true);
    const roots = c.connectCA.rootList();
    expect(roots.map((x) => [x.ID, x.Active, x.CreateIndex, x.ModifyIndex])).toEqual([['r1', false, 3, 5], ['r2', true, 5, 5]]);
    expect(c.apply(6, { ...init(5), Roots: [root('r3', false)] }).ok).toBe(false);
    expect(c.apply(6, { Type: 'ConnectCA', Op: 'set-config' } as ConnectCACommand).ok).toBe(false);
    expect(c.connectCA.rootsIndex).toBe(5);
  });

  it('set-config keeps the roots; leaf-increment-index moves only the leaf index, waking no roots reader', async () => {
    const c = new Catalog();
    c.apply(3, init());
    c.apply(4, { Type: 'ConnectCA', Op: 'set-config', Config: { ...config, Config: { LeafCertTTL: '24h' } } });
    expect(c.connectCA.config).toMatchObject({ Config: { LeafCertTTL: '24h' }, CreateIndex: 3, ModifyIndex: 4 });
    const read = c.connectCARead(() => null);
    let woke = false;
    void c.watch(read.watch).then(() => (woke = true));
    c.apply(9, { Type: 'ConnectCA', Op: 'leaf-increment-index' });
    await new Promise((r) => setTimeout(r, 10));
    // Consul's CARootsAndConfig: the roots and config tables' index, not the leaf's.
    expect([c.connectCARead(() => null).index, c.connectCA.leafIndex, woke]).toEqual([4, 9, false]);
    expect(c.connectCA.rootList()).toHaveLength(1);
  });

  it('is in the snapshot; a snapshot without the CA tables restores as none', () => {
    const c = new Catalog();
    c.apply(3, init());
    c.apply(4, { Type: 'ConnectCA', Op: 'leaf-increment-index' });
    const snap = c.snapshot();
    const copy = Catalog.fromSnapshot(JSON.parse(JSON.stringify(snap)));
    expect(copy.connectCA.rootList()).toEqual(c.connectCA.rootList());
    expect(copy.connectCA.providerStates.get('p1')?.PrivateKey).toBe('KEY');
    expect([copy.connectCARead(() => null).index, copy.connectCA.leafIndex]).toEqual([3, 4]);
    expect(copy.snapshot()).toEqual(snap);
    const { ConnectCA: _ca, ...old } = snap;
    const legacy = Catalog.fromSnapshot(old as typeof snap);
    expect(legacy.connectCA.config).toBeNull();
    expect(legacy.connectCA.rootList()).toEqual([]);
    const at = snapshotAtIndex(snap, 2);
    expect(at.ConnectCA?.Roots[0]?.CreateIndex).toBe(2);
    expect(at.ConnectCA?.RootsIndex).toBe(2);
  });
});
