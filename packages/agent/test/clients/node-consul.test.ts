// The npm `consul` package (silas/node-consul 2.x), the most used Node client, driven against real
// Proconsul agents through every API group it offers: acl, agent (+ check, service), catalog
// (+ connect, node, service), event, health, kv, query, session, status, transaction and watch.
// Most groups run on one -dev agent; membership, join, force-leave, status and cross-node events run
// on the layout node-consul's own acceptance suite uses: one server with -bootstrap and two clients.
// Every call asserts what the agent really did (written then read, registered then found...).
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Consul from 'consul';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, sleep, startAgentProcess, tempDir, type AgentProcess } from '../helpers.js';

// node-consul's results are untyped JSON from the agent: read them as such. Its clients are used
// untyped too: its index.d.ts refuses options its JavaScript sends (kv.get's `buffer`, a check
// without `name`/`timeout`, `connect: { native }` without `sidecarservice`, `ctx`...).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const started: AgentProcess[] = [];
const clients: Consul[] = [];
const dirs: { remove(): void }[] = [];
afterAll(async () => {
  for (const c of clients) c.destroy();
  for (const a of started) await a.kill9();
  for (const d of dirs) d.remove();
});

function client(ip: string, opts: Record<string, unknown> = {}): Json {
  const c = new Consul({ host: ip, port: 8500, ...opts });
  clients.push(c);
  return c;
}

async function agent(ip: string, node: string, args: string[], waitForLeader = true): Promise<AgentProcess> {
  const a = await startAgentProcess(['-bind', ip, '-client', ip, '-node', node, '-dns-port', '-1', '-log-level', 'warn', ...args], `${ip}:8500`, { waitForLeader });
  started.push(a);
  return a;
}

/** The error a call rejects with (node-consul/papi put the HTTP response on it). */
async function failure(p: Promise<unknown>): Promise<{ message: string; statusCode: number; response: { body: unknown } }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!err) throw new Error('the call succeeded');
  return err as { message: string; statusCode: number; response: { body: unknown } };
}

/** papi's context that makes a call return [response, data] (how Watch reads X-Consul-Index). */
function withResponse(): EventEmitter & { includeResponse: true } {
  return Object.assign(new EventEmitter(), { includeResponse: true as const });
}

describe('node-consul against a -dev agent', () => {
  const IP = '127.0.104.1';
  const NODE = 'nc-dev';
  let consul: Json;
  beforeAll(async () => {
    await agent(IP, NODE, ['-dev']);
    consul = client(IP);
  }, 60_000);

  it('status: leader and peers', async () => {
    expect(await consul.status.leader()).toBe(`${IP}:8300`);
    expect(await consul.status.peers()).toEqual([`${IP}:8300`]);
  });

  it('agent: self, members, node maintenance, reload', async () => {
    const self: Json = await consul.agent.self();
    expect(self.Config.NodeName).toBe(NODE);
    expect(self.Config.Datacenter).toBe('dc1');
    expect(self.Member.Name).toBe(NODE);
    const members: Json[] = await consul.agent.members();
    expect(members.map((m) => [m.Name, m.Addr, m.Status])).toEqual([[NODE, IP, 1]]);

    await consul.agent.maintenance({ enable: true, reason: 'nc patching' });
    let checks: Json = await consul.agent.checks();
    expect(checks._node_maintenance.Status).toBe('critical');
    expect(checks._node_maintenance.Notes).toBe('nc patching');
    await consul.agent.maintenance(false);
    checks = await consul.agent.checks();
    expect(checks._node_maintenance).toBeUndefined();

    await expect(consul.agent.reload()).resolves.toBeUndefined();
  });

  it('agent.service and agent.check: register with checks, list, TTL pass/warn/fail, maintenance, deregister', async () => {
    await consul.agent.service.register({
      name: 'web',
      id: 'web1',
      tags: ['v1', 'blue'],
      meta: { team: 'nc' },
      address: '127.0.104.1',
      port: 8080,
      checks: [{ ttl: '30s', notes: 'heartbeat' }, { name: 'web alias', aliasnode: NODE }],
    });
    const services: Json = await consul.agent.services();
    expect(services.web1).toMatchObject({ ID: 'web1', Service: 'web', Tags: ['v1', 'blue'], Meta: { team: 'nc' }, Address: '127.0.104.1', Port: 8080 });

    // Consul names a service's checks service:<id>:<n> when it has more than one.
    let checks: Json = await consul.agent.check.list();
    expect(checks['service:web1:1']).toMatchObject({ ServiceID: 'web1', ServiceName: 'web', Status: 'critical', Notes: 'heartbeat' });
    expect(checks['service:web1:2']).toMatchObject({ ServiceID: 'web1', Name: 'web alias' });

    for (const [call, status] of [
      ['pass', 'passing'],
      ['warn', 'warning'],
      ['fail', 'critical'],
      ['pass', 'passing'],
    ] as const) {
      await consul.agent.check[call]({ id: 'service:web1:1', note: `now ${status}` });
      checks = await consul.agent.checks();
      expect([checks['service:web1:1'].Status, checks['service:web1:1'].Output]).toEqual([status, `now ${status}`]);
    }

    await consul.agent.service.maintenance({ id: 'web1', enable: true, reason: 'nc deploy' });
    checks = await consul.agent.checks();
    expect(checks['_service_maintenance:web1']).toMatchObject({ Status: 'critical', Notes: 'nc deploy', ServiceID: 'web1' });
    await consul.agent.service.maintenance({ id: 'web1', enable: false });
    expect((await consul.agent.checks())['_service_maintenance:web1']).toBeUndefined();

    // A standalone check tied to the service, then removed.
    await consul.agent.check.register({ name: 'disk', id: 'nc-disk', serviceid: 'web1', ttl: '10s', status: 'warning', notes: 'df' });
    checks = await consul.agent.checks();
    expect(checks['nc-disk']).toMatchObject({ Name: 'disk', ServiceID: 'web1', Status: 'warning', Notes: 'df' });
    await consul.agent.check.deregister('nc-disk');
    expect((await consul.agent.checks())['nc-disk']).toBeUndefined();

    // An unknown check is Consul's 404 with its text (papi keeps a text body under 80 characters
    // as the message, so the message is papi's 'not found' and the text is on the response).
    const err = await failure(consul.agent.check.pass('no-such-check'));
    expect([err.statusCode, err.message]).toEqual([404, 'not found']);
    expect(String(err.response.body)).toBe('Unknown check ID "no-such-check". Ensure that the check ID is passed, not the check name.');

    await consul.agent.service.deregister('web1');
    expect((await consul.agent.services()).web1).toBeUndefined();
    expect((await consul.agent.checks())['service:web1:1']).toBeUndefined();
  });

  it('catalog: datacenters, register/deregister, nodes, node services, services, service nodes, connect', async () => {
    expect(await consul.catalog.datacenters()).toEqual(['dc1']);
    // node-consul sends a node's taggedaddresses as {Address, Port} objects, but the catalog's
    // RegisterRequest.TaggedAddresses is map[string]string: Consul refuses that with 400, as we do.
    const tagged = await failure(consul.catalog.register({ node: 'nc-bad', address: '127.0.104.52', taggedaddresses: { lan: { address: '127.0.104.52' } } }));
    expect(tagged.statusCode).toBe(400);
    expect(tagged.response.body).toBe('Request decode failed: json: cannot unmarshal object into Go struct field RegisterRequest.TaggedAddresses of type string');
    await consul.catalog.register({
      node: 'nc-ext',
      address: '127.0.104.50',
      nodemeta: { rack: 'r1' },
      service: { id: 'db1', service: 'db', tags: ['primary'], meta: { engine: 'pg' }, address: '127.0.104.50', port: 5432 },
      check: { checkid: 'db-alive', name: 'db alive', serviceid: 'db1', status: 'passing', notes: 'external' },
    });
    const nodes: Json[] = await consul.catalog.nodes();
    const ext = nodes.find((n) => n.Node === 'nc-ext');
    expect(ext).toMatchObject({ Address: '127.0.104.50', Meta: { rack: 'r1' } });
    expect(nodes.map((n) => n.Node)).not.toContain('nc-bad');
    expect(nodes.map((n) => n.Node)).toContain(NODE);

    const nodeServices: Json = await consul.catalog.node.services('nc-ext');
    expect(nodeServices.Node.Node).toBe('nc-ext');
    expect(nodeServices.Services.db1).toMatchObject({ Service: 'db', Tags: ['primary'], Port: 5432, Meta: { engine: 'pg' } });

    const services: Json = await consul.catalog.services();
    expect(services.db).toEqual(['primary']);
    expect(services.consul).toEqual([]);

    const byTag: Json[] = await consul.catalog.service.nodes({ service: 'db', tag: 'primary' });
    expect(byTag.map((s) => [s.Node, s.ServiceID, s.ServiceAddress, s.ServicePort])).toEqual([['nc-ext', 'db1', '127.0.104.50', 5432]]);
    expect(await consul.catalog.service.nodes({ service: 'db', tag: 'replica' })).toEqual([]);

    // Connect: a Connect-native service is listed by /catalog/connect, a plain one is not.
    expect(await consul.catalog.connect.nodes('db')).toEqual([]);
    await consul.agent.service.register({ name: 'pay', id: 'pay1', port: 9090, connect: { native: true } });
    const pay: Json[] = await eventually(async () => {
      const list: Json[] = await consul.catalog.connect.nodes('pay');
      return list.length === 1 ? list : undefined;
    }, 'pay in /catalog/connect');
    expect(pay[0]).toMatchObject({ Node: NODE, ServiceID: 'pay1', ServicePort: 9090, ServiceConnect: { Native: true } });
    await consul.agent.service.deregister('pay1');

    // A service with a Connect sidecar: the sidecar proxy is what /catalog/connect lists.
    await consul.agent.service.register({ name: 'shop', id: 'shop1', port: 9191, connect: { sidecarservice: {} } });
    const proxies: Json[] = await eventually(async () => {
      const list: Json[] = await consul.catalog.connect.nodes('shop');
      return list.length === 1 ? list : undefined;
    }, 'the shop sidecar in /catalog/connect');
    expect(proxies[0]).toMatchObject({ ServiceKind: 'connect-proxy', ServiceID: 'shop1-sidecar-proxy', ServiceProxy: { DestinationServiceName: 'shop', LocalServicePort: 9191 } });
    expect((await consul.agent.services())['shop1-sidecar-proxy'].Kind).toBe('connect-proxy');
    await consul.agent.service.deregister('shop1');
    expect((await consul.agent.services())['shop1-sidecar-proxy']).toBeUndefined();

    await consul.catalog.deregister({ node: 'nc-ext', serviceid: 'db1' });
    expect((await consul.catalog.services()).db).toBeUndefined();
    expect((await consul.catalog.node.services('nc-ext')).Node.Node).toBe('nc-ext');
    await consul.catalog.deregister('nc-ext');
    expect((await consul.catalog.nodes()).map((n: Json) => n.Node)).not.toContain('nc-ext');
    // An unknown node is a 200 with a null body in Consul (CatalogNodeServices returns a nil
    // NodeServices); papi turns null into undefined.
    expect(await consul.catalog.node.services('nc-ext')).toBeUndefined();
  });

  it('health: node, checks, service with passing, state', async () => {
    await consul.agent.service.register({ name: 'api', id: 'api1', port: 7000, check: { ttl: '30s' } });
    const nodeChecks: Json[] = await consul.health.node(NODE);
    expect(nodeChecks.find((c) => c.CheckID === 'serfHealth')).toMatchObject({ Status: 'passing', Node: NODE });
    await eventually(async () => (await consul.health.checks('api')).length === 1, 'api check in the catalog');
    const checks: Json[] = await consul.health.checks('api');
    expect(checks[0]).toMatchObject({ CheckID: 'service:api1', ServiceName: 'api', Status: 'critical' });

    expect(await consul.health.service({ service: 'api', passing: true })).toEqual([]);
    const all: Json[] = await consul.health.service('api');
    expect(all.map((e) => e.Service.ID)).toEqual(['api1']);
    expect((await consul.health.state('critical')).map((c: Json) => c.CheckID)).toContain('service:api1');

    await consul.agent.check.pass('service:api1');
    const passing: Json[] = await eventually(async () => {
      const l: Json[] = await consul.health.service({ service: 'api', passing: true });
      return l.length === 1 ? l : undefined;
    }, 'api passing');
    expect(passing[0].Node.Node).toBe(NODE);
    expect(await consul.health.service({ service: 'api', tag: 'nope' })).toEqual([]);
    expect(passing[0].Checks.map((c: Json) => c.Status)).toEqual(['passing', 'passing']);
    expect((await consul.health.state('passing')).map((c: Json) => c.CheckID)).toEqual(expect.arrayContaining(['serfHealth', 'service:api1']));
    expect((await consul.health.state('any')).length).toBeGreaterThanOrEqual(2);
    expect((await consul.health.state('critical')).map((c: Json) => c.CheckID)).not.toContain('service:api1');
    await consul.agent.service.deregister('api1');
  });

  it('kv: set/get with flags, raw, keys with separator, cas, recurse, del', async () => {
    expect(await consul.kv.set('nc/a', 'one')).toBe(true);
    expect(await consul.kv.set({ key: 'nc/b/c', value: 'two', flags: 42 })).toBe(true);
    expect(await consul.kv.set('nc/b/d', '')).toBe(true);

    const a: Json = await consul.kv.get('nc/a');
    expect(a).toMatchObject({ Key: 'nc/a', Value: 'one', Flags: 0 });
    expect((await consul.kv.get('nc/b/c')).Flags).toBe(42);
    expect(await consul.kv.get('nc/b/d')).toMatchObject({ Key: 'nc/b/d', Value: null });
    const raw = await consul.kv.get({ key: 'nc/a', raw: true });
    expect(Buffer.isBuffer(raw) && raw.toString()).toBe('one');
    expect(await consul.kv.get({ key: 'nc/a', buffer: true })).toMatchObject({ Value: Buffer.from('one') });
    expect(await consul.kv.get('nc/missing')).toBeUndefined();

    expect(await consul.kv.keys('nc/')).toEqual(['nc/a', 'nc/b/c', 'nc/b/d']);
    expect(await consul.kv.keys({ key: 'nc/', separator: '/' })).toEqual(['nc/a', 'nc/b/']);

    // Check-and-set: a stale index loses, the current one wins; cas=0 only creates. The agent
    // answers `false`, but papi turns a falsy body into undefined (next(false, undefined, false)):
    // node-consul resolves a lost cas/acquire/delete to undefined against Consul too.
    expect(await consul.kv.set({ key: 'nc/a', value: 'stale', cas: a.ModifyIndex - 1 })).toBeUndefined();
    expect((await consul.kv.get('nc/a')).Value).toBe('one');
    expect(await consul.kv.set({ key: 'nc/a', value: 'three', cas: a.ModifyIndex })).toBe(true);
    expect(await consul.kv.set({ key: 'nc/a', value: 'again', cas: 0 })).toBeUndefined();
    expect((await consul.kv.get('nc/a')).Value).toBe('three');

    const tree: Json[] = await consul.kv.get({ key: 'nc/', recurse: true });
    expect(tree.map((e) => [e.Key, e.Value])).toEqual([
      ['nc/a', 'three'],
      ['nc/b/c', 'two'],
      ['nc/b/d', null],
    ]);

    // Delete with a stale cas is refused; with the current one it deletes.
    const b: Json = await consul.kv.get('nc/b/c');
    expect(await consul.kv.del({ key: 'nc/b/c', cas: b.ModifyIndex + 1000 })).toBeUndefined();
    expect((await consul.kv.get('nc/b/c')).Value).toBe('two');
    expect(await consul.kv.del({ key: 'nc/b/c', cas: b.ModifyIndex })).toBe(true);
    expect(await consul.kv.del('nc/a')).toBe(true);
    expect(await consul.kv.keys('nc/')).toEqual(['nc/b/d']);
    expect(await consul.kv.del({ key: 'nc/', recurse: true })).toBe(true);
    expect(await consul.kv.get({ key: 'nc/', recurse: true })).toBeUndefined();
  });

  it('session: create, info, node, list, renew, destroy; kv acquire/release', async () => {
    const { ID: s1 }: Json = await consul.session.create({ name: 'nc-lock', ttl: '30s', behavior: 'delete', lockdelay: '1s' });
    const info: Json = await consul.session.info(s1);
    expect(info).toMatchObject({ ID: s1, Name: 'nc-lock', Node: NODE, TTL: '30s', Behavior: 'delete', LockDelay: 1_000_000_000 });
    expect((await consul.session.node(NODE)).map((s: Json) => s.ID)).toContain(s1);
    expect((await consul.session.list()).map((s: Json) => s.ID)).toContain(s1);
    const renewed: Json[] = await consul.session.renew(s1);
    expect(renewed.map((s) => [s.ID, s.TTL])).toEqual([[s1, '30s']]);

    const { ID: s2 }: Json = await consul.session.create({ name: 'nc-other', node: NODE, checks: ['serfHealth'] });
    expect(await consul.session.info(s2)).toMatchObject({ Node: NODE, NodeChecks: ['serfHealth'], Behavior: 'release', TTL: '' });
    expect(await consul.kv.set({ key: 'nc-lock/leader', value: 'me', acquire: s1 })).toBe(true);
    expect(await consul.kv.set({ key: 'nc-lock/leader', value: 'you', acquire: s2 })).toBeUndefined(); // false, as papi returns it
    const held: Json = await consul.kv.get('nc-lock/leader');
    expect([held.Value, held.Session, held.LockIndex]).toEqual(['me', s1, 1]);
    expect(await consul.kv.set({ key: 'nc-lock/leader', value: 'me', release: s2 })).toBeUndefined();
    expect(await consul.kv.set({ key: 'nc-lock/leader', value: 'done', release: s1 })).toBe(true);
    const released: Json = await consul.kv.get('nc-lock/leader');
    expect([released.Value, released.Session]).toEqual(['done', undefined]);

    // behavior=delete: destroying the holder deletes the key it holds.
    expect(await consul.kv.set({ key: 'nc-lock/leader', value: 'again', acquire: s1 })).toBe(true);
    await consul.session.destroy(s1);
    expect(await consul.session.info(s1)).toBeUndefined();
    expect(await consul.kv.get('nc-lock/leader')).toBeUndefined();
    await consul.session.destroy(s2);
    expect((await consul.session.list()).map((s: Json) => s.ID)).not.toContain(s2);
  });

  it('event: fire with and without a payload, list by name', async () => {
    const fired: Json = await consul.event.fire('nc-deploy', 'v1.2.3');
    expect(fired).toMatchObject({ Name: 'nc-deploy', Payload: 'v1.2.3', NodeFilter: '', ServiceFilter: '', TagFilter: '' });
    const bare: Json = await consul.event.fire({ name: 'nc-ping', node: 'nc-d.v' });
    expect(bare).toMatchObject({ Name: 'nc-ping', Payload: null, NodeFilter: 'nc-d.v' });
    // An agent keeps only events whose filters match it (Consul's shouldProcessUserEvent): no
    // local service `nowhere`, so this one is fired but not listed here.
    const filtered: Json = await consul.event.fire({ name: 'nc-filtered', service: 'nowhere', tag: 'v1' });
    expect(filtered).toMatchObject({ ServiceFilter: 'nowhere', TagFilter: 'v1' });
    const binary = Buffer.from([0, 1, 2, 255]);
    const bin: Json = await consul.event.fire({ name: 'nc-bin', payload: binary });
    expect(Buffer.compare(bin.Payload, binary)).toBe(0);

    const listed: Json[] = await eventually(async () => {
      const l: Json[] = await consul.event.list('nc-deploy');
      return l.length === 1 ? l : undefined;
    }, 'the event in the list');
    expect(listed[0]).toMatchObject({ ID: fired.ID, Name: 'nc-deploy', Payload: 'v1.2.3' });
    const all: Json[] = await consul.event.list();
    expect(all.map((e) => e.ID)).toEqual(expect.arrayContaining([fired.ID, bare.ID, bin.ID]));
    expect(all.map((e) => e.ID)).not.toContain(filtered.ID);
  });

  it('query: create, get, list, update, execute, explain, destroy', async () => {
    await consul.agent.service.register({ name: 'search', id: 'search1', port: 7700, tags: ['fast'], check: { ttl: '30s', status: 'passing' } });
    await eventually(async () => (await consul.catalog.service.nodes('search')).length === 1, 'search in the catalog');

    const { ID: id }: Json = await consul.query.create({ name: 'nc-search', service: { service: 'search', onlypassing: true, tags: ['fast'] }, dns: { ttl: '10s' } });
    const got: Json = await consul.query.get(id);
    expect(got).toMatchObject({ ID: id, Name: 'nc-search', Service: { Service: 'search', OnlyPassing: true, Tags: ['fast'] }, DNS: { TTL: '10s' } });
    expect((await consul.query.list()).map((q: Json) => q.ID)).toContain(id);

    const run: Json = await consul.query.execute(id);
    expect(run.Service).toBe('search');
    expect(run.Nodes.map((n: Json) => n.Service.ID)).toEqual(['search1']);
    expect(run.DNS.TTL).toBe('10s');
    // Executing by name works as well.
    expect((await consul.query.execute('nc-search')).Nodes.length).toBe(1);

    await consul.query.update({ query: id, name: 'nc-search', service: { service: 'search', tags: ['slow'] } });
    const updated: Json = await consul.query.get(id);
    expect(updated.Service.Tags).toEqual(['slow']);
    expect((await consul.query.execute(id)).Nodes).toEqual([]);

    // node-consul reads explain's answer as a list (bodyItem) but Consul answers one object
    // {"Query": ...}: its explain() resolves to undefined against Consul too. The response is right.
    expect(await consul.query.explain(id)).toBeUndefined();
    const [res] = await consul.query.explain({ query: id, ctx: withResponse() });
    expect(res.body.Query).toMatchObject({ ID: id, Name: 'nc-search', Service: { Service: 'search' } });

    // A template query (name_prefix_match) with failover settings, executed by a matching name.
    const { ID: tpl }: Json = await consul.query.create({
      name: 'nc-tpl-',
      template: { type: 'name_prefix_match' },
      service: { service: '${name.suffix}', failover: { nearestn: 2, datacenters: ['dc2'] } },
    });
    expect(await consul.query.get(tpl)).toMatchObject({ Template: { Type: 'name_prefix_match' }, Service: { Failover: { NearestN: 2, Datacenters: ['dc2'] } } });
    const byTemplate: Json = await consul.query.execute('nc-tpl-search');
    expect([byTemplate.Service, byTemplate.Nodes.map((n: Json) => n.Service.ID)]).toEqual(['search', ['search1']]);
    await consul.query.destroy(tpl);

    await consul.query.destroy(id);
    expect((await consul.query.list()).map((q: Json) => q.ID)).not.toContain(id);
    expect((await failure(consul.query.get(id))).statusCode).toBe(404);
    await consul.agent.service.deregister('search1');
  });

  it('transaction: a KV txn commits; a failed cas rolls it back with 409 and the errors', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const ok: Json = await consul.transaction.create([
      { KV: { Verb: 'set', Key: 'txn/a', Value: b64('alpha'), Flags: 7 } },
      { KV: { Verb: 'set', Key: 'txn/b', Value: b64('beta') } },
      { KV: { Verb: 'get', Key: 'txn/a' } },
    ]);
    expect(ok.Errors).toBeNull();
    expect(ok.Results.length).toBe(3);
    expect(ok.Results[2].KV).toMatchObject({ Key: 'txn/a', Value: b64('alpha'), Flags: 7 });
    expect(await consul.kv.keys('txn/')).toEqual(['txn/a', 'txn/b']);

    const err = await failure(
      consul.transaction.create([
        { KV: { Verb: 'delete', Key: 'txn/b' } },
        { KV: { Verb: 'cas', Key: 'txn/a', Value: b64('lost'), Index: 1 } },
      ]),
    );
    expect(err.statusCode).toBe(409);
    const body = err.response.body as { Results: unknown; Errors: { OpIndex: number; What: string }[] };
    expect(body.Results).toBeNull();
    expect(body.Errors.map((e) => e.OpIndex)).toEqual([1]);
    // Rolled back: txn/b is still there and txn/a unchanged.
    expect(await consul.kv.keys('txn/')).toEqual(['txn/a', 'txn/b']);
    expect((await consul.kv.get('txn/a')).Value).toBe('alpha');
  });

  it('common options: dc, stale, consistent, filter, node-meta, near, wan, timeout, and the query meta', async () => {
    await consul.catalog.register({ node: 'nc-meta', address: '127.0.104.53', nodemeta: { rack: 'r9' }, service: { service: 'metasvc', port: 1 } });
    const names = (l: Json[]) => l.map((n) => n.Node);
    expect(names(await consul.catalog.nodes({ 'node-meta': 'rack:r9' }))).toEqual(['nc-meta']);
    expect(names(await consul.catalog.nodes({ filter: 'Meta.rack == "r9"' }))).toEqual(['nc-meta']);
    expect(names(await consul.catalog.nodes({ dc: 'dc1', stale: true }))).toContain('nc-meta');
    expect(names(await consul.catalog.nodes({ consistent: true }))).toContain('nc-meta');
    expect(names(await consul.catalog.service.nodes({ service: 'metasvc', near: '_agent' }))).toEqual(['nc-meta']);
    // An unknown datacenter is Consul's 500 "No path to datacenter".
    const noDc = await failure(consul.catalog.nodes({ dc: 'nowhere' }));
    expect([noDc.statusCode, String(noDc.response.body)]).toEqual([500, 'No path to datacenter']);
    // wan=1 lists the WAN pool, where a server is <node>.<dc>.
    const wan: Json[] = await consul.agent.members({ wan: true });
    expect(wan.map((m) => m.Name)).toEqual([`${NODE}.dc1`]);

    // A client-wide default (here stale) and a per-call timeout; parseQueryMeta reads the headers.
    const stale = client(IP, { defaults: { stale: true, timeout: '5s' } });
    const [res, nodes] = await stale.catalog.nodes({ ctx: withResponse() });
    expect(names(nodes)).toContain('nc-meta');
    const meta = (Consul as Json).parseQueryMeta(res); // in its JavaScript, not in its index.d.ts
    expect(BigInt(meta.LastIndex)).toBeGreaterThan(0n);
    expect(meta.KnownLeader).toBe(true);
    expect(meta.LastContact).toBe(0);
    await consul.catalog.deregister('nc-meta');
  });

  it('watch: a blocking kv.get and health.service each see a change within two seconds', async () => {
    const seen: { at: number; value: unknown }[] = [];
    const watch = consul.watch({ method: consul.kv.get, options: { key: 'nc-watch/k', wait: '30s' } });
    const errors: unknown[] = [];
    watch.on('change', (data: Json) => seen.push({ at: Date.now(), value: data?.Value }));
    watch.on('error', (e: unknown) => errors.push(e));
    try {
      // The first answer (a 404 for a key not yet written) carries an index: the watch starts there.
      await eventually(async () => seen.length >= 1, 'the first answer');
      await sleep(300); // the watch is now parked in a blocking query
      for (const value of ['one', 'two']) {
        const before = seen.length;
        const t0 = Date.now();
        await consul.kv.set('nc-watch/k', value);
        await eventually(async () => seen.length > before, `the watch to see ${value}`, 40, 50);
        expect(seen.at(-1)!.value).toBe(value);
        expect(seen.at(-1)!.at - t0).toBeLessThan(2_000);
        await sleep(200);
      }
      expect(errors).toEqual([]);
    } finally {
      watch.end();
    }

    const health = consul.watch({ method: consul.health.service, options: { service: 'watched', passing: true, wait: '30s' } });
    const instances: number[] = [];
    health.on('change', (data: Json[]) => instances.push(data.length));
    try {
      await eventually(async () => instances.length >= 1, 'the first health answer');
      expect(instances[0]).toBe(0);
      await sleep(300);
      const t0 = Date.now();
      await consul.agent.service.register({ name: 'watched', id: 'watched1', port: 1 });
      await eventually(async () => instances.at(-1) === 1, 'the health watch to see the instance', 40, 50);
      expect(Date.now() - t0).toBeLessThan(2_000);
    } finally {
      health.end();
      await consul.agent.service.deregister('watched1');
    }
  });
});

describe('node-consul ACL calls against an agent with ACLs enabled', () => {
  const IP = '127.0.104.10';
  let consul: Json;
  beforeAll(async () => {
    const d = tempDir('nc-acl-');
    dirs.push(d);
    const cfg = join(d.path, 'acl.json');
    writeFileSync(cfg, JSON.stringify({ acl: { enabled: true, default_policy: 'deny' } }));
    await agent(IP, 'nc-acl', ['-dev', '-config-file', cfg]);
    consul = client(IP);
  }, 60_000);

  it('bootstrap once, then the token works as a default; replication status; legacy endpoints are gone as in Consul', async () => {
    const boot: Json = await consul.acl.bootstrap();
    expect(boot.SecretID).toMatch(/^[0-9a-f-]{36}$/);
    expect(boot.Policies).toEqual([expect.objectContaining({ Name: 'global-management' })]);
    const again = await failure(consul.acl.bootstrap());
    expect(again.statusCode).toBe(403);
    expect(again.message).toMatch(/^Permission denied: ACL bootstrap no longer allowed \(reset index: \d+\)$/);

    // Without a token the default policy denies; with it as the client's default it works.
    expect((await failure(consul.kv.set('acl/k', 'v'))).statusCode).toBe(403);
    const admin = client(IP, { defaults: { token: boot.SecretID } });
    expect(await admin.kv.set('acl/k', 'v')).toBe(true);
    expect((await admin.kv.get('acl/k')).Value).toBe('v');

    const repl: Json = await admin.acl.replication();
    expect(repl).toMatchObject({ Enabled: false, Running: false, SourceDatacenter: '' });

    // node-consul still ships the pre-1.4 /v1/acl/create... calls; Consul 1.11 removed those
    // routes (agent/http_register.go has none), so it answers 404, and so does Proconsul.
    expect((await failure(admin.acl.legacy.list())).statusCode).toBe(404);
    expect((await failure(admin.acl.legacy.create({ name: 'old', type: 'client' }))).statusCode).toBe(404);
  });
});

describe('node-consul against one -bootstrap server and two clients', () => {
  const SERVER = '127.0.104.2';
  const C1 = '127.0.104.3';
  const C2 = '127.0.104.4';
  let c2: AgentProcess;
  beforeAll(async () => {
    const dir = (p: string) => {
      const d = tempDir(p);
      dirs.push(d);
      return d.path;
    };
    await agent(SERVER, 'nc-server', ['-server', '-bootstrap', '-data-dir', dir('nc-s-')]);
    await agent(C1, 'nc-client-1', ['-data-dir', dir('nc-c1-'), '-retry-join', SERVER, '-retry-interval', '1s']);
    // The second client starts alone: node-consul's agent.join brings it in.
    c2 = await agent(C2, 'nc-client-2', ['-data-dir', dir('nc-c2-')], false);
  }, 90_000);

  it('join, members, status, catalog nodes, events across nodes, cross-node watch, force-leave', async () => {
    const server = client(SERVER);
    const one = client(C1);
    const two = client(C2);

    await two.agent.join(SERVER);
    const alive = async (c: Json) => ((await c.agent.members()) as Json[]).filter((m) => m.Status === 1).map((m) => m.Name).sort();
    await eventually(async () => (await alive(one)).length === 3 && (await alive(two)).length === 3, 'three alive members', 150);
    expect(await alive(server)).toEqual(['nc-client-1', 'nc-client-2', 'nc-server']);
    const members: Json[] = await one.agent.members();
    expect(members.find((m) => m.Name === 'nc-server').Tags.role).toBe('consul');

    for (const c of [server, one, two]) {
      await eventually(async () => (await c.status.leader()) === `${SERVER}:8300`, 'the leader on every agent', 150);
      expect(await c.status.peers()).toEqual([`${SERVER}:8300`]);
    }
    await eventually(async () => (await one.catalog.nodes()).length === 3, 'three nodes in the catalog', 150);
    expect(((await two.catalog.nodes()) as Json[]).map((n) => n.Node).sort()).toEqual(['nc-client-1', 'nc-client-2', 'nc-server']);
    expect((await one.health.node('nc-client-2')).find((c: Json) => c.CheckID === 'serfHealth').Status).toBe('passing');

    // A session on a client's node, and a service registered on a client, seen from the other.
    const { ID: sid }: Json = await one.session.create({ name: 'nc-remote' });
    expect((await two.session.node('nc-client-1')).map((s: Json) => s.ID)).toEqual([sid]);
    await one.session.destroy(sid);
    await one.agent.service.register({ name: 'edge', id: 'edge1', port: 443 });
    await eventually(async () => (await two.catalog.service.nodes('edge')).length === 1, 'edge seen from the other client', 150);
    expect((await two.catalog.service.nodes('edge'))[0].Node).toBe('nc-client-1');

    // A user event fired on one client reaches the other through gossip.
    const fired: Json = await one.event.fire('nc-cluster', 'hello');
    const got: Json[] = await eventually(async () => {
      const l: Json[] = await two.event.list('nc-cluster');
      return l.length === 1 ? l : undefined;
    }, 'the event on the other client', 100);
    expect(got[0]).toMatchObject({ ID: fired.ID, Payload: 'hello' });

    // A watch through one client sees a write through the other within two seconds.
    const values: unknown[] = [];
    const watch = one.watch({ method: one.kv.get, options: { key: 'nc-cluster/k', wait: '30s' } });
    watch.on('change', (data: Json) => values.push(data?.Value));
    try {
      await eventually(async () => values.length >= 1, 'the first watch answer');
      await sleep(300);
      const t0 = Date.now();
      await two.kv.set('nc-cluster/k', 'from two');
      await eventually(async () => values.at(-1) === 'from two', 'the cross-node watch', 40, 50);
      expect(Date.now() - t0).toBeLessThan(2_000);
    } finally {
      watch.end();
    }

    // Kill the second client: once it is failed, force-leave makes it left.
    await c2.kill9();
    await eventually(async () => ((await server.agent.members()) as Json[]).find((m) => m.Name === 'nc-client-2').Status === 4, 'nc-client-2 failed', 300);
    await server.agent.forceLeave('nc-client-2');
    await eventually(async () => ((await server.agent.members()) as Json[]).find((m) => m.Name === 'nc-client-2')?.Status === 3, 'nc-client-2 left', 100);
    expect((await failure(server.agent.forceLeave('nc-nobody'))).statusCode).toBeGreaterThanOrEqual(400);
  }, 120_000);
});
