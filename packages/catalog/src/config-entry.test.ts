import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import type { ConfigEntry } from './config-entry-types.js';
import { ConfigEntryDecodeError, ConfigEntryInvalidError, ConfigEntryKindUnsupportedError, parseConfigEntry } from './config-entry/index.js';

const web = (extra: Record<string, unknown> = {}): ConfigEntry => parseConfigEntry({ Kind: 'service-defaults', Name: 'web', Protocol: 'HTTP', ...extra });

describe('config entries in the catalog', () => {
  it('upserts keeping CreateIndex, lists by kind then name, deletes', () => {
    const c = new Catalog();
    expect(c.apply(5, { Type: 'ConfigEntry', Op: 'upsert', Entry: web() }).value).toBe(true);
    c.apply(6, { Type: 'ConfigEntry', Op: 'upsert', Entry: parseConfigEntry({ kind: 'proxy-defaults', config: { protocol: 'http' } }) });
    c.apply(7, { Type: 'ConfigEntry', Op: 'upsert', Entry: web({ Protocol: 'grpc' }) });
    const got = c.configEntryGet('service-defaults', 'WEB');
    expect(got.index).toBe(7);
    expect(got.value).toMatchObject({ Kind: 'service-defaults', Name: 'web', Protocol: 'grpc', CreateIndex: 5, ModifyIndex: 7 });
    expect(c.configEntryList().value.map((e) => `${e.Kind}/${e.Name}`)).toEqual(['proxy-defaults/global', 'service-defaults/web']);
    expect(c.configEntryList('proxy-defaults').value).toHaveLength(1);
    expect(c.apply(8, { Type: 'ConfigEntry', Op: 'delete', Entry: { Kind: 'service-defaults', Name: 'web', CreateIndex: 0, ModifyIndex: 0 } }).value).toBe(true);
    expect(c.configEntryGet('service-defaults', 'web').value).toBeNull();
    expect(c.configEntryGet('service-defaults', 'web').index).toBe(8);
  });

  it('check-and-set: 0 only when absent, else the ModifyIndex must match', () => {
    const c = new Catalog();
    const cas = (idx: number, op: 'upsert-cas' | 'delete-cas', at: number) =>
      c.apply(idx, { Type: 'ConfigEntry', Op: op, Entry: { ...web(), ModifyIndex: at } }).value;
    expect(cas(3, 'upsert-cas', 0)).toBe(true);
    expect(cas(4, 'upsert-cas', 0)).toBe(false);
    expect(cas(5, 'upsert-cas', 2)).toBe(false);
    expect(cas(6, 'upsert-cas', 3)).toBe(true);
    expect(c.configEntryGet('service-defaults', 'web').value?.ModifyIndex).toBe(6);
    expect(cas(7, 'delete-cas', 3)).toBe(false);
    expect(cas(8, 'delete-cas', 6)).toBe(true);
    expect(cas(9, 'delete-cas', 0)).toBe(false);
    expect(c.configEntryList().value).toEqual([]);
  });

  it('is in the snapshot; an old snapshot without the table loads empty', () => {
    const c = new Catalog();
    c.apply(2, { Type: 'ConfigEntry', Op: 'upsert', Entry: web() });
    const snap = c.snapshot();
    const back = Catalog.fromSnapshot(JSON.parse(JSON.stringify(snap)));
    expect(back.configEntryGet('service-defaults', 'web').value).toEqual(c.configEntryGet('service-defaults', 'web').value);
    expect(back.snapshot()).toEqual(snap);
    const { ConfigEntries: _gone, ...old } = snap;
    const fromOld = Catalog.fromSnapshot(old);
    expect(fromOld.configEntryList().value).toEqual([]);
  });

  it('wakes a blocking read on a write', async () => {
    const c = new Catalog();
    c.apply(1, { Type: 'Noop' });
    const r = c.configEntryList('service-defaults');
    const woke = c.watch(r.watch);
    c.apply(2, { Type: 'ConfigEntry', Op: 'upsert', Entry: web() });
    await expect(woke).resolves.toBeUndefined();
  });
});

describe('config entry decoding and validation (Consul texts)', () => {
  it('shapes service-defaults as Consul serves it', () => {
    expect(web()).toEqual({ Kind: 'service-defaults', Name: 'web', Protocol: 'http', TransparentProxy: {}, MeshGateway: {}, Expose: {}, CreateIndex: 0, ModifyIndex: 0 });
  });
  it('takes snake_case keys and refuses unknown ones', () => {
    expect(parseConfigEntry({ kind: 'service-defaults', name: 'api', mesh_gateway: { mode: 'local' } })).toMatchObject({ MeshGateway: { Mode: 'local' } });
    expect(() => parseConfigEntry({ Kind: 'service-defaults', Name: 'a', Foo: 1 })).toThrow(new ConfigEntryDecodeError('1 error occurred:\n\t* invalid config key "Foo"\n\n'));
    expect(() => parseConfigEntry({ Kind: 'service-defaults', Name: 'a', Namespace: 'x' })).toThrow('namespaces are a consul enterprise feature');
  });
  it('refuses kinds as Consul does, and the kinds not stored here', () => {
    expect(() => parseConfigEntry({ Name: 'a' })).toThrow('Payload does not contain a kind/Kind key at the top level');
    expect(() => parseConfigEntry({ Kind: 'nope' })).toThrow('invalid config entry kind: nope');
    expect(() => parseConfigEntry({ Kind: 'bound-api-gateway', Name: 'default' })).toThrow(ConfigEntryKindUnsupportedError);
    // Consul CE decodes a sameness-group, then its Validate refuses it (config_entry_sameness_group_ce.go).
    expect(() => parseConfigEntry({ Kind: 'sameness-group', Name: 'g', Members: [{ Peer: 'dc2' }] })).toThrow(new ConfigEntryInvalidError('sameness-groups are an enterprise-only feature'));
    expect(() => parseConfigEntry({ Kind: 'sameness-group', Name: 'g', Partition: 'p' })).toThrow('invalid config key "Partition"');
  });
  it('validates names', () => {
    expect(() => parseConfigEntry({ Kind: 'service-defaults' })).toThrow(new ConfigEntryInvalidError('Name is required'));
    expect(() => parseConfigEntry({ Kind: 'proxy-defaults', Name: 'web' })).toThrow('invalid name ("web"), only "global" is supported');
    expect(parseConfigEntry({ Kind: 'mesh', TransparentProxy: { MeshDestinationsOnly: true } })).toEqual({
      Kind: 'mesh', TransparentProxy: { MeshDestinationsOnly: true }, CreateIndex: 0, ModifyIndex: 0,
    });
  });
  it('computes intention precedence and orders sources by it', () => {
    const e = parseConfigEntry({
      Kind: 'service-intentions', Name: 'db',
      Sources: [{ Name: '*', Action: 'deny' }, { Name: 'web', Action: 'allow', Description: 'x' }],
    });
    expect(e.Sources).toEqual([
      { Name: 'web', Action: 'allow', Precedence: 9, Type: 'consul', Description: 'x' },
      { Name: '*', Action: 'deny', Precedence: 8, Type: 'consul' },
    ]);
    const wild = parseConfigEntry({ Kind: 'service-intentions', Name: '*', Sources: [{ Name: '*', Action: 'allow' }] });
    expect((wild.Sources as Array<{ Precedence: number }>)[0]!.Precedence).toBe(5);
    expect(() => parseConfigEntry({ Kind: 'service-intentions', Name: 'db', Sources: [{ Name: 'web' }] })).toThrow("Sources[0].Action must be set to 'allow' or 'deny'");
    expect(() => parseConfigEntry({ Kind: 'service-intentions', Name: 'db', Sources: [] })).toThrow('At least one source is required');
    expect(() =>
      parseConfigEntry({ Kind: 'service-intentions', Name: 'db', Sources: [{ Name: 'web', Permissions: [{ Action: 'allow', HTTP: { PathPrefix: 'x' } }] }] }),
    ).toThrow(`Sources[0].Permissions[0].HTTP.PathPrefix doesn't start with '/': "x"`);
  });
});

describe('service-splitter', () => {
  const splitter = (splits: unknown[]) => parseConfigEntry({ Kind: 'service-splitter', Name: 'web', Splits: splits });
  it('normalizes weights to 0.01% and shapes splits as Consul serves them', () => {
    expect(splitter([{ Weight: 33.333, Service_Subset: 'v1' }, { weight: '66.667', service: 'web', service_subset: 'v2', request_headers: { set: { x: '1' } } }])).toEqual({
      Kind: 'service-splitter', Name: 'web',
      Splits: [{ Weight: 33.33, ServiceSubset: 'v1' }, { Weight: 66.67, Service: 'web', ServiceSubset: 'v2', RequestHeaders: { Set: { x: '1' } } }],
      CreateIndex: 0, ModifyIndex: 0,
    });
  });
  it('refuses with Consul\'s texts', () => {
    expect(() => splitter([])).toThrow('no splits configured');
    expect(() => splitter([{ Weight: 90 }])).toThrow('the sum of all split weights must be 100, not 90.000000');
    expect(() => splitter([{ Weight: 50, ServiceSubset: 'a' }, { Weight: 49.99, ServiceSubset: 'b' }])).toThrow('the sum of all split weights must be 100, not 99.989998');
    expect(() => splitter([{ Weight: 50 }, { Weight: 50, Service: 'web' }])).toThrow('split destination occurs more than once: service="web", subset="", namespace="", partition=""');
  });
  it('needs an L7 protocol for its service, in apply, in both directions', () => {
    const c = new Catalog();
    const put = (idx: number, raw: Record<string, unknown>) => c.apply(idx, { Type: 'ConfigEntry', Op: 'upsert', Entry: parseConfigEntry(raw) });
    const split = { Kind: 'service-splitter', Name: 'web', Splits: [{ Weight: 100 }] };
    expect(put(2, split)).toEqual({ ok: false, error: 'discovery chain "web" uses a protocol "tcp" that does not permit advanced routing or splitting behavior' });
    expect(c.configEntryList().value).toEqual([]);
    expect(put(3, { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http' } }).ok).toBe(true);
    expect(put(4, split).value).toBe(true);
    // service-defaults overrides proxy-defaults: tcp for web is refused while the splitter exists.
    expect(put(5, { Kind: 'service-defaults', Name: 'web', Protocol: 'tcp' }).error).toContain('uses a protocol "tcp"');
    expect(put(6, { Kind: 'service-defaults', Name: 'web', Protocol: 'grpc' }).ok).toBe(true);
    expect(put(7, { Kind: 'proxy-defaults', Name: 'global', Config: {} }).ok).toBe(true); // web is still grpc
    const del = c.apply(8, { Type: 'ConfigEntry', Op: 'delete', Entry: { Kind: 'service-defaults', Name: 'web', CreateIndex: 0, ModifyIndex: 0 } });
    expect(del.error).toContain('uses a protocol "tcp"');
    expect(c.configEntryGet('service-defaults', 'web').value?.Protocol).toBe('grpc');
    expect(c.configEntryGet('service-defaults', 'web').index).toBe(7);
  });
});
