import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import type { RegisterCommand } from './commands.js';

function web(node = 'n1', id = 'web1', extra: Partial<RegisterCommand> = {}): RegisterCommand {
  return {
    Type: 'Register',
    Node: node,
    Address: '10.0.0.1',
    Service: { ID: id, Service: 'web', Port: 8080, Tags: ['primary'] },
    ...extra,
  };
}

describe('catalog register and JSON shapes', () => {
  it('returns Consul shapes for catalog/service, catalog/node and health/service', () => {
    const c = new Catalog();
    expect(
      c.apply(5, {
        Type: 'Register',
        Node: 'n1',
        Address: '10.0.0.1',
        Service: { ID: 'redis1', Service: 'redis', Port: 6379, Tags: ['primary'] },
        Checks: [
          { CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing', Output: 'Agent alive and reachable' },
          { CheckID: 'service:redis1', Name: "Service 'redis' check", Status: 'passing', ServiceID: 'redis1', Type: 'ttl' },
        ],
      }),
    ).toEqual({ ok: true, value: true });

    const node = { ID: '', Node: 'n1', Address: '10.0.0.1', Datacenter: 'dc1', TaggedAddresses: null, Meta: null, CreateIndex: 5, ModifyIndex: 5 };
    const service = {
      ID: 'redis1',
      Service: 'redis',
      Tags: ['primary'],
      Address: '',
      Meta: {},
      Port: 6379,
      Weights: { Passing: 1, Warning: 1 },
      EnableTagOverride: false,
      Proxy: { Mode: '', MeshGateway: {}, Expose: {} },
      Connect: {},
      PeerName: '',
      CreateIndex: 5,
      ModifyIndex: 5,
    };
    expect(JSON.stringify(c.node('n1').value)).toBe(JSON.stringify({ Node: node, Services: { redis1: service } }));
    expect(JSON.stringify(c.nodeServiceList('n1').value)).toBe(JSON.stringify({ Node: node, Services: [service] }));
    expect(JSON.stringify(c.serviceNodes('redis').value)).toBe(
      JSON.stringify([
        {
          ID: '',
          Node: 'n1',
          Address: '10.0.0.1',
          Datacenter: 'dc1',
          TaggedAddresses: null,
          NodeMeta: null,
          ServiceKind: '',
          ServiceID: 'redis1',
          ServiceName: 'redis',
          ServiceTags: ['primary'],
          ServiceAddress: '',
          ServiceWeights: { Passing: 1, Warning: 1 },
          ServiceMeta: {},
          ServicePort: 6379,
          ServiceSocketPath: '',
          ServiceEnableTagOverride: false,
          ServiceProxy: { Mode: '', MeshGateway: {}, Expose: {} },
          ServiceConnect: {},
          ServiceLocality: null,
          CreateIndex: 5,
          ModifyIndex: 5,
        },
      ]),
    );
    const serf = {
      Node: 'n1',
      CheckID: 'serfHealth',
      Name: 'Serf Health Status',
      Status: 'passing',
      Notes: '',
      Output: 'Agent alive and reachable',
      ServiceID: '',
      ServiceName: '',
      ServiceTags: [],
      Type: '',
      Interval: '',
      Timeout: '',
      ExposedPort: 0,
      Definition: {},
      CreateIndex: 5,
      ModifyIndex: 5,
    };
    const svcCheck = {
      ...serf,
      CheckID: 'service:redis1',
      Name: "Service 'redis' check",
      Output: '',
      ServiceID: 'redis1',
      ServiceName: 'redis',
      ServiceTags: ['primary'],
      Type: 'ttl',
    };
    expect(JSON.stringify(c.checkServiceNodes('redis').value)).toBe(JSON.stringify([{ Node: node, Service: service, Checks: [serf, svcCheck] }]));
    expect(c.serviceChecks('redis').value).toEqual([svcCheck]);
    expect(c.nodeChecks('n1').value).toEqual([serf, svcCheck]);
  });

  it('omits Port 0, empty Kind, SocketPath and TaggedAddresses in NodeService but keeps ServicePort', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'Register', Node: 'n1', Address: '10.0.0.1', Service: { Service: 'db' } });
    const svc = c.node('n1').value!.Services['db']!;
    expect(Object.keys(svc)).not.toContain('Port');
    expect(Object.keys(svc)).not.toContain('Kind');
    expect(Object.keys(svc)).not.toContain('SocketPath');
    expect(Object.keys(svc)).not.toContain('TaggedAddresses');
    expect(svc.ID).toBe('db'); // ID defaults to the name
    const sn = c.serviceNodes('db').value[0]!;
    expect(sn.ServicePort).toBe(0);
    expect(Object.keys(sn)).not.toContain('ServiceTaggedAddresses');
  });

  it('keeps service TaggedAddresses, Weights, Meta, Kind and EnableTagOverride', () => {
    const c = new Catalog({ datacenter: 'east' });
    c.apply(3, {
      Type: 'Register',
      Node: 'n1',
      Address: '10.0.0.1',
      TaggedAddresses: { lan: '10.0.0.1', wan: '1.2.3.4' },
      NodeMeta: { rack: 'r1' },
      Service: {
        Service: 'api',
        Kind: 'connect-proxy',
        TaggedAddresses: { lan: { Address: '10.0.0.1', Port: 80 } },
        Weights: { Passing: 10, Warning: 2 },
        Meta: { version: '2' },
        EnableTagOverride: true,
        Port: 80,
      },
    });
    const sn = c.serviceNodes('api').value[0]!;
    expect(sn.Datacenter).toBe('east');
    expect(sn.TaggedAddresses).toEqual({ lan: '10.0.0.1', wan: '1.2.3.4' });
    expect(sn.NodeMeta).toEqual({ rack: 'r1' });
    expect(sn.ServiceKind).toBe('connect-proxy');
    expect(sn.ServiceTaggedAddresses).toEqual({ lan: { Address: '10.0.0.1', Port: 80 } });
    expect(sn.ServiceWeights).toEqual({ Passing: 10, Warning: 2 });
    expect(sn.ServiceMeta).toEqual({ version: '2' });
    expect(sn.ServiceEnableTagOverride).toBe(true);
    const ns = c.node('n1').value!.Services['api']!;
    expect(ns.Kind).toBe('connect-proxy');
    expect(ns.TaggedAddresses).toEqual({ lan: { Address: '10.0.0.1', Port: 80 } });
  });

  it('reports Consul errors and changes nothing on a failed registration', () => {
    const c = new Catalog();
    expect(c.apply(1, { Type: 'Register', Node: '', Address: 'x' })).toEqual({ ok: false, error: 'Must provide node' });
    expect(c.apply(2, { Type: 'Register', Node: 'n1' })).toEqual({ ok: false, error: 'Must provide address if SkipNodeUpdate is not set' });
    expect(c.apply(3, { Type: 'Register', Node: 'n1', Address: 'a', Service: { ID: 'x', Service: '' } }).error).toBe(
      'Must provide service name with ID',
    );
    expect(c.apply(4, { Type: 'Register', Node: 'n1', Address: 'a', Service: { Service: 's', Address: '0.0.0.0' } }).error).toBe(
      'Invalid service address',
    );
    expect(c.apply(5, { Type: 'Register', Node: 'n1', Address: 'a', Check: { Name: 'c', ServiceID: 'nope' } }).error).toBe(
      'Missing service registration',
    );
    expect(c.apply(6, { Type: 'Register', Node: 'n1', Address: 'a', Check: { Name: 'c', Status: 'bad' } }).error).toBe(
      "Invalid check status: 'bad'",
    );
    expect(c.apply(7, { Type: 'Register', Node: 'n1', Address: 'a', Check: { Name: 'c', Node: 'n2' } }).error).toBe('check node "n2" does not match node "n1"');
    expect(c.apply(8, { Type: 'Register', Node: 'n1', Address: 'a', ID: 'not-a-uuid' }).error).toMatch(/^Bad node ID/);
    expect(c.nodes().value).toEqual([]);
    expect(c.tableIndex('nodes', 'services', 'checks')).toBe(0);
    expect(c.nodes().index).toBe(1); // never 0
  });

  it('defaults a check to critical, CheckID to Name, and binds it to the service', () => {
    const c = new Catalog();
    c.apply(1, { ...web(), Check: { Name: 'alive', ServiceID: 'web1' } });
    const check = c.getCheck('n1', 'alive')!;
    expect(check.Status).toBe('critical');
    expect(check.ServiceName).toBe('web');
    expect(check.ServiceTags).toEqual(['primary']);
  });

  it('does not bump indexes for an identical re-registration, keeps CreateIndex on change', () => {
    const c = new Catalog();
    c.apply(1, web());
    c.apply(2, web());
    expect(c.serviceNodes('web').value[0]!.ModifyIndex).toBe(1);
    expect(c.serviceNodes('web').index).toBe(1);
    expect(c.nodes().index).toBe(1);
    c.apply(3, web('n1', 'web1', { Service: { ID: 'web1', Service: 'web', Port: 9090 } }));
    const sn = c.serviceNodes('web').value[0]!;
    expect([sn.CreateIndex, sn.ModifyIndex, sn.ServicePort]).toEqual([1, 3, 9090]);
    expect(c.nodes().index).toBe(1); // node untouched
  });

  it('SkipNodeUpdate leaves an existing node alone but creates a missing one', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'Register', Node: 'n1', Address: '10.0.0.1', NodeMeta: { a: 'b' } });
    c.apply(2, { Type: 'Register', Node: 'n1', SkipNodeUpdate: true, Address: '9.9.9.9', Service: { Service: 's' } });
    expect(c.getNode('n1')).toMatchObject({ Address: '10.0.0.1', Meta: { a: 'b' }, ModifyIndex: 1 });
    expect(c.getService('n1', 's')).toBeDefined();
    c.apply(3, { Type: 'Register', Node: 'n2', SkipNodeUpdate: true, Address: '10.0.0.2' });
    expect(c.getNode('n2')?.Address).toBe('10.0.0.2');
  });

  it('matches node, service and check names case-insensitively', () => {
    const c = new Catalog();
    c.apply(1, web('Node-A'));
    expect(c.getNode('node-a')?.Node).toBe('Node-A');
    expect(c.serviceNodes('WEB').value).toHaveLength(1);
    expect(c.getService('NODE-A', 'WEB1')?.ID).toBe('web1');
  });

  it('filters by tags (all must match, case-insensitive) and node meta', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'Register', Node: 'a', Address: '1', NodeMeta: { rack: 'r1' }, Service: { ID: 'w1', Service: 'web', Tags: ['v1', 'Primary'] } });
    c.apply(2, { Type: 'Register', Node: 'b', Address: '2', NodeMeta: { rack: 'r2' }, Service: { ID: 'w2', Service: 'web', Tags: ['v1'] } });
    expect(c.serviceNodes('web', { tags: ['v1'] }).value.map((s) => s.ServiceID)).toEqual(['w1', 'w2']);
    expect(c.serviceNodes('web', { tags: ['v1', 'primary'] }).value.map((s) => s.ServiceID)).toEqual(['w1']);
    expect(c.serviceNodes('web', { tags: ['v2'] }).value).toEqual([]);
    expect(c.serviceNodes('web', { nodeMeta: { rack: 'r2' } }).value.map((s) => s.ServiceID)).toEqual(['w2']);
    expect(c.checkServiceNodes('web', { tags: ['PRIMARY'] }).value.map((e) => e.Service.ID)).toEqual(['w1']);
    expect(c.nodes({ nodeMeta: { rack: 'r1' } }).value.map((n) => n.Node)).toEqual(['a']);
    expect(c.services({ nodeMeta: { rack: 'r2' } }).value).toEqual({ web: ['v1'] });
  });

  it('groups catalog/services tags, deduplicated, [] for none', () => {
    const c = new Catalog();
    expect(c.services().value).toEqual({});
    c.apply(1, { Type: 'Register', Node: 'a', Address: '1', Service: { ID: 'r1', Service: 'redis', Tags: ['primary', 'v1'] } });
    c.apply(2, { Type: 'Register', Node: 'b', Address: '2', Service: { ID: 'r2', Service: 'redis', Tags: ['v1'] } });
    c.apply(3, { Type: 'Register', Node: 'b', Address: '2', Service: { Service: 'consul' } });
    expect(c.services().value).toEqual({ consul: [], redis: ['primary', 'v1'] });
    expect(c.services().index).toBe(3);
  });

  it('answers unknown names as Consul: null node, {Node:null,Services:null}, []', () => {
    const c = new Catalog();
    c.apply(1, web());
    expect(c.node('nope').value).toBeNull();
    expect(c.nodeServiceList('nope').value).toEqual({ Node: null, Services: null });
    expect(c.serviceNodes('nope').value).toEqual([]);
    expect(c.checkServiceNodes('nope').value).toEqual([]);
    expect(c.nodeChecks('nope').value).toEqual([]);
    expect(c.serviceNodes('nope').index).toBeGreaterThanOrEqual(1);
  });

  it('finds health/node by node ID too', () => {
    const c = new Catalog();
    const id = '40e4a748-2192-161a-0510-9bf59fe950b5';
    c.apply(1, { Type: 'Register', Node: 'n1', ID: id, Address: '1', Check: { Name: 'c', Status: 'passing' } });
    expect(c.nodeChecks(id).value.map((x) => x.CheckID)).toEqual(['c']);
  });

  it('sorts nodes by name and instances by node then ID', () => {
    const c = new Catalog();
    c.apply(1, web('zeta', 'b'));
    c.apply(2, web('alpha', 'z'));
    c.apply(3, web('alpha', 'a'));
    expect(c.nodes().value.map((n) => n.Node)).toEqual(['alpha', 'zeta']);
    expect(c.serviceNodes('web').value.map((s) => `${s.Node}/${s.ServiceID}`)).toEqual(['alpha/a', 'alpha/z', 'zeta/b']);
  });
});

describe('health', () => {
  function setup(): Catalog {
    const c = new Catalog();
    c.apply(1, { ...web('a', 'w1'), Checks: [{ Name: 'serfHealth', Status: 'passing' }, { Name: 'http', ServiceID: 'w1', Status: 'passing' }] });
    c.apply(2, { ...web('b', 'w2'), Checks: [{ Name: 'serfHealth', Status: 'passing' }, { Name: 'http', ServiceID: 'w2', Status: 'warning' }] });
    c.apply(3, { ...web('c', 'w3'), Checks: [{ Name: 'serfHealth', Status: 'critical' }, { Name: 'http', ServiceID: 'w3', Status: 'passing' }] });
    c.apply(4, { ...web('d', 'w4'), Checks: [{ Name: 'serfHealth', Status: 'passing' }] });
    return c;
  }

  it('?passing drops warning and node-level failures; without it every instance is returned', () => {
    const c = setup();
    expect(c.checkServiceNodes('web').value.map((e) => e.Service.ID)).toEqual(['w1', 'w2', 'w3', 'w4']);
    expect(c.checkServiceNodes('web', { passing: true }).value.map((e) => e.Service.ID)).toEqual(['w1', 'w4']);
  });

  it('health/checks holds only service-bound checks; health/state filters by status', () => {
    const c = setup();
    expect(c.serviceChecks('web').value.map((x) => `${x.Node}:${x.CheckID}`)).toEqual(['a:http', 'b:http', 'c:http']);
    expect(c.checksInState('critical').value.map((x) => `${x.Node}:${x.CheckID}`)).toEqual(['c:serfHealth']);
    expect(c.checksInState('warning').value.map((x) => `${x.Node}:${x.CheckID}`)).toEqual(['b:http']);
    expect(c.checksInState('any').value).toHaveLength(7);
    expect(c.checksInState('bogus').value).toEqual([]);
  });

  it('CheckStatus updates status and output, bumps the service index, keeps output when absent', () => {
    const c = setup();
    expect(c.apply(10, { Type: 'CheckStatus', Node: 'b', CheckID: 'http', Status: 'passing', Output: 'ok' })).toEqual({ ok: true, value: true });
    expect(c.getCheck('b', 'http')).toMatchObject({ Status: 'passing', Output: 'ok', CreateIndex: 2, ModifyIndex: 10 });
    expect(c.checkServiceNodes('web').index).toBe(10);
    c.apply(11, { Type: 'CheckStatus', Node: 'b', CheckID: 'http', Status: 'critical' });
    expect(c.getCheck('b', 'http')).toMatchObject({ Status: 'critical', Output: 'ok' });
    expect(c.apply(12, { Type: 'CheckStatus', Node: 'b', CheckID: 'nope', Status: 'passing' }).ok).toBe(false);
    expect(c.apply(13, { Type: 'CheckStatus', Node: 'b', CheckID: 'http', Status: 'meh' }).ok).toBe(false);
  });

  it('a node-level check change moves the index of every service on the node only', () => {
    const c = setup();
    c.apply(5, { Type: 'Register', Node: 'x', Address: '9', Service: { Service: 'other' } });
    c.apply(20, { Type: 'CheckStatus', Node: 'a', CheckID: 'serfHealth', Status: 'critical' });
    expect(c.checkServiceNodes('web').index).toBe(20);
    expect(c.checkServiceNodes('other').index).toBe(5);
  });

  it('re-registering a service with new tags updates its checks ServiceTags', () => {
    const c = setup();
    c.apply(30, { Type: 'Register', Node: 'a', Address: '10.0.0.1', Service: { ID: 'w1', Service: 'web', Port: 8080, Tags: ['v2'] } });
    expect(c.getCheck('a', 'http')).toMatchObject({ ServiceTags: ['v2'], ModifyIndex: 30 });
  });
});

describe('deregister', () => {
  it('with ServiceID removes the service and its checks only', () => {
    const c = new Catalog();
    c.apply(1, { ...web(), Checks: [{ Name: 'node' }, { Name: 'svc', ServiceID: 'web1' }] });
    expect(c.apply(2, { Type: 'Deregister', Node: 'n1', ServiceID: 'web1' })).toEqual({ ok: true, value: true });
    expect(c.serviceNodes('web').value).toEqual([]);
    expect(c.serviceNodes('web').index).toBe(2);
    expect(c.nodeChecks('n1').value.map((x) => x.CheckID)).toEqual(['node']);
    expect(c.getNode('n1')).toBeDefined();
  });

  it('with CheckID removes one check; without either removes the node and everything on it', () => {
    const c = new Catalog();
    c.apply(1, { ...web(), Checks: [{ Name: 'node' }, { Name: 'svc', ServiceID: 'web1' }] });
    c.apply(2, { Type: 'Deregister', Node: 'n1', CheckID: 'svc' });
    expect(c.nodeChecks('n1').value.map((x) => x.CheckID)).toEqual(['node']);
    c.apply(3, { Type: 'Deregister', Node: 'n1' });
    expect(c.nodes().value).toEqual([]);
    expect(c.nodeChecks('n1').value).toEqual([]);
    expect(c.services().value).toEqual({});
    expect(c.nodes().index).toBe(3);
  });

  it('is a no-op returning true for unknown things', () => {
    const c = new Catalog();
    c.apply(1, web());
    expect(c.apply(2, { Type: 'Deregister', Node: 'ghost' })).toEqual({ ok: true, value: true });
    expect(c.apply(3, { Type: 'Deregister', Node: 'n1', ServiceID: 'ghost' })).toEqual({ ok: true, value: true });
    expect(c.tableIndex('nodes', 'services', 'checks')).toBe(1);
  });
});

describe('apply', () => {
  it('refuses a log index that goes backwards and reports unknown commands', () => {
    const c = new Catalog();
    c.apply(5, web());
    expect(() => c.apply(4, web())).toThrow(/behind/);
    expect(() => c.apply(0, web())).toThrow();
    expect(c.apply(6, { Type: 'Nope' } as never).ok).toBe(false);
    expect(c.lastIndex).toBe(6);
  });

  it('applies a Batch at one index with one result per command', () => {
    const c = new Catalog();
    const r = c.apply(7, { Type: 'Batch', Commands: [web('a'), { Type: 'Register', Node: '' }, web('b')] });
    expect(r.results?.map((x) => x.ok)).toEqual([true, false, true]);
    expect(c.nodes().value.map((n) => n.ModifyIndex)).toEqual([7, 7]);
  });
});

describe('stats', () => {
  it('counts the tables', () => {
    const c = new Catalog();
    c.apply(1, { ...web('a', 'w1'), Checks: [{ Name: 'x' }, { Name: 'y', ServiceID: 'w1' }] });
    c.apply(2, web('b', 'w2'));
    c.apply(3, { Type: 'KV', Verb: 'set', Key: 'k' });
    c.apply(4, { Type: 'KV', Verb: 'set', Key: 'j' });
    c.apply(5, { Type: 'KV', Verb: 'delete', Key: 'j' });
    c.apply(6, { Type: 'SessionCreate', Session: { ID: 's', Node: 'a' } });
    expect(c.stats()).toEqual({
      lastIndex: 6,
      nodes: 2,
      serviceInstances: 2,
      serviceNames: 1,
      checks: 2,
      kvEntries: 1,
      tombstones: 1,
      sessions: 1,
      watchers: 0,
    });
  });
});

describe('health/service check order', () => {
  it('lists node-level checks first, then the instance checks, each by CheckID', () => {
    const c = new Catalog();
    c.apply(1, {
      Type: 'Register',
      Node: 'n1',
      Address: '1',
      Service: { ID: 'api', Service: 'api' },
      Checks: [
        { CheckID: 'a-svc', Name: 'a', ServiceID: 'api', Status: 'passing' },
        { CheckID: 'serfHealth', Name: 's', Status: 'passing' },
        { CheckID: '_node_maintenance', Name: 'm', Status: 'passing' },
      ],
    });
    expect(c.checkServiceNodes('api').value[0]!.Checks.map((x) => x.CheckID)).toEqual(['_node_maintenance', 'serfHealth', 'a-svc']);
  });
});

describe('checks moving between node level and services', () => {
  it('moves the index of every service that saw the check before or after', () => {
    const c = new Catalog();
    c.apply(2, { Type: 'Register', Node: 'n1', Address: '1', Service: { Service: 'web' }, Check: { CheckID: 'c', Name: 'c', Status: 'passing' } });
    c.apply(3, { Type: 'Register', Node: 'n1', Address: '1', Service: { Service: 'db' } });
    expect(c.checkServiceNodes('db').value[0]!.Checks.map((x) => x.CheckID)).toEqual(['c']);
    // The node-level check becomes a check of `web`: `db` no longer sees it.
    c.apply(4, { Type: 'Register', Node: 'n1', Address: '1', Check: { CheckID: 'c', Name: 'c', Status: 'passing', ServiceID: 'web' } });
    expect(c.checkServiceNodes('db')).toMatchObject({ index: 4 });
    expect(c.checkServiceNodes('db').value[0]!.Checks).toEqual([]);
    // And from `web` to `db`.
    c.apply(5, { Type: 'Register', Node: 'n1', Address: '1', Check: { CheckID: 'c', Name: 'c', Status: 'passing', ServiceID: 'db' } });
    expect(c.checkServiceNodes('web')).toMatchObject({ index: 5, value: [{ Checks: [] }] });
    expect(c.checkServiceNodes('db').value[0]!.Checks.map((x) => x.ServiceName)).toEqual(['db']);
  });

  it('a service check turning critical invalidates sessions linked through ServiceChecks', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'Register', Node: 'n1', Address: '1', Service: { Service: 'web' }, Check: { CheckID: 'w', Name: 'w', Status: 'passing', ServiceID: 'web' } });
    c.apply(2, { Type: 'SessionCreate', Session: { ID: 's', Node: 'n1', NodeChecks: [], ServiceChecks: [{ ID: 'w', Namespace: '' }] } });
    c.apply(3, { Type: 'CheckStatus', Node: 'n1', CheckID: 'w', Status: 'critical', Now: 5 });
    expect(c.sessionList().value).toEqual([]);
  });

  it('refuses a node ID already used by another node', () => {
    const c = new Catalog();
    const id = '40e4a748-2192-161a-0510-9bf59fe950b5';
    c.apply(1, { Type: 'Register', Node: 'n1', ID: id, Address: '1' });
    const r = c.apply(2, { Type: 'Register', Node: 'n2', ID: id, Address: '2' });
    expect(r.ok).toBe(false);
    expect(c.getNode('n2')).toBeUndefined();
    // Re-registering the same node without an ID keeps its ID.
    c.apply(3, { Type: 'Register', Node: 'n1', Address: '1' });
    expect(c.getNode('n1')?.ID).toBe(id);
  });
});
