import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import type { RegisterCommand } from './commands.js';

function proxy(node: string, id: string, dest: string, port: number, extra: Record<string, unknown> = {}): RegisterCommand {
  return {
    Type: 'Register',
    Node: node,
    Address: node === 'n1' ? '10.0.0.1' : '10.0.0.2',
    Service: {
      ID: id,
      Service: `${dest}-sidecar-proxy`,
      Kind: 'connect-proxy',
      Port: port,
      Proxy: { DestinationServiceName: dest, DestinationServiceID: dest, LocalServiceAddress: '127.0.0.1', LocalServicePort: 8181, ...extra },
    },
  };
}

function plain(node: string, id: string, name: string, connect?: Record<string, unknown>): RegisterCommand {
  return { Type: 'Register', Node: node, Address: '10.0.0.1', Service: { ID: id, Service: name, Port: 8181, ...(connect ? { Connect: connect } : {}) } };
}

describe('connect index', () => {
  it('lists proxies by destination and Connect-native instances by name, not the typical instances', () => {
    const c = new Catalog();
    c.apply(1, plain('n1', 'socat', 'socat'));
    c.apply(2, proxy('n1', 'socat-sidecar-proxy', 'socat', 21000));
    c.apply(3, proxy('n2', 'socat-sidecar-proxy', 'SOCAT', 21001));
    c.apply(4, plain('n2', 'native', 'socat', { Native: true }));
    c.apply(5, proxy('n1', 'web-sidecar-proxy', 'web', 21002));

    const r = c.connectServiceNodes('socat');
    expect(r.value.map((s) => [s.Node, s.ServiceID, s.ServicePort])).toEqual([
      ['n1', 'socat-sidecar-proxy', 21000],
      ['n2', 'native', 8181],
      ['n2', 'socat-sidecar-proxy', 21001],
    ]);
    expect(r.value[0]!.ServiceKind).toBe('connect-proxy');
    expect(r.value[0]!.ServiceProxy).toEqual({
      DestinationServiceName: 'socat',
      DestinationServiceID: 'socat',
      LocalServiceAddress: '127.0.0.1',
      LocalServicePort: 8181,
      Mode: '',
      MeshGateway: {},
      Expose: {},
    });
    expect(r.index).toBe(4);
    expect(c.connectServiceNodes('web').value.map((s) => s.ServiceID)).toEqual(['web-sidecar-proxy']);
    expect(c.connectServiceNodes('nothing').value).toEqual([]);
    // The typical catalog read is by the proxy's own name.
    expect(c.serviceNodes('socat-sidecar-proxy').value).toHaveLength(2);
  });

  it('follows a proxy whose destination changes, and its removal, moving the index', () => {
    const c = new Catalog();
    c.apply(1, proxy('n1', 'p1', 'socat', 21000));
    expect(c.connectServiceNodes('socat').value).toHaveLength(1);
    c.apply(2, proxy('n1', 'p1', 'web', 21000));
    expect(c.connectServiceNodes('socat').value).toHaveLength(0);
    expect(c.connectServiceNodes('socat').index).toBe(2);
    expect(c.connectServiceNodes('web').value).toHaveLength(1);
    c.apply(3, { Type: 'Deregister', Node: 'n1', ServiceID: 'p1' });
    expect(c.connectServiceNodes('web').value).toHaveLength(0);
    expect(c.connectServiceNodes('web').index).toBe(3);
  });

  it('health/connect carries checks, honours passing, and a proxy check change wakes a blocked reader', async () => {
    const c = new Catalog();
    c.apply(1, { ...proxy('n1', 'p1', 'socat', 21000), Checks: [{ CheckID: 'listen', Name: 'Connect Sidecar Listening', ServiceID: 'p1', Status: 'critical' }] });
    const first = c.checkConnectServiceNodes('socat');
    expect(first.value[0]!.Checks.map((ch) => ch.CheckID)).toEqual(['listen']);
    expect(c.checkConnectServiceNodes('socat', { passing: true }).value).toEqual([]);
    const woke = c.blockingQuery(() => c.checkConnectServiceNodes('socat', { passing: true }), first.index);
    c.apply(2, { Type: 'CheckStatus', Node: 'n1', CheckID: 'listen', Status: 'passing' });
    const after = await woke;
    expect(after.index).toBe(2);
    expect(after.value.map((e) => e.Service.ID)).toEqual(['p1']);
  });

  it('is rebuilt from a snapshot', () => {
    const c = new Catalog();
    c.apply(1, proxy('n1', 'p1', 'socat', 21000, { Upstreams: [{ DestinationName: 'db', LocalBindPort: 9191 }] }));
    const restored = Catalog.fromSnapshot(JSON.parse(JSON.stringify(c.snapshot())));
    expect(restored.connectServiceNodes('socat').value).toEqual(c.connectServiceNodes('socat').value);
    expect(restored.connectServiceNodes('socat').value[0]!.ServiceProxy.Upstreams).toEqual([
      { DestinationType: '', DestinationName: 'db', Datacenter: '', LocalBindPort: 9191, MeshGateway: {} },
    ]);
  });

  it('drops a proxy from the index when a failed transaction is rolled back', () => {
    const c = new Catalog();
    c.apply(1, proxy('n1', 'p1', 'socat', 21000));
    const r = c.apply(2, {
      Type: 'Txn',
      Ops: [
        { Node: { Verb: 'delete', Node: { Node: 'n1' } } },
        { KV: { Verb: 'cas', Key: 'k', Index: 99, Value: '' } },
      ],
    } as never);
    expect(JSON.stringify(r)).toContain("index is stale");
    expect(c.connectServiceNodes('socat').value.map((s) => s.ServiceID)).toEqual(['p1']);
  });
});
