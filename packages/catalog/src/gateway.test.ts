import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import type { Command, RegisterCommand } from './commands.js';
import { ConfigEntryInvalidError, parseConfigEntry, terminatingGatewayWarnings } from './config-entry/index.js';

const put = (c: Catalog, idx: number, raw: Record<string, unknown>) => c.apply(idx, { Type: 'ConfigEntry', Op: 'upsert', Entry: parseConfigEntry(raw) });
const del = (c: Catalog, idx: number, Kind: string, Name: string) => c.apply(idx, { Type: 'ConfigEntry', Op: 'delete', Entry: { Kind, Name, CreateIndex: 0, ModifyIndex: 0 } });
const invalid = (raw: Record<string, unknown>): string => {
  try {
    parseConfigEntry(raw);
  } catch (err) {
    if (err instanceof ConfigEntryInvalidError) return err.message;
    throw err;
  }
  return 'accepted';
};

function reg(node: string, id: string, name: string, extra: Record<string, unknown> = {}): RegisterCommand {
  return { Type: 'Register', Node: node, Address: node === 'n1' ? '10.0.0.1' : '10.0.0.2', Service: { ID: id, Service: name, Port: 8080, ...extra } };
}
const sidecar = (node: string, dest: string): RegisterCommand =>
  reg(node, `${dest}-sidecar-proxy`, `${dest}-sidecar-proxy`, { Kind: 'connect-proxy', Port: 21000, Proxy: { DestinationServiceName: dest, DestinationServiceID: dest } });
const gateway = (node: string, name: string, kind: string): RegisterCommand => reg(node, name, name, { Kind: kind, Port: 8443 });

const ingress = (listeners: unknown[], extra: Record<string, unknown> = {}) => ({ Kind: 'ingress-gateway', Name: 'ig', Listeners: listeners, ...extra });

describe('ingress-gateway and terminating-gateway entries: decode, Normalize, Validate', () => {
  it('normalizes the listener protocol and serves Consul’s shape (TLS always, Hosts null)', () => {
    const e = parseConfigEntry({ kind: 'ingress-gateway', name: 'ig', listeners: [{ port: 8080, services: [{ name: 'web' }] }, { Port: 8081, Protocol: 'HTTP', Services: [{ Name: '*' }] }] });
    expect(e).toEqual({
      Kind: 'ingress-gateway', Name: 'ig', TLS: { Enabled: false },
      Listeners: [
        { Port: 8080, Protocol: 'tcp', Services: [{ Name: 'web', Hosts: null }] },
        { Port: 8081, Protocol: 'http', Services: [{ Name: '*', Hosts: null }] },
      ],
      CreateIndex: 0, ModifyIndex: 0,
    });
    const t = parseConfigEntry({ Kind: 'terminating-gateway', Name: 'tg', Services: [{ Name: 'db', ca_file: '/ca.pem', SNI: 'db.example' }] });
    expect(t).toEqual({ Kind: 'terminating-gateway', Name: 'tg', Services: [{ Name: 'db', CAFile: '/ca.pem', SNI: 'db.example' }], CreateIndex: 0, ModifyIndex: 0 });
  });

  it('refuses what Consul refuses, with its texts', () => {
    const svc = (name: string, extra: Record<string, unknown> = {}) => ({ Name: name, ...extra });
    expect(invalid(ingress([{ Port: 1, Services: [svc('a')] }, { Port: 1, Services: [svc('b')] }]))).toBe('port 1 declared on two listeners');
    expect(invalid(ingress([{ Port: 1, Protocol: 'udp', Services: [svc('a')] }]))).toBe("protocol must be 'tcp', 'http', 'http2', or 'grpc'. 'udp' is an unsupported protocol");
    expect(invalid(ingress([{ Port: 1, Services: [] }]))).toBe('No service declared for listener with port 1');
    expect(invalid(ingress([{ Port: 1, Services: [svc('a'), svc('b')] }]))).toBe("Multiple services per listener are only supported for L7 protocols, 'http', 'grpc' and 'http2' (listener on port 1)");
    expect(invalid(ingress([{ Port: 1, Services: [svc('*')] }]))).toBe("Wildcard service name is only valid for protocol = 'http' (listener on port 1)");
    expect(invalid(ingress([{ Port: 1, Services: [svc('a', { Hosts: ['a.example'] })] }]))).toBe('Associating hosts to a service is not supported for the tcp protocol (listener on port 1)');
    expect(invalid(ingress([{ Port: 1, Protocol: 'http', Services: [svc('*', { Hosts: ['a.example'] })] }]))).toBe('Associating hosts to a wildcard service is not supported (listener on port 1)');
    expect(invalid(ingress([{ Port: 1, Protocol: 'http', Services: [svc('')] }]))).toBe('Service name cannot be blank (listener on port 1)');
    expect(invalid(ingress([{ Port: 1, Protocol: 'http', Services: [svc('a'), svc('a')] }]))).toBe('Service a cannot be added multiple times (listener on port 1)');
    expect(invalid(ingress([{ Port: 1, Protocol: 'http', Services: [svc('a', { Hosts: ['x.example'] }), svc('b', { Hosts: ['x.example'] })] }]))).toBe('Hosts must be unique within a specific listener (listener on port 1)');
    expect(invalid(ingress([{ Port: 1, Protocol: 'http', Services: [svc('a', { Hosts: ['a.*.example'] })] }]))).toBe('Host "a.*.example" is not valid, a wildcard specifier is only allowed as the leftmost label');
    expect(invalid(ingress([{ Port: 1, Protocol: 'http', Services: [svc('a', { Hosts: ['*'] })] }], { TLS: { Enabled: true } }))).toBe("Host '*' is not allowed when TLS is enabled, all hosts must be valid DNS records to add as a DNSSAN");
    expect(invalid(ingress([{ Port: 1, Services: [svc('a', { RequestHeaders: { Set: { x: 'y' } } })] }]))).toBe('request headers only valid for http, http2 and grpc protocols (service "a" on listener on port 1)');
    expect(invalid(ingress([], { TLS: { TLSMinVersion: 'TLSv1_3', TLSMaxVersion: 'TLSv1_2' } }))).toBe('configuring max version TLSv1_2 less than the configured min version TLSv1_3 is invalid');
    expect(invalid(ingress([], { TLS: { TLSMinVersion: 'tls12' } }))).toBe('no matching TLS version found for tls12, please specify one of [TLS_AUTO, TLSv1_0, TLSv1_1, TLSv1_2, TLSv1_3]');
    expect(invalid(ingress([{ Port: 1, TLS: { SDS: { ClusterName: 'sds' } }, Services: [svc('a')] }]))).toBe('TLS.SDS.CertResource is required if ClusterName is set for listener (listener on port 1)');
    expect(invalid({ Kind: 'terminating-gateway', Name: 'tg', Services: [{ Name: '' }] })).toBe('Service name cannot be blank.');
    expect(invalid({ Kind: 'terminating-gateway', Name: 'tg', Services: [{ Name: 'db' }, { Name: 'db' }] })).toBe('Service "db" was specified more than once within a namespace');
    expect(invalid({ Kind: 'terminating-gateway', Name: 'tg', Services: [{ Name: 'db', CertFile: '/c.pem' }] })).toBe('Service "db" must have a CertFile, CAFile, and KeyFile specified for TLS origination');
    const tls = parseConfigEntry({ Kind: 'terminating-gateway', Name: 'tg', Services: [{ Name: 'db', CAFile: '/ca.pem' }, { Name: 'web', CAFile: '/ca.pem', SNI: 'web' }] });
    expect(terminatingGatewayWarnings(tls)).toEqual(['TLS is configured but SNI is not set for service "db". Enabling SNI is strongly recommended when using TLS.']);
  });
});

describe('gateway entries in the graph', () => {
  it('an ingress listener must match its services’ protocols; an ingress and a terminating gateway may not share a name', () => {
    const c = new Catalog();
    const http = [{ Port: 8080, Protocol: 'http', Services: [{ Name: 'web' }] }];
    expect(put(c, 2, ingress(http)).error).toBe('service "web" has protocol "tcp", which does not match defined listener protocol "http"');
    expect(c.configEntryList('ingress-gateway').value).toEqual([]);
    put(c, 3, { Kind: 'service-defaults', Name: 'web', Protocol: 'http' });
    expect(put(c, 4, ingress(http)).ok).toBe(true);
    // Moving the service's protocol under the listener is refused, as is deleting what makes it http.
    expect(put(c, 5, { Kind: 'service-defaults', Name: 'web', Protocol: 'grpc' }).error).toBe('service "web" has protocol "grpc", which does not match defined listener protocol "http"');
    expect(del(c, 6, 'service-defaults', 'web').error).toBe('service "web" has protocol "tcp", which does not match defined listener protocol "http"');
    expect(c.configEntryGet('service-defaults', 'web').value?.Protocol).toBe('http');
    put(c, 7, { Kind: 'service-defaults', Name: 'api', Protocol: 'tcp' });
    expect(put(c, 8, ingress([{ Port: 9090, Services: [{ Name: 'api' }] }], { Name: 'ig2' })).ok).toBe(true);
    del(c, 9, 'service-defaults', 'api');
    // A tcp listener in front of a chain that starts at its resolver may drift to http; proxy-defaults
    // is checked against every ingress listener.
    expect(put(c, 10, { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http' } }).ok).toBe(true);
    expect(put(c, 11, ingress([{ Port: 7070, Protocol: 'http', Services: [{ Name: 'x' }] }], { Name: 'ig3' })).ok).toBe(true);
    expect(put(c, 12, { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'grpc' } }).error).toBe('service "x" has protocol "grpc", which does not match defined listener protocol "http"');
    expect(put(c, 13, { Kind: 'terminating-gateway', Name: 'ig', Services: [{ Name: 'db' }] }).error).toBe(
      'cannot create a "terminating-gateway" config entry with name "ig", a "ingress-gateway" config entry with that name already exists',
    );
  });
});

describe('the gateway-services index', () => {
  it('maps named services and a wildcard (services with a proxy), filtered by protocol; in Consul’s JSON shape', () => {
    const c = new Catalog();
    c.apply(2, reg('n1', 'web', 'web'));
    c.apply(3, sidecar('n1', 'web'));
    c.apply(4, reg('n1', 'legacy', 'legacy')); // no proxy: not behind an ingress wildcard
    c.apply(5, reg('n1', 'consul', 'consul'));
    put(c, 6, { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http' } });
    put(c, 7, ingress([{ Port: 8080, Protocol: 'http', Services: [{ Name: '*' }] }, { Port: 9090, Protocol: 'http', Services: [{ Name: 'api', Hosts: ['api.example'] }] }]));
    const r = c.gatewayServices('IG');
    expect(r.value).toEqual([
      { Gateway: { Name: 'ig' }, Service: { Name: 'api' }, GatewayKind: 'ingress-gateway', Port: 9090, Protocol: 'http', Hosts: ['api.example'], CreateIndex: 7, ModifyIndex: 7 },
      { Gateway: { Name: 'ig' }, Service: { Name: 'web' }, GatewayKind: 'ingress-gateway', Port: 8080, Protocol: 'http', FromWildcard: true, CreateIndex: 7, ModifyIndex: 7 },
    ]);
    expect(r.index).toBe(7);

    // A service that gets a proxy later joins the wildcard, at its own index; deregistered, it leaves.
    c.apply(8, sidecar('n1', 'legacy'));
    expect(c.gatewayServices('ig').value.map((m) => [m.Service.Name, m.CreateIndex])).toEqual([['api', 7], ['legacy', 8], ['web', 7]]);
    c.apply(9, { Type: 'Deregister', Node: 'n1', ServiceID: 'legacy-sidecar-proxy' });
    expect(c.gatewayServices('ig').value.map((m) => m.Service.Name)).toEqual(['api', 'web']);
    expect(c.gatewayServices('ig').index).toBe(9);

    // A wildcard service whose protocol is not the listener's is left out.
    put(c, 10, { Kind: 'service-defaults', Name: 'web', Protocol: 'tcp' });
    expect(c.gatewayServices('ig').value.map((m) => m.Service.Name)).toEqual(['api']);
    expect(c.gatewayServices('nope')).toMatchObject({ value: [] });
  });

  it('terminating gateways: TLS files, ServiceKind, a wildcard over typical services and destinations', () => {
    const c = new Catalog();
    c.apply(2, reg('n1', 'db', 'db'));
    c.apply(3, reg('n1', 'native', 'native', { Connect: { Native: true } }));
    put(c, 4, { Kind: 'service-defaults', Name: 'ext', Destination: { Addresses: ['example.com'], Port: 443 } });
    put(c, 5, { Kind: 'terminating-gateway', Name: 'tg', Services: [{ Name: 'db', CAFile: '/ca.pem', CertFile: '/c.pem', KeyFile: '/k.pem', SNI: 'db' }, { Name: 'later' }] });
    expect(c.gatewayServices('tg').value).toEqual([
      { Gateway: { Name: 'tg' }, Service: { Name: 'db' }, GatewayKind: 'terminating-gateway', CAFile: '/ca.pem', CertFile: '/c.pem', KeyFile: '/k.pem', SNI: 'db', ServiceKind: 'service', CreateIndex: 5, ModifyIndex: 5 },
      { Gateway: { Name: 'tg' }, Service: { Name: 'later' }, GatewayKind: 'terminating-gateway', CreateIndex: 5, ModifyIndex: 5 },
    ]);
    put(c, 6, { Kind: 'terminating-gateway', Name: 'tg', Services: [{ Name: '*', SNI: 'any' }] });
    expect(c.gatewayServices('tg').value.map((m) => [m.Service.Name, m.FromWildcard, m.ServiceKind, m.SNI])).toEqual([
      ['db', true, 'service', 'any'],
      ['ext', true, 'destination', 'any'],
    ]);
  });

  it('health/ingress answers the ingress gateways’ instances; a failing txn and a snapshot restore keep the index right', () => {
    const c = new Catalog();
    c.apply(2, reg('n1', 'web', 'web'));
    c.apply(3, sidecar('n1', 'web'));
    c.apply(4, gateway('n2', 'ig', 'ingress-gateway'));
    c.apply(5, gateway('n1', 'ig2', 'ingress-gateway'));
    put(c, 6, { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http' } });
    put(c, 7, ingress([{ Port: 8080, Protocol: 'http', Services: [{ Name: '*' }] }]));
    const r = c.checkIngressServiceNodes('web');
    expect(r.value.map((e) => [e.Node.Node, e.Service.ID, e.Service.Port])).toEqual([['n2', 'ig', 8443]]);
    expect(r.index).toBe(7);
    expect(c.checkIngressServiceNodes('other').value).toEqual([]);

    // A transaction that registers a proxied service and then fails leaves no mapping behind.
    const failed = c.apply(8, {
      Type: 'Txn', Now: 1,
      Ops: [
        { Service: { Verb: 'set', Node: 'n1', Service: { ID: 'api', Service: 'api' } } },
        { Service: { Verb: 'set', Node: 'n1', Service: { ID: 'api-proxy', Service: 'api-proxy', Kind: 'connect-proxy', Proxy: { DestinationServiceName: 'api' } } } },
        { Node: { Verb: 'get', Node: { Node: 'nope' } } },
      ],
    } as Command);
    expect(failed.ok).toBe(false);
    expect(c.gatewayServices('ig').value.map((m) => m.Service.Name)).toEqual(['web']);

    const back = Catalog.fromSnapshot(JSON.parse(JSON.stringify(c.snapshot())));
    expect(back.gatewayServices('ig')).toEqual(c.gatewayServices('ig'));
    expect(back.checkIngressServiceNodes('web').value).toEqual(r.value);
  });
});
