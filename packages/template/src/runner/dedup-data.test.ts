import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CatalogSnippet, HealthService, KeyPair, Node, ServiceAddress, ServiceTags } from '../consul/data.js';
import { decodeTemplateData, encodeTemplateData, templateDataHash } from './dedup-data.js';
import { templateId } from './dedup.js';

const entry = {
  Node: { Node: 'n1', ID: 'id-1', Address: '10.0.0.1', Meta: { rack: 'r1' } },
  Service: { ID: 'web-1', Service: 'web', Tags: ['b', 'a'], Port: 80, Address: '', TaggedAddresses: { lan: { Address: '10.0.0.9', Port: 81 } }, Weights: { Passing: 3, Warning: 1 } },
  Checks: [],
} as unknown as ConstructorParameters<typeof HealthService>[0];

const data = {
  'health.service(web|passing)': [new HealthService(entry, 'passing')],
  'catalog.services': [new CatalogSnippet('web', ServiceTags.from_(['x', 'y']))],
  'catalog.nodes': [new Node({ Node: 'n1', Address: '10.0.0.1' } as ConstructorParameters<typeof Node>[0])],
  'kv.list(app)': [new KeyPair({ Key: 'app/k', Value: Buffer.from('v').toString('base64'), CreateIndex: 1, ModifyIndex: 2, LockIndex: 0, Flags: 0 } as ConstructorParameters<typeof KeyPair>[0], 'k')],
  'kv.get(app/k)': { exists: true, value: 'v' },
  'kv.get(app/none)': { exists: false, value: '' },
};

describe('de-duplication data', () => {
  it('round-trips the values templates see, as the same classes', () => {
    const raw = encodeTemplateData({ Version: 'v1', Data: data });
    const r = decodeTemplateData(raw, 'v1');
    if (!r.ok) throw new Error(r.reason);
    expect(r.data).toEqual(data);
    const [h] = r.data['health.service(web|passing)'] as HealthService[];
    expect(h).toBeInstanceOf(HealthService);
    expect(h!.Tags).toBeInstanceOf(ServiceTags);
    expect(h!.Tags.Contains('a')).toBe(true);
    expect(h!.ServiceTaggedAddresses['lan']).toBeInstanceOf(ServiceAddress);
    expect(Object.keys(h!)).toEqual(Object.keys(new HealthService(entry, 'passing'))); // field order, as printed
    expect((r.data['catalog.services'] as CatalogSnippet[])[0]!.Tags.Contains('y')).toBe(true);
    expect((r.data['catalog.nodes'] as Node[])[0]).toBeInstanceOf(Node);
    expect((r.data['kv.list(app)'] as KeyPair[])[0]).toBeInstanceOf(KeyPair);
  });

  it('is gzip of JSON with the Version and Data', () => {
    const raw = encodeTemplateData({ Version: 'v1', Data: { 'kv.get(a)': { exists: true, value: 'x' } } });
    expect(raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(decodeTemplateData(gzipSync('{"Version":"v1","Data":{"kv.get(a)":{"exists":true,"value":"x"}}}'), 'v1')).toEqual({ ok: true, data: { 'kv.get(a)': { exists: true, value: 'x' } } });
  });

  it('refuses another build\'s data and what does not decode', () => {
    const raw = encodeTemplateData({ Version: 'proconsul-template 0.1.0', Data: {} });
    expect(decodeTemplateData(raw, 'proconsul-template 0.2.0')).toEqual({ ok: false, reason: 'created with different version (proconsul-template 0.1.0 vs proconsul-template 0.2.0)' });
    expect(decodeTemplateData(Buffer.from('__NO_DATA__'), 'v1').ok).toBe(false);
    expect(decodeTemplateData(gzipSync('{"Version":"v1","Data":{"health.service(w|passing)":"nope"}}'), 'v1')).toMatchObject({ ok: false, reason: expect.stringContaining('expected a list') });
    expect(decodeTemplateData(gzipSync('{"Data":{}}'), 'v1').ok).toBe(false);
  });

  it('keeps a "__proto__" field a field', () => {
    const raw = gzipSync('{"Version":"v1","Data":{"catalog.nodes":[{"Node":"n","__proto__":{"polluted":true}}]}}');
    const r = decodeTemplateData(raw, 'v1');
    if (!r.ok) throw new Error(r.reason);
    const n = (r.data['catalog.nodes'] as Node[])[0]!;
    expect(n).toBeInstanceOf(Node);
    expect((n as unknown as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('hashes the data, not the order of its keys', () => {
    const a = templateDataHash({ Version: 'v1', Data: { x: { a: 1, b: [1, 2] }, y: 2 } });
    expect(templateDataHash({ Version: 'v1', Data: { y: 2, x: { b: [1, 2], a: 1 } } })).toBe(a);
    expect(templateDataHash({ Version: 'v1', Data: { y: 2, x: { b: [2, 1], a: 1 } } })).not.toBe(a);
    expect(templateDataHash({ Version: 'v2', Data: { x: { a: 1, b: [1, 2] }, y: 2 } })).not.toBe(a);
  });

  it('names a template as consul-template does: sha256 of source, contents and destination', () => {
    // printf 'in.ctmpl\0{{ key "a" }}\0out.conf' | sha256sum
    expect(templateId('in.ctmpl', '{{ key "a" }}', 'out.conf')).toBe('636db5392daffc81eb1b48b29a5c3e7b090d266d4622f9675e454f487c28f429');
    expect(templateId('', 'x', 'out.conf')).not.toBe(templateId('x', '', 'out.conf'));
  });
});
