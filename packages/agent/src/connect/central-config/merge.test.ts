// The central defaults of a proxy (resolve.ts) and their merge into its registration (merge.ts),
// case by case as Consul's resolve.go and merge_service_config.go compute them.
import type { ConfigEntry } from '@proconsul/catalog';
import { describe, expect, it } from 'vitest';
import type { AgentService } from '../../local/types.js';
import { mergeServiceConfig } from './merge.js';
import { resolveServiceConfig, type ServiceConfigRequest } from './resolve.js';

function entries(...list: Record<string, unknown>[]): (kind: string, name: string) => ConfigEntry | null {
  return (kind, name) => (list.find((e) => e['Kind'] === kind && e['Name'] === name) as ConfigEntry | undefined) ?? null;
}

const req = (over: Partial<ServiceConfigRequest> = {}): ServiceConfigRequest => ({ Name: 'web', Upstreams: [], MeshGatewayMode: '', Mode: '', ...over });

function proxy(over: Partial<NonNullable<AgentService['Proxy']>> = {}): AgentService {
  return {
    Kind: 'connect-proxy', ID: 'web-sidecar-proxy', Service: 'web-sidecar-proxy', Tags: [], Meta: {}, Port: 21000, Address: '',
    Weights: { Passing: 1, Warning: 1 }, EnableTagOverride: false,
    Proxy: { DestinationServiceName: 'web', DestinationServiceID: 'web', LocalServiceAddress: '127.0.0.1', LocalServicePort: 8080, ...over },
  };
}

describe('resolveServiceConfig', () => {
  it('is empty without entries', () => {
    expect(resolveServiceConfig(req(), entries())).toEqual({ MeshGateway: { Mode: '' }, Expose: {}, TransparentProxy: {}, Mode: '' });
  });

  it('takes proxy-defaults, then the service-defaults of the service on top', () => {
    const r = resolveServiceConfig(
      req(),
      entries(
        { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'tcp', foo: 1 }, Mode: 'direct', MeshGateway: { Mode: 'local' }, Expose: { Checks: true } },
        {
          Kind: 'service-defaults', Name: 'web', Protocol: 'http', MaxInboundConnections: 10, LocalConnectTimeoutMs: 2000, LocalRequestTimeoutMs: 3000,
          BalanceInboundConnections: 'exact_balance', MeshGateway: { Mode: 'remote' }, TransparentProxy: { OutboundListenerPort: 15001 },
          Expose: { Paths: [{ Path: '/health', LocalPathPort: 8080, ListenerPort: 21500 }] },
        },
      ),
    );
    expect(r.ProxyConfig).toEqual({
      protocol: 'http', foo: 1, balance_inbound_connections: 'exact_balance', max_inbound_connections: 10, local_connect_timeout_ms: 2000, local_request_timeout_ms: 3000,
    });
    expect(r.Mode).toBe('direct');
    expect(r.MeshGateway).toEqual({ Mode: 'remote' });
    expect(r.TransparentProxy).toEqual({ OutboundListenerPort: 15001 });
    expect(r.Expose).toEqual({ Checks: true, Paths: [{ Path: '/health', LocalPathPort: 8080, ListenerPort: 21500 }] });
    expect(r.UpstreamConfigs).toBeUndefined();
  });

  it('resolves each upstream: wildcard defaults, the upstream protocol, upstream defaults, the registration, overrides', () => {
    const r = resolveServiceConfig(
      req({ Upstreams: ['db', 'cache'], MeshGatewayMode: 'none' }),
      entries(
        { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'tcp' } },
        { Kind: 'service-defaults', Name: 'db', Protocol: 'grpc' },
        {
          Kind: 'service-defaults', Name: 'web',
          UpstreamConfig: { Defaults: { ConnectTimeoutMs: 500, Limits: { MaxConnections: 5 } }, Overrides: [{ Name: 'cache', Protocol: 'http2', MeshGateway: { Mode: 'local' } }, { Name: 'extra', ConnectTimeoutMs: 9 }] },
        },
      ),
    );
    const byName = Object.fromEntries((r.UpstreamConfigs ?? []).map((u) => [u.Upstream, u.Config]));
    expect(byName['*']).toEqual({ protocol: 'tcp', connect_timeout_ms: 500, limits: { MaxConnections: 5 }, mesh_gateway: { Mode: 'none' } });
    expect(byName['db']).toEqual({ protocol: 'grpc', connect_timeout_ms: 500, limits: { MaxConnections: 5 }, mesh_gateway: { Mode: 'none' } });
    expect(byName['cache']).toEqual({ protocol: 'http2', connect_timeout_ms: 500, limits: { MaxConnections: 5 }, mesh_gateway: { Mode: 'local' } });
    // An override names an upstream the registration does not list: it is resolved too.
    expect(byName['extra']).toMatchObject({ connect_timeout_ms: 9 });
  });

  it('gives no upstream configs to a proxy without upstreams outside transparent mode', () => {
    const lookup = entries({ Kind: 'service-defaults', Name: 'web', UpstreamConfig: { Defaults: { Protocol: 'http' } } });
    expect(resolveServiceConfig(req(), lookup).UpstreamConfigs).toBeUndefined();
    expect(resolveServiceConfig(req({ Mode: 'transparent' }), lookup).UpstreamConfigs).toEqual([{ Upstream: '*', Config: { protocol: 'http' } }]);
  });
});

describe('mergeServiceConfig', () => {
  it('returns the registration as given without defaults', () => {
    const s = proxy({ Config: { a: 1 } });
    expect(mergeServiceConfig(undefined, s)).toBe(s);
  });

  it('merges proxy config under the registration, whose own values win', () => {
    const defaults = resolveServiceConfig(
      req(),
      entries(
        { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'tcp', envoy_prometheus_bind_addr: '0.0.0.0:9102' }, Mode: 'transparent', TransparentProxy: { OutboundListenerPort: 15001, DialedDirectly: true }, MeshGateway: { Mode: 'local' }, AccessLogs: { Enabled: true } },
        { Kind: 'service-defaults', Name: 'web', Protocol: 'http', LocalConnectTimeoutMs: 1000 },
      ),
    );
    const registered = proxy({ Config: { protocol: 'grpc', own: true }, MeshGateway: { Mode: 'remote' } });
    const merged = mergeServiceConfig(defaults, registered);
    expect(merged.Proxy).toMatchObject({
      Config: { protocol: 'grpc', own: true, envoy_prometheus_bind_addr: '0.0.0.0:9102', local_connect_timeout_ms: 1000 },
      Mode: 'transparent',
      TransparentProxy: { OutboundListenerPort: 15001, DialedDirectly: true },
      MeshGateway: { Mode: 'remote' },
      AccessLogs: { Enabled: true },
    });
    // The registration itself is untouched.
    expect(registered.Proxy!.Config).toEqual({ protocol: 'grpc', own: true });
    expect(registered.Proxy!.Mode).toBeUndefined();
  });

  it('merges nested maps key by key at every level, as mergo.Merge does; lists and scalars are not merged', () => {
    const defaults = resolveServiceConfig(
      req(),
      entries({
        Kind: 'proxy-defaults', Name: 'global',
        Config: {
          envoy_stats_tags: ['from-defaults'],
          limits: { max_connections: 100, inner: { a: 1, b: 2 }, empty_here: { x: 1 } },
          scalar_vs_map: { k: 'v' },
          zero: 5,
        },
      }),
    );
    const registered = proxy({
      Config: { envoy_stats_tags: ['mine'], limits: { max_connections: 7, inner: { b: 20, c: 30 }, empty_here: {} }, scalar_vs_map: 'mine', zero: 0 },
    });
    const merged = mergeServiceConfig(defaults, registered);
    expect(merged.Proxy!.Config).toEqual({
      envoy_stats_tags: ['mine'],
      limits: { max_connections: 7, inner: { a: 1, b: 20, c: 30 }, empty_here: { x: 1 } },
      scalar_vs_map: 'mine',
      // An empty value counts as unset (mergo's isEmptyValue).
      zero: 5,
    });
    // The registration and the defaults are untouched.
    expect((registered.Proxy!.Config as { limits: { inner: object } }).limits.inner).toEqual({ b: 20, c: 30 });
    expect((defaults.ProxyConfig as { limits: { inner: object } }).limits.inner).toEqual({ a: 1, b: 2 });
  });

  it('merges nested maps of an upstream config too', () => {
    const lookup = entries({ Kind: 'service-defaults', Name: 'web', UpstreamConfig: { Overrides: [{ Name: 'db', Limits: { MaxConnections: 10, MaxPendingRequests: 20 } }] } });
    // The servers' answer reaches Consul's agent decoded (msgpack), so its limits are a map with the struct's field names.
    const upstreams = [{ DestinationType: 'service', DestinationName: 'db', LocalBindPort: 9000, Config: { limits: { MaxConnections: 1 } } }];
    const merged = mergeServiceConfig(resolveServiceConfig(req({ Upstreams: ['db'] }), lookup), proxy({ Upstreams: upstreams }));
    expect(merged.Proxy!.Upstreams![0]!.Config).toMatchObject({ limits: { MaxConnections: 1, MaxPendingRequests: 20 } });
  });

  it('merges upstream configs into the listed upstreams and adds central ones in transparent mode', () => {
    const lookup = entries(
      { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http' } },
      { Kind: 'service-defaults', Name: 'web', UpstreamConfig: { Overrides: [{ Name: 'db', Protocol: 'tcp', ConnectTimeoutMs: 100, MeshGateway: { Mode: 'local' } }] } },
    );
    const upstreams = [
      { DestinationType: 'service', DestinationName: 'db', LocalBindPort: 9000, Config: { connect_timeout_ms: 7 } },
      { DestinationType: 'prepared_query', DestinationName: 'q', LocalBindPort: 9001 },
    ];
    const merged = mergeServiceConfig(resolveServiceConfig(req({ Upstreams: ['db'] }), lookup), proxy({ Upstreams: upstreams }));
    expect(merged.Proxy!.Upstreams).toEqual([
      { DestinationType: 'service', DestinationName: 'db', LocalBindPort: 9000, Config: { connect_timeout_ms: 7, protocol: 'tcp' }, MeshGateway: { Mode: 'local' } },
      { DestinationType: 'prepared_query', DestinationName: 'q', LocalBindPort: 9001 },
    ]);

    const tproxy = mergeServiceConfig(resolveServiceConfig(req({ Mode: 'transparent' }), lookup), proxy({ Mode: 'transparent' }));
    expect(tproxy.Proxy!.Upstreams).toEqual(
      expect.arrayContaining([
        { DestinationNamespace: 'default', DestinationPartition: 'default', DestinationName: 'db', Config: { protocol: 'tcp', connect_timeout_ms: 100, mesh_gateway: { Mode: 'local' } }, MeshGateway: { Mode: 'local' }, CentrallyConfigured: true },
        { DestinationNamespace: 'default', DestinationPartition: 'default', DestinationName: '*', Config: { protocol: 'http' }, MeshGateway: {}, CentrallyConfigured: true },
      ]),
    );
  });

  it('replaces the registration extensions with the central ones', () => {
    const defaults = resolveServiceConfig(req(), entries({ Kind: 'proxy-defaults', Name: 'global', EnvoyExtensions: [{ Name: 'builtin/lua' }] }));
    expect(mergeServiceConfig(defaults, proxy({ EnvoyExtensions: [{ Name: 'mine' }] })).Proxy!.EnvoyExtensions).toEqual([{ Name: 'builtin/lua' }]);
    const none = resolveServiceConfig(req(), entries());
    expect(mergeServiceConfig(none, proxy({ EnvoyExtensions: [{ Name: 'mine' }] })).Proxy!.EnvoyExtensions).toBeUndefined();
  });
});
