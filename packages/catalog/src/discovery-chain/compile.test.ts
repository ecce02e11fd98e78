// The discovery chain compiler over a real Catalog: the chains Consul compiles for the common
// shapes (default, subsets with failover, redirect, splitter, router), and the graph errors a write
// gets inside apply (compile.go's and validateProposedConfigEntryInGraph's texts).
import { describe, expect, it } from 'vitest';
import { Catalog } from '../catalog.js';
import { parseConfigEntry } from '../config-entry/index.js';
import { compileDiscoveryChain, type CompileRequest } from './compile.js';

const TRUST = '11111111-2222-3333-4444-555555555555.consul';

function setup() {
  const c = new Catalog();
  let idx = 1;
  const put = (e: Record<string, unknown>): string | true => {
    const r = c.apply(idx++, { Type: 'ConfigEntry', Op: 'upsert', Entry: parseConfigEntry(e) });
    return r.ok ? true : (r.error ?? '');
  };
  const del = (kind: string, name: string): string | true => {
    const r = c.apply(idx++, { Type: 'ConfigEntry', Op: 'delete', Entry: { Kind: kind, Name: name, CreateIndex: 0, ModifyIndex: 0 } });
    return r.ok ? true : (r.error ?? '');
  };
  const chain = (name: string, extra: Partial<CompileRequest> = {}) =>
    c.discoveryChainRead((entries) => compileDiscoveryChain(entries, { serviceName: name, evaluateInDatacenter: 'dc1', evaluateInTrustDomain: TRUST, ...extra })).value as Record<string, any>;
  return { c, put, del, chain };
}

const target = (id: string, service: string, dc: string, extra: Record<string, unknown> = {}, timeout = '5s') => {
  const subset = id.split('.').length === 5 ? id.split('.')[0] : undefined;
  const sni = `${subset ? `${subset}.` : ''}${service}.default.${dc}.internal.${TRUST}`;
  return {
    ConnectTimeout: timeout, ID: id, Service: service, ...(subset ? { ServiceSubset: subset } : {}), Namespace: 'default', Partition: 'default', Datacenter: dc,
    MeshGateway: {}, Subset: {}, TransparentProxy: {}, SNI: sni, Name: sni, ...extra,
  };
};

describe('discovery chain compile', () => {
  it('a service without entries: the default chain', () => {
    const { chain } = setup();
    expect(JSON.stringify(chain('web'))).toBe(JSON.stringify({
      ServiceName: 'web', Namespace: 'default', Partition: 'default', Datacenter: 'dc1', Default: true, Protocol: 'tcp',
      StartNode: 'resolver:web.default.default.dc1',
      Nodes: { 'resolver:web.default.default.dc1': { Type: 'resolver', Name: 'web.default.default.dc1', Resolver: { ConnectTimeout: '5s', Default: true, Target: 'web.default.default.dc1' } } },
      Targets: { 'web.default.default.dc1': target('web.default.default.dc1', 'web', 'dc1') },
    }));
  });

  it('service-defaults and proxy-defaults: protocol, meta, mesh gateway; overrides customize the chain', () => {
    const { put, chain } = setup();
    expect(put({ Kind: 'proxy-defaults', Name: 'global', Config: { Protocol: 'HTTP' }, MeshGateway: { Mode: 'local' } })).toBe(true);
    expect(put({ Kind: 'service-defaults', Name: 'web', Meta: { team: 'a' }, TransparentProxy: { DialedDirectly: true } })).toBe(true);
    const web = chain('web');
    // service-defaults without a Protocol: "tcp" (it is consulted before proxy-defaults).
    expect(web.Protocol).toBe('tcp');
    expect(web.ServiceMeta).toEqual({ team: 'a' });
    expect(web.Targets['web.default.default.dc1']).toMatchObject({ MeshGateway: { Mode: 'local' }, TransparentProxy: { DialedDirectly: true } });
    expect(chain('api').Protocol).toBe('http');
    const custom = chain('api', { overrideProtocol: 'grpc', overrideConnectTimeoutNs: 2e9, overrideMeshGatewayMode: 'remote' });
    expect(custom).toMatchObject({ Protocol: 'grpc', Default: true });
    expect(custom.CustomizationHash).toMatch(/^[0-9a-f]{8}$/);
    expect(custom.Targets['api.default.default.dc1']).toMatchObject({ ConnectTimeout: '2s', MeshGateway: { Mode: 'remote' } });
    expect(chain('api').CustomizationHash).toBeUndefined();
  });

  it('a resolver with subsets and failover: the default subset, failover targets in other datacenters and services', () => {
    const { put, chain } = setup();
    expect(put({
      Kind: 'service-resolver', Name: 'web', DefaultSubset: 'v1', ConnectTimeout: '15s', RequestTimeout: '2s',
      Subsets: { v1: { Filter: 'Service.Meta.version == v1' }, v2: { Filter: 'Service.Meta.version == v2', OnlyPassing: true } },
      Failover: { v1: { Datacenters: ['dc1', 'dc2'] }, '*': { Service: 'backup' } },
    })).toBe(true);
    const web = chain('web');
    expect(web.Default).toBeUndefined();
    expect(web.StartNode).toBe('resolver:v1.web.default.default.dc1');
    expect(web.Nodes).toEqual({
      'resolver:v1.web.default.default.dc1': {
        Type: 'resolver', Name: 'v1.web.default.default.dc1',
        // dc1 is the target itself: no failover to yourself.
        Resolver: { ConnectTimeout: '15s', RequestTimeout: 2e9, Target: 'v1.web.default.default.dc1', Failover: { Targets: ['v1.web.default.default.dc2'] } },
      },
    });
    expect(Object.keys(web.Targets)).toEqual(['v1.web.default.default.dc1', 'v1.web.default.default.dc2']);
    expect(web.Targets['v1.web.default.default.dc2']).toEqual(target('v1.web.default.default.dc2', 'web', 'dc2', { Subset: { Filter: 'Service.Meta.version == v1' } }, '15s'));
    // A redirect to web/v2: the wildcard failover goes to another service (its default subset, its own timeout).
    expect(put({ Kind: 'service-resolver', Name: 'web-v2', Redirect: { Service: 'web', ServiceSubset: 'v2' } })).toBe(true);
    const v2 = chain('web-v2');
    expect(v2.StartNode).toBe('resolver:v2.web.default.default.dc1');
    expect(v2.Nodes['resolver:v2.web.default.default.dc1'].Resolver.Failover).toEqual({ Targets: ['backup.default.default.dc1'] });
    expect(v2.Targets['v2.web.default.default.dc1'].Subset).toEqual({ Filter: 'Service.Meta.version == v2', OnlyPassing: true });
    expect(v2.Targets['backup.default.default.dc1']).toEqual(target('backup.default.default.dc1', 'backup', 'dc1'));
  });

  it('a router and nested splitters: the catch-all route, flattened weights, merged headers', () => {
    const { put, chain } = setup();
    expect(put({ Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http' } })).toBe(true);
    expect(put({ Kind: 'service-resolver', Name: 'web', Subsets: { v1: {}, v2: {} } })).toBe(true);
    expect(put({ Kind: 'service-splitter', Name: 'web-next', Splits: [{ Weight: 50, Service: 'web', ServiceSubset: 'v1' }, { Weight: 50, Service: 'web', ServiceSubset: 'v2', ResponseHeaders: { Set: { 'x-v': '2' } } }] })).toBe(true);
    expect(put({ Kind: 'service-splitter', Name: 'web', Splits: [{ Weight: 80, ServiceSubset: 'v1' }, { Weight: 20, Service: 'web-next', RequestHeaders: { Add: { 'x-canary': '1' } } }] })).toBe(true);
    expect(put({ Kind: 'service-router', Name: 'web', Routes: [{ Match: { HTTP: { PathPrefix: '/admin' } }, Destination: { Service: 'admin' } }] })).toBe(true);
    const web = chain('web');
    expect(web.StartNode).toBe('router:web.default.default');
    expect(web.Nodes['router:web.default.default'].Routes).toEqual([
      { Definition: { Match: { HTTP: { PathPrefix: '/admin' } }, Destination: { Service: 'admin' } }, NextNode: 'resolver:admin.default.default.dc1' },
      { Definition: { Match: { HTTP: { PathPrefix: '/' } }, Destination: { Service: 'web', Namespace: 'default', Partition: 'default' } }, NextNode: 'splitter:web.default.default' },
    ]);
    expect(web.Nodes['splitter:web.default.default'].Splits).toEqual([
      { Definition: { Weight: 80, ServiceSubset: 'v1' }, Weight: 80, NextNode: 'resolver:v1.web.default.default.dc1' },
      { Definition: { Weight: 50, Service: 'web', ServiceSubset: 'v1', RequestHeaders: { Add: { 'x-canary': '1' } } }, Weight: 10, NextNode: 'resolver:v1.web.default.default.dc1' },
      { Definition: { Weight: 50, Service: 'web', ServiceSubset: 'v2', RequestHeaders: { Add: { 'x-canary': '1' } }, ResponseHeaders: { Set: { 'x-v': '2' } } }, Weight: 10, NextNode: 'resolver:v2.web.default.default.dc1' },
    ]);
    // The inner splitter was flattened away.
    expect(Object.keys(web.Nodes).sort()).toEqual(['resolver:admin.default.default.dc1', 'resolver:v1.web.default.default.dc1', 'resolver:v2.web.default.default.dc1', 'router:web.default.default', 'splitter:web.default.default']);
    expect(chain('web', { overrideProtocol: 'tcp' })).toMatchObject({ Protocol: 'tcp', StartNode: 'resolver:web.default.default.dc1' });
  });
});

describe('the graph check of a write (inside apply)', () => {
  it("refuses a change that leaves a chain uncompilable, with Consul's texts, and keeps the old entry", () => {
    const { c, put, del } = setup();
    const tcp = (svc: string) => `discovery chain "${svc}" uses a protocol "tcp" that does not permit advanced routing or splitting behavior`;
    expect(put({ Kind: 'service-router', Name: 'web', Routes: [{ Match: { HTTP: { PathPrefix: '/v1' } } }] })).toBe(tcp('web'));
    expect(put({ Kind: 'service-defaults', Name: 'web', Protocol: 'http' })).toBe(true);
    expect(put({ Kind: 'service-router', Name: 'web', Routes: [{ Destination: { ServiceSubset: 'v1' } }] })).toBe('service "web" does not have a subset named "v1"');
    expect(put({ Kind: 'service-resolver', Name: 'web', Subsets: { v1: { Filter: 'Service.Meta.v == 1' } } })).toBe(true);
    expect(put({ Kind: 'service-router', Name: 'web', Routes: [{ Destination: { ServiceSubset: 'v1' } }] })).toBe(true);
    // The router needs the subset and the protocol: neither may go away under it.
    expect(put({ Kind: 'service-resolver', Name: 'web', Subsets: { v2: {} } })).toBe('service "web" does not have a subset named "v1"');
    expect(del('service-resolver', 'web')).toBe('service "web" does not have a subset named "v1"');
    expect(put({ Kind: 'service-defaults', Name: 'web', Protocol: 'tcp' })).toBe(tcp('web'));
    expect(c.configEntryGet('service-defaults', 'web').value?.Protocol).toBe('http');
    expect(c.configEntryGet('service-resolver', 'web').value?.Subsets).toEqual({ v1: { Filter: 'Service.Meta.v == 1' } });
    // A route to another service mixes protocols.
    expect(put({ Kind: 'service-router', Name: 'web', Routes: [{ Destination: { Service: 'db' } }] })).toBe(
      'discovery chain "web" uses inconsistent protocols; service "db" has "tcp" which is not "http"',
    );
    // proxy-defaults is checked against every chain.
    expect(put({ Kind: 'service-splitter', Name: 'api', Splits: [{ Weight: 100 }] })).toBe(tcp('api'));
    expect(put({ Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http' } })).toBe(true);
    expect(put({ Kind: 'service-splitter', Name: 'api', Splits: [{ Weight: 100 }] })).toBe(true);
    expect(put({ Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'tcp' } })).toBe(tcp('api'));
    // Redirect loops, and a redirect to a service whose protocol differs.
    expect(put({ Kind: 'service-resolver', Name: 'a', Redirect: { Service: 'b' } })).toBe(true);
    expect(put({ Kind: 'service-resolver', Name: 'b', Redirect: { Service: 'a' } })).toBe('detected circular resolver redirect: [a.default.default.dc1 -> b.default.default.dc1 -> a.default.default.dc1]');
    expect(put({ Kind: 'service-defaults', Name: 'b', Protocol: 'grpc' })).toBe('discovery chain "a" uses inconsistent protocols; service "b" has "grpc" which is not "http"');
    // External services take no subsets.
    expect(put({ Kind: 'service-defaults', Name: 'ext', Protocol: 'http', ExternalSNI: 'ext.example.com' })).toBe(true);
    expect(put({ Kind: 'service-resolver', Name: 'ext', Subsets: { v1: {} } })).toBe('service "ext" has an external SNI set; cannot define subsets for external services');
  });

  it('splitters that point at each other are a circular reference', () => {
    const { put } = setup();
    expect(put({ Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http' } })).toBe(true);
    expect(put({ Kind: 'service-splitter', Name: 'a', Splits: [{ Weight: 100, Service: 'b' }] })).toBe(true);
    expect(put({ Kind: 'service-splitter', Name: 'b', Splits: [{ Weight: 100, Service: 'a' }] })).toBe('detected circular reference: [splitter:a.default.default -> splitter:b.default.default -> splitter:a.default.default]');
  });
});

describe('discovery chain compile: failover to a cluster peer', () => {
  it('gives a peer target its own `<service>.<ns>.default.external.<peer>` ID, with no datacenter, partition or SNI', () => {
    const { put, chain } = setup();
    expect(put({ Kind: 'service-resolver', Name: 'web', Failover: { '*': { Targets: [{ Peer: 'cluster-a' }, { Peer: 'cluster-b', Service: 'web2' }, { Datacenter: 'dc2' }] } } })).toBe(true);
    const c = chain('web');
    const failover = c.Nodes['resolver:web.default.default.dc1'].Resolver.Failover;
    expect(failover).toEqual({ Targets: ['web.default.default.external.cluster-a', 'web2.default.default.external.cluster-b', 'web.default.default.dc2'] });
    const peer = c.Targets['web.default.default.external.cluster-a'];
    expect(peer).toMatchObject({ ID: 'web.default.default.external.cluster-a', Service: 'web', Namespace: 'default', Peer: 'cluster-a' });
    expect(peer.Datacenter ?? '').toBe('');
    expect(peer.SNI ?? '').toBe('');
    expect(c.Targets['web2.default.default.external.cluster-b']).toMatchObject({ Service: 'web2', Peer: 'cluster-b' });
  });
});
