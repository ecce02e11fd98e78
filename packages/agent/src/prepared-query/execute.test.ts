import { describe, expect, it } from 'vitest';
import { Catalog, emptyPreparedQuery, type PreparedQuery, type ServiceEntry } from '@proconsul/catalog';
import { PreparedQueryExecutor, type ExecuteOptions, type ExecuteResponse } from './execute.js';
import { failoverTargets, type QuerySeams } from './failover.js';

const ID = '11111111-1111-4111-8111-111111111111';

function catalogWith(instances: Array<{ node: string; id: string; tags?: string[]; status?: string; meta?: Record<string, string>; nodeMeta?: Record<string, string> }>): Catalog {
  const c = new Catalog({ datacenter: 'dc1' });
  let idx = 1;
  for (const i of instances) {
    c.apply(idx++, {
      Type: 'Register',
      Node: i.node,
      Address: `10.0.0.${idx}`,
      NodeMeta: i.nodeMeta ?? null,
      Service: { ID: i.id, Service: 'web', Tags: i.tags ?? [], Meta: i.meta ?? null, Port: 80 },
      Check: { CheckID: `chk-${i.id}`, Name: 'c', ServiceID: i.id, Status: i.status ?? 'passing' },
    });
  }
  return c;
}

function create(c: Catalog, over: Partial<PreparedQuery['Service']> = {}, extra: Partial<PreparedQuery> = {}): void {
  const q = emptyPreparedQuery();
  const r = c.apply(c.lastIndex + 1, { Type: 'PreparedQuery', Op: 'create', Query: { ...q, ID, Name: 'q', ...extra, Service: { ...q.Service, Service: 'web', ...over } } });
  expect(r.ok).toBe(true);
}

const opts = (over: Partial<ExecuteOptions> = {}): ExecuteOptions => ({ limit: 0, connect: false, token: '', agent: { node: 'agent-node', datacenter: 'dc1' }, ...over });
const ids = (nodes: ServiceEntry[]): string[] => nodes.map((n) => n.Service.ID).sort();

/** A fake WAN side: known datacenters (nearest first) and what each answers; records the calls. */
function fakeRemote(nearest: string[], answers: Record<string, number | 'no-path'>) {
  const calls: string[] = [];
  const seams: Partial<QuerySeams> = {
    otherDatacenters: async () => nearest,
    executeRemote: async (dc, query, options): Promise<ExecuteResponse | 'no-path'> => {
      calls.push(`${dc}:${query.Service.Service}:${options.limit}`);
      const a = answers[dc];
      if (a === undefined || a === 'no-path') return 'no-path';
      const node = { ID: '', Node: `${dc}-n`, Address: '10.9.9.9', Datacenter: dc, TaggedAddresses: null, Meta: null, CreateIndex: 1, ModifyIndex: 1 };
      const nodes = Array.from({ length: a }, (_, i) => ({ Node: node, Service: { ID: `${dc}-${i}`, Service: 'web', Tags: [] }, Checks: [] }) as unknown as ServiceEntry);
      return { Service: 'web', Nodes: nodes, DNS: { TTL: '' }, Datacenter: dc, PeerName: '', Failovers: 0 };
    },
  };
  return { calls, seams };
}

describe('prepared query execution: local filters', () => {
  it('drops critical instances always, warning ones with OnlyPassing, unless the check is ignored', async () => {
    const c = catalogWith([
      { node: 'a', id: 'ok' },
      { node: 'b', id: 'warn', status: 'warning' },
      { node: 'c', id: 'crit', status: 'critical' },
    ]);
    create(c);
    const ex = new PreparedQueryExecutor({ catalog: c, datacenter: 'dc1' });
    expect(ids((await ex.execute('q', opts()))!.response.Nodes)).toEqual(['ok', 'warn']);
    c.apply(c.lastIndex + 1, { Type: 'PreparedQuery', Op: 'update', Query: { ...c.preparedQueries.get(ID)!, Service: { ...c.preparedQueries.get(ID)!.Service, OnlyPassing: true } } });
    expect(ids((await ex.execute('q', opts()))!.response.Nodes)).toEqual(['ok']);
    const q = c.preparedQueries.get(ID)!;
    c.apply(c.lastIndex + 1, { Type: 'PreparedQuery', Op: 'update', Query: { ...q, Service: { ...q.Service, IgnoreCheckIDs: ['chk-crit', 'chk-warn'] } } });
    expect(ids((await ex.execute('q', opts()))!.response.Nodes)).toEqual(['crit', 'ok', 'warn']);
  });

  it('requires every tag, excludes !tags (any case), and matches NodeMeta and ServiceMeta', async () => {
    const c = catalogWith([
      { node: 'a', id: 'p', tags: ['Primary', 'v1'], meta: { env: 'prod' }, nodeMeta: { rack: 'r1' } },
      { node: 'b', id: 'p-exp', tags: ['primary', 'experimental'], meta: { env: 'prod' }, nodeMeta: { rack: 'r1' } },
      { node: 'c', id: 's', tags: ['secondary'], meta: { env: 'dev' }, nodeMeta: { rack: 'r2' } },
    ]);
    create(c, { Tags: ['primary', '!EXPERIMENTAL'] });
    const ex = new PreparedQueryExecutor({ catalog: c, datacenter: 'dc1' });
    expect(ids((await ex.execute('q', opts()))!.response.Nodes)).toEqual(['p']);
    const q = c.preparedQueries.get(ID)!;
    c.apply(c.lastIndex + 1, { Type: 'PreparedQuery', Op: 'update', Query: { ...q, Service: { ...q.Service, Tags: null, ServiceMeta: { env: 'prod' }, NodeMeta: { rack: 'r1' } } } });
    expect(ids((await ex.execute('q', opts()))!.response.Nodes)).toEqual(['p', 'p-exp']);
  });

  it('shuffles, then puts the Near node first (_agent, _ip, a name); ?near overrides; limit applies last', async () => {
    const c = catalogWith(Array.from({ length: 8 }, (_, i) => ({ node: `n${i}`, id: `w${i}` })));
    create(c, { Near: '_agent' });
    const sorted: string[] = [];
    const ex = new PreparedQueryExecutor({
      catalog: c,
      datacenter: 'dc1',
      seams: { sortByDistance: async (source) => void sorted.push(source.node) },
    });
    const orders = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = (await ex.execute('q', opts({ agent: { node: 'N3', datacenter: 'dc1' } })))!.response;
      expect(r.Nodes[0]!.Node.Node).toBe('n3');
      orders.add(r.Nodes.map((n) => n.Node.Node).join());
    }
    expect(orders.size).toBeGreaterThan(1); // the rest is shuffled
    expect(sorted[0]).toBe('N3');
    const byIp = (await ex.execute('q', opts({ near: '_ip', sourceIp: c.getNode('n5')!.Address })))!.response;
    expect(byIp.Nodes[0]!.Node.Node).toBe('n5');
    const limited = (await ex.execute('q', opts({ near: 'n6', limit: 2 })))!.response;
    expect(limited.Nodes).toHaveLength(2);
    expect(limited.Nodes[0]!.Node.Node).toBe('n6');
  });

  it('with connect (the query\'s or ?connect) answers the Connect proxies of the service and its native instances', async () => {
    const c = catalogWith([{ node: 'a', id: 'plain' }]);
    c.apply(c.lastIndex + 1, { Type: 'Register', Node: 'a', Address: '10.0.0.2', Service: { ID: 'web-proxy', Service: 'web-sidecar-proxy', Kind: 'connect-proxy', Port: 21000, Proxy: { DestinationServiceName: 'web' } } });
    c.apply(c.lastIndex + 1, { Type: 'Register', Node: 'b', Address: '10.0.0.3', Service: { ID: 'web-native', Service: 'web', Port: 80, Connect: { Native: true } } });
    c.apply(c.lastIndex + 1, { Type: 'Register', Node: 'b', Address: '10.0.0.3', Service: { ID: 'db-proxy', Service: 'db-proxy', Kind: 'connect-proxy', Port: 21001, Proxy: { DestinationServiceName: 'db' } } });
    create(c);
    const ex = new PreparedQueryExecutor({ catalog: c, datacenter: 'dc1' });
    expect(ids((await ex.execute('q', opts()))!.response.Nodes)).toEqual(['plain', 'web-native']);
    expect(ids((await ex.execute('q', opts({ connect: true })))!.response.Nodes)).toEqual(['web-native', 'web-proxy']);
  });

  it('answers undefined for an unknown name, and refuses a template by ID', async () => {
    const c = catalogWith([{ node: 'a', id: 'x' }]);
    create(c, { Service: '${name.suffix}' }, { Name: 'tpl-', Template: { Type: 'name_prefix_match', Regexp: '', RemoveEmptyTags: false } });
    const ex = new PreparedQueryExecutor({ catalog: c, datacenter: 'dc1' });
    expect(await ex.execute('nope', opts())).toBeUndefined();
    expect((await ex.execute('tpl-web', opts()))!.response.Service).toBe('web');
    await expect(ex.execute(ID, opts())).rejects.toThrow('prepared query templates can only be resolved up by name, not by ID');
  });
});

describe('prepared query execution: failover', () => {
  const nothingHealthy = () => catalogWith([{ node: 'a', id: 'down', status: 'critical' }]);

  it('tries NearestN first, then the listed datacenters not tried and known, in order; counts the attempts', async () => {
    const c = nothingHealthy();
    create(c, { Failover: { NearestN: 2, Datacenters: ['dc4', 'dc2', 'dc9', 'dc5'], Targets: null } });
    const { calls, seams } = fakeRemote(['dc2', 'dc3', 'dc4', 'dc5'], { dc2: 0, dc3: 'no-path', dc4: 0, dc5: 3 });
    const ex = new PreparedQueryExecutor({ catalog: c, datacenter: 'dc1', seams });
    const r = (await ex.execute('q', opts({ limit: 7 })))!.response;
    // dc2, dc3 (nearest two), then dc4 and dc5 from the list (dc2 not again, dc9 unknown).
    expect(calls).toEqual(['dc2:web:7', 'dc3:web:7', 'dc4:web:7', 'dc5:web:7']);
    expect(r.Failovers).toBe(4);
    expect(r.Datacenter).toBe('dc5');
    expect(r.Nodes).toHaveLength(3);
  });

  it('stops at the first datacenter with instances', async () => {
    const c = nothingHealthy();
    create(c, { Failover: { NearestN: 0, Datacenters: ['dc3', 'dc2'], Targets: null } });
    const { calls, seams } = fakeRemote(['dc2', 'dc3'], { dc2: 1, dc3: 2 });
    const r = (await new PreparedQueryExecutor({ catalog: c, datacenter: 'dc1', seams }).execute('q', opts()))!.response;
    expect(calls).toEqual(['dc3:web:0']);
    expect(r).toMatchObject({ Datacenter: 'dc3', Failovers: 1 });
  });

  it('keeps the local answer (Failovers 0, no remote call) when the local datacenter has an instance', async () => {
    const c = catalogWith([{ node: 'a', id: 'up' }]);
    create(c, { Failover: { NearestN: 3, Datacenters: null, Targets: null } });
    const { calls, seams } = fakeRemote(['dc2'], { dc2: 5 });
    const r = (await new PreparedQueryExecutor({ catalog: c, datacenter: 'dc1', seams }).execute('q', opts()))!.response;
    expect(calls).toEqual([]);
    expect(r).toMatchObject({ Datacenter: 'dc1', Failovers: 0 });
  });

  it('with the default seams (no WAN pool) tries nothing and answers the local empty result', async () => {
    const c = nothingHealthy();
    create(c, { Failover: { NearestN: 2, Datacenters: ['dc2'], Targets: null } });
    const r = (await new PreparedQueryExecutor({ catalog: c, datacenter: 'dc1' }).execute('q', opts()))!.response;
    expect(r).toMatchObject({ Service: 'web', Nodes: [], Datacenter: 'dc1', Failovers: 0 });
  });

  it('orders Targets as listed; a peer target is always tried, an unknown datacenter never', () => {
    const q = emptyPreparedQuery();
    q.Service.Failover = { NearestN: 0, Datacenters: null, Targets: [{ Peer: 'p1', Datacenter: '' }, { Peer: '', Datacenter: 'dc3' }, { Peer: '', Datacenter: 'dcX' }] };
    expect(failoverTargets(q, ['dc2', 'dc3'])).toEqual([
      { datacenter: '', peer: 'p1' },
      { datacenter: 'dc3', peer: '' },
    ]);
  });
});

/** Imports `web` on node `pn1` (status `status`) from a peering named `west`, as the stream writes it. */
function importFromWest(c: Catalog, status: string): void {
  const src = new Catalog({ datacenter: 'dc9' });
  src.apply(1, {
    Type: 'Register', Node: 'pn1', Address: '10.8.0.1', Service: { ID: 'web-p', Service: 'web', Port: 81, Tags: ['v1'] },
    Check: { CheckID: 'chk', Name: 'c', ServiceID: 'web-p', Status: status },
  });
  const ID = '22222222-2222-4222-8222-222222222222';
  c.apply(c.lastIndex + 1, {
    Type: 'PeeringWrite',
    Peering: { ID, Name: 'west', Meta: null, State: 'ACTIVE', PeerID: 'p', PeerCAPems: [], PeerServerName: '', PeerServerAddresses: ['10.0.0.9:8300'], DeletedAt: '', RemoteDatacenter: 'dc9', EstablishmentSecret: '', StreamSecret: 's' },
  });
  expect(c.apply(c.lastIndex + 1, { Type: 'PeeringImport', ID, Services: { web: src.exportedInstances('web').value } }).ok).toBe(true);
}

describe('prepared query failover to cluster peers', () => {
  const peerTargets = { NearestN: 0, Datacenters: null, Targets: [{ Peer: 'west', Datacenter: '' }] };

  it('answers from the peer\'s imported instances, with PeerName set, no Datacenter and Failovers 1', async () => {
    const c = catalogWith([{ node: 'a', id: 'down', status: 'critical' }]);
    importFromWest(c, 'passing');
    create(c, { Failover: peerTargets });
    const r = (await new PreparedQueryExecutor({ catalog: c, datacenter: 'dc1' }).execute('q', opts()))!.response;
    expect(r).toMatchObject({ Service: 'web', Datacenter: '', PeerName: 'west', Failovers: 1 });
    expect(r.Nodes.map((n) => [n.Node.Node, n.Node.Datacenter, n.Service.ID, n.Service.PeerName])).toEqual([['pn1', 'dc9', 'web-p', 'west']]);
  });

  it('applies the query\'s health and tag filters to the peer\'s instances, then tries the next target', async () => {
    const c = catalogWith([{ node: 'a', id: 'down', status: 'critical' }]);
    importFromWest(c, 'critical');
    create(c, { Failover: { NearestN: 0, Datacenters: null, Targets: [{ Peer: 'west', Datacenter: '' }, { Peer: '', Datacenter: 'dc2' }] } });
    const { calls, seams } = fakeRemote(['dc2'], { dc2: 1 });
    const r = (await new PreparedQueryExecutor({ catalog: c, datacenter: 'dc1', seams }).execute('q', opts()))!.response;
    expect(calls).toEqual(['dc2:web:0']);
    // The datacenter that answered resets the peer's stamp.
    expect(r).toMatchObject({ Datacenter: 'dc2', PeerName: '', Failovers: 2 });
    expect(r.Nodes).toHaveLength(1);
  });

  it('counts a peer that exports nothing (or is no peering) as an attempt, leaving no instance', async () => {
    const c = catalogWith([{ node: 'a', id: 'down', status: 'critical' }]);
    create(c, { Failover: { NearestN: 0, Datacenters: null, Targets: [{ Peer: 'nope', Datacenter: '' }] } });
    const r = (await new PreparedQueryExecutor({ catalog: c, datacenter: 'dc1' }).execute('q', opts()))!.response;
    expect(r).toMatchObject({ Nodes: [], Datacenter: '', PeerName: 'nope', Failovers: 1 });
  });

  it('a query whose Service.Peer names a peer reads that peer\'s instances without failing over', async () => {
    const c = catalogWith([{ node: 'a', id: 'local' }]);
    importFromWest(c, 'passing');
    create(c, { Peer: 'west', Tags: ['v1'] });
    const r = (await new PreparedQueryExecutor({ catalog: c, datacenter: 'dc1' }).execute('q', opts()))!.response;
    expect(r).toMatchObject({ Datacenter: '', PeerName: 'west', Failovers: 0 });
    expect(ids(r.Nodes)).toEqual(['web-p']);
  });
});
