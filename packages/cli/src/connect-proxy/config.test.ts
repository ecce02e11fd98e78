import { describe, expect, it } from 'vitest';
import type { AgentService } from '@proconsul/api';
import { configFromAgentService, splitHostPort, upstreamKey } from './config.js';
import { parseUpstreamFlag } from '../commands/connect-proxy.js';

function proxyService(over: Partial<AgentService> = {}, proxy: Record<string, unknown> = {}): AgentService {
  return {
    Kind: 'connect-proxy',
    ID: 'web-sidecar-proxy',
    Service: 'web-sidecar-proxy',
    Tags: [],
    Meta: {},
    Port: 21000,
    Address: '',
    Weights: { Passing: 1, Warning: 1 },
    EnableTagOverride: false,
    Proxy: { DestinationServiceName: 'web', DestinationServiceID: 'web', LocalServiceAddress: '127.0.0.1', LocalServicePort: 8080, ...proxy },
    ...over,
  };
}

describe('proxy configuration (Consul connect/proxy/config.go)', () => {
  it('reads a sidecar registration with Consul defaults', () => {
    const cfg = configFromAgentService(proxyService({}, { Upstreams: [{ DestinationName: 'socat', LocalBindPort: 9191 }] }));
    expect(cfg.proxiedServiceName).toBe('web');
    expect(cfg.publicListener).toEqual({ bindAddress: '0.0.0.0', bindPort: 21000, localServiceAddress: '127.0.0.1:8080', localConnectTimeoutMs: 1000, handshakeTimeoutMs: 10000 });
    expect(cfg.upstreams).toEqual([
      { destinationType: 'service', destinationNamespace: 'default', destinationName: 'socat', datacenter: '', localBindAddress: '127.0.0.1', localBindPort: 9191, localBindSocketPath: '', connectTimeoutMs: 10000 },
    ]);
    expect(upstreamKey(cfg.upstreams[0]!)).toBe('127.0.0.1:9191->service:default/socat');
  });

  it('binds where Proxy.Config says, else at the service address; reads the timeouts from Config', () => {
    const cfg = configFromAgentService(
      proxyService({ Address: '10.0.0.5' }, { Config: { bind_address: '127.0.0.2', bind_port: 20000, local_connect_timeout_ms: 250, handshake_timeout_ms: 500 } }),
    );
    expect(cfg.publicListener).toMatchObject({ bindAddress: '127.0.0.2', bindPort: 20000, localConnectTimeoutMs: 250, handshakeTimeoutMs: 500 });
    expect(configFromAgentService(proxyService({ Address: '10.0.0.5' })).publicListener).toMatchObject({ bindAddress: '10.0.0.5', bindPort: 21000 });
  });

  it('refuses a service that is not a connect-proxy', () => {
    expect(() => configFromAgentService(proxyService({ Kind: '' }))).toThrow('service is not a valid connect proxy');
  });

  it('splits host and port as Go does', () => {
    expect(splitHostPort(':8443')).toEqual({ host: '', port: '8443' });
    expect(splitHostPort('[::1]:80')).toEqual({ host: '::1', port: '80' });
    expect(() => splitHostPort('foo')).toThrow('address foo: missing port in address');
  });
});

describe('-upstream (Consul FlagUpstreams)', () => {
  it('takes name:port, name:host:port and the .query suffix', () => {
    expect(parseUpstreamFlag('db:8181')).toMatchObject({ destinationName: 'db', destinationType: 'service', localBindAddress: '', localBindPort: 8181 });
    expect(parseUpstreamFlag('db:127.0.0.10:8282')).toMatchObject({ localBindAddress: '127.0.0.10', localBindPort: 8282 });
    expect(parseUpstreamFlag('db.query:8181')).toMatchObject({ destinationName: 'db', destinationType: 'prepared_query' });
    expect(parseUpstreamFlag('db.service:8181')).toMatchObject({ destinationName: 'db', destinationType: 'service' });
  });

  it("refuses bad values with Consul's texts", () => {
    expect(() => parseUpstreamFlag('db')).toThrow('Upstream value should be name:addr in "db"');
    expect(() => parseUpstreamFlag('db.foo:1')).toThrow('Upstream type must be blank, \'service\', or \'query\'. Got: "foo"');
    expect(() => parseUpstreamFlag('db:x')).toThrow('strconv.ParseInt: parsing "x": invalid syntax');
  });
});
