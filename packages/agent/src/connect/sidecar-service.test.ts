import { describe, expect, it } from 'vitest';
import { parseServiceDefinition } from '../config/index.js';
import { expandSidecar, sidecarDefaultChecks, sidecarPort } from './sidecar-service.js';
import { validateForAgent, validateNodeService } from './validate-service.js';

describe('sidecar_service expansion (sidecarServiceFromNodeService)', () => {
  it('fills Consul defaults from the parent and strips the sugar from it', () => {
    const def = parseServiceDefinition({ id: 'web1', name: 'web', port: 8080, tags: ['v1'], meta: { a: 'b' }, token: 't', connect: { sidecar_service: {} } });
    const x = expandSidecar(def, 'parent-token')!;
    expect(x.parent.Connect).toEqual({});
    expect(x.token).toBe('parent-token');
    expect(x.sidecar).toMatchObject({
      ID: 'web1-sidecar-proxy',
      Name: 'web-sidecar-proxy',
      Kind: 'connect-proxy',
      Tags: ['v1'],
      Meta: { a: 'b' },
      Proxy: { DestinationServiceName: 'web', DestinationServiceID: 'web1', LocalServiceAddress: '127.0.0.1', LocalServicePort: 8080 },
    });
  });

  it('keeps what the sidecar gives: tags, meta, token, socket path from the parent', () => {
    const def = parseServiceDefinition({ name: 'db', socket_path: '/tmp/db.sock', tags: ['p'], connect: { sidecar_service: { tags: ['s'], meta: { m: '1' }, token: 'own', port: 3000 } } });
    const x = expandSidecar(def, '')!;
    expect(x.token).toBe('own');
    expect(x.sidecar).toMatchObject({ Tags: ['s'], Meta: { m: '1' }, Port: 3000, Proxy: { LocalServiceSocketPath: '/tmp/db.sock' } });
    expect(x.sidecar.Proxy).not.toHaveProperty('LocalServiceAddress');
  });

  it('allocates the lowest free port, keeps its own, and fails when the range is full or disabled', () => {
    const others = [{ ID: 'a-sidecar-proxy', Port: 21000 }, { ID: 'x', Port: 21002 }];
    expect(sidecarPort('b-sidecar-proxy', others, { min: 21000, max: 21255 })).toBe(21001);
    expect(sidecarPort('x', others, { min: 21000, max: 21255 })).toBe(21002);
    expect(() => sidecarPort('c', others, { min: 21000, max: 21000 })).toThrow('no port provided for sidecar_service and none left in the configured range [21000, 21000]');
    expect(() => sidecarPort('c', [], { min: -1, max: -1 })).toThrow('no port provided for sidecar_service and auto-assignment disabled in config');
  });

  it('default checks: TCP on the sidecar address (else the local service address), alias of the parent', () => {
    expect(sidecarDefaultChecks('web1-sidecar-proxy', '', '127.0.0.1', 21000)).toEqual([
      { Name: 'Connect Sidecar Listening', TCP: '127.0.0.1:21000', Interval: '10s' },
      { Name: 'Connect Sidecar Aliasing web1', AliasService: 'web1' },
    ]);
    expect(sidecarDefaultChecks('s-sidecar-proxy', '::1', '', 1)[0]!.TCP).toBe('[::1]:1');
  });
});

describe('NodeService.Validate', () => {
  it('checks proxies, upstreams, gateways, native services and nested sidecars in Consul words', () => {
    expect(validateNodeService({ Kind: 'connect-proxy', Proxy: { DestinationServiceName: '*' }, Connect: { Native: true } })).toEqual([
      'Port or SocketPath must be set for a connect-proxy',
      'Proxy.DestinationServiceName must not be a wildcard for Connect proxy services',
      'A Proxy cannot also be Connect Native, only typical services',
      'Port or SocketPath must be set for a Connect native service.',
    ]);
    const up = { DestinationName: 'db', LocalBindPort: 9191 };
    expect(validateForAgent({ Kind: 'connect-proxy', Proxy: { DestinationServiceName: 'web', Upstreams: [up, up, { DestinationName: 'x', LocalBindPort: 9191 }, { DestinationType: 'bad' }] } })).toEqual([
      'upstreams cannot contain duplicates of [type="", name="db", partition="", namespace="", peer="", datacenter=""]',
      'upstreams cannot contain duplicates by local bind address and port or unix path; "127.0.0.1:9191" is specified twice',
      'unknown upstream destination type: "bad"',
    ]);
    expect(validateNodeService({ Kind: 'mesh-gateway', Proxy: { Upstreams: [up] } })).toEqual([
      'Port must be non-zero for a mesh-gateway',
      'The Proxy.Upstreams configuration is invalid for a mesh-gateway',
    ]);
    expect(validateNodeService({ Kind: 'ingress-gateway' })).toEqual([]);
    expect(validateNodeService({ Connect: { Native: true } })).toEqual(['Port or SocketPath must be set for a Connect native service.']);
    expect(validateNodeService({ Port: 1, Connect: { SidecarService: { Connect: { SidecarService: {} } } } })).toEqual(['A SidecarService cannot have a nested SidecarService']);
  });
});
