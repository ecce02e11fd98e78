// Agent endpoints against the real process: local services and checks, TTL updates,
// maintenance mode, hash-blocking service reads, sessions, events, txn, metrics, UI, reload.
import { hostname } from 'node:os';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, sleep, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IP = '127.0.1.13';
const dir = tempDir('proconsul-agent-api-');
let agent: AgentProcess;

beforeAll(async () => {
  // A config file with a service: config services are loaded at start and on reload.
  writeFileSync(join(dir.path, 'svc.json'), JSON.stringify({ service: { name: 'fromfile', port: 7000 } }));
  agent = await startAgentProcess(
    ['-dev', '-client', IP, '-bind', IP, '-node', 'api', '-dns-port', '-1', '-ui', '-config-dir', dir.path],
    `${IP}:8500`,
  );
});
afterAll(async () => {
  await agent?.stop();
  dir.remove();
});

const put = (path: string, body?: unknown) => http(agent.base, 'PUT', path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
const get = (path: string) => http(agent.base, 'GET', path);

describe('agent endpoints', () => {
  it('lists local services and checks in Consul shapes', async () => {
    expect((await put('/v1/agent/service/register', { ID: 'r1', Name: 'redis', Tags: ['primary'], Port: 6379, Meta: { v: '7' } })).status).toBe(200);
    const services = (await get('/v1/agent/services')).json();
    expect(services.r1).toEqual({
      ID: 'r1',
      Service: 'redis',
      Tags: ['primary'],
      Meta: { v: '7' },
      Port: 6379,
      Address: '',
      Weights: { Passing: 1, Warning: 1 },
      EnableTagOverride: false,
      Datacenter: 'dc1',
    });
    expect(services.fromfile).toMatchObject({ Service: 'fromfile', Port: 7000 });
    await eventually(async () => (await get('/v1/catalog/service/redis')).json().length === 1, 'redis in the catalog');
    const [sn] = (await get('/v1/catalog/service/redis')).json();
    expect(sn).toMatchObject({ Node: 'api', Address: IP, ServiceID: 'r1', ServiceName: 'redis', ServiceTags: ['primary'], ServicePort: 6379 });
    expect((await put('/v1/agent/service/deregister/nope')).status).toBe(404);
  });

  it('honours ?filter on catalog, health and agent reads', async () => {
    const q = (f: string) => encodeURIComponent(f);
    expect(Object.keys((await get(`/v1/agent/services?filter=${q('Service == redis')}`)).json())).toEqual(['r1']);
    expect((await get(`/v1/catalog/services?filter=${q('ServiceTags contains "primary"')}`)).json()).toEqual({ redis: ['primary'] });
    expect((await get(`/v1/catalog/service/redis?filter=${q('ServicePort == 6380')}`)).json()).toEqual([]);
    expect((await get(`/v1/health/service/redis?filter=${q('Service.Port == 6379 and Node.Node == api')}`)).json()).toHaveLength(1);
    expect(Object.keys((await get(`/v1/catalog/node/api?filter=${q('Service == consul')}`)).json().Services)).toEqual(['consul']);
    // Into the Checks list of each entry (go-bexpr collection expressions, list indexes).
    expect((await get(`/v1/health/service/redis?filter=${q('any Checks as c { c.CheckID == serfHealth }')}`)).json()).toHaveLength(1);
    expect((await get(`/v1/health/service/redis?filter=${q('all Checks as c { c.Status == critical }')}`)).json()).toEqual([]);
    expect((await get(`/v1/health/service/redis?filter=${q('Checks.0.Node == api')}`)).json()).toHaveLength(1);
    const bad = await get(`/v1/catalog/nodes?filter=${q('Node ==')}`);
    expect([bad.status, bad.text.startsWith('Failed to create boolean expression evaluator: ')]).toEqual([500, true]);
  });

  it('drives a TTL check with pass/warn/fail/update', async () => {
    expect((await put('/v1/agent/check/register', { ID: 'r1-ttl', Name: 'redis ttl', ServiceID: 'r1', TTL: '30s' })).status).toBe(200);
    expect((await get('/v1/agent/checks')).json()['r1-ttl']).toMatchObject({ Status: 'critical', Type: 'ttl', ServiceID: 'r1', ServiceName: 'redis' });
    expect((await put('/v1/agent/check/pass/r1-ttl?note=all%20good')).status).toBe(200);
    expect((await get('/v1/agent/checks')).json()['r1-ttl']).toMatchObject({ Status: 'passing', Output: 'all good' });
    await eventually(async () => (await get('/v1/health/checks/redis')).json().some((c: { CheckID: string; Status: string }) => c.CheckID === 'r1-ttl' && c.Status === 'passing'), 'passing in catalog');
    expect((await put('/v1/agent/check/update/r1-ttl', { Status: 'warning', Output: 'disk 91%' })).status).toBe(200);
    expect((await get('/v1/agent/checks')).json()['r1-ttl']).toMatchObject({ Status: 'warning', Output: 'disk 91%' });
    const bad = await put('/v1/agent/check/update/r1-ttl', { Status: 'sideways' });
    expect([bad.status, bad.text]).toEqual([400, "Invalid check status: 'sideways'"]);
    expect((await put('/v1/agent/check/fail/nosuch')).status).toBe(404);
    expect((await put('/v1/agent/check/deregister/r1-ttl')).status).toBe(200);
    expect((await get('/v1/agent/checks')).json()['r1-ttl']).toBeUndefined();
  });

  // Consul's IsAlias() is AliasNode || AliasService (agent/structs/check_type.go): a check with only
  // AliasNode mirrors that node's own checks (node-consul's `aliasnode` sends exactly this).
  it('registers an alias check with only AliasNode and refuses an alias check with a TTL', async () => {
    const reg = await put('/v1/agent/service/register', { ID: 'aliased', Name: 'aliased', Checks: [{ Name: 'node alias', AliasNode: 'api' }] });
    expect([reg.status, reg.text]).toEqual([200, '']);
    const check = await eventually(async () => {
      const c = (await get('/v1/agent/checks')).json()['service:aliased'];
      return c?.Status === 'passing' ? c : undefined;
    }, 'the node alias to pass with the node');
    expect(check).toMatchObject({ Type: 'alias', Output: 'All checks passing.' });
    const bad = await put('/v1/agent/check/register', { Name: 'both', AliasNode: 'api', TTL: '10s' });
    expect([bad.status, bad.text]).toEqual([400, 'Invalid check: TTL must be not be set for Alias checks']);
    expect((await put('/v1/agent/service/deregister/aliased')).status).toBe(200);
  });

  it('maintenance mode adds critical checks that drop instances from ?passing', async () => {
    await eventually(async () => (await get('/v1/health/service/redis?passing')).json().length === 1, 'redis passing');
    expect((await put('/v1/agent/service/maintenance/r1?enable=true&reason=upgrading')).status).toBe(200);
    const checks = (await get('/v1/agent/checks')).json();
    expect(checks['_service_maintenance:r1']).toMatchObject({ Name: 'Service Maintenance Mode', Status: 'critical', Notes: 'upgrading', ServiceID: 'r1', Type: 'maintenance' });
    await eventually(async () => (await get('/v1/health/service/redis?passing')).json().length === 0, 'redis out of ?passing');
    const local = await get('/v1/agent/health/service/id/r1');
    expect([local.status, local.json().AggregatedStatus, local.json().Service.ID]).toEqual([503, 'maintenance', 'r1']);
    expect((await get('/v1/agent/health/service/name/redis?format=text')).text).toBe('maintenance');
    expect((await put('/v1/agent/service/maintenance/r1?enable=false')).status).toBe(200);
    const ok = await get('/v1/agent/health/service/name/redis');
    expect([ok.status, ok.json().map((h: { AggregatedStatus: string }) => h.AggregatedStatus)]).toEqual([200, ['passing']]);
    expect((await get('/v1/agent/health/service/id/nosuch')).status).toBe(404);
    await eventually(async () => (await get('/v1/health/service/redis?passing')).json().length === 1, 'redis back');

    expect((await put('/v1/agent/maintenance?enable=true')).status).toBe(200);
    expect((await get('/v1/agent/checks')).json()._node_maintenance.Notes).toBe(
      'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.',
    );
    await eventually(async () => (await get('/v1/health/service/redis?passing')).json().length === 0, 'node maintenance');
    expect((await put('/v1/agent/maintenance?enable=false')).status).toBe(200);
    expect((await put('/v1/agent/maintenance?enable=maybe')).text).toBe('Invalid value for enable: "maybe"');
  });

  it('blocks agent/service/:id on its content hash', async () => {
    const first = await get('/v1/agent/service/r1');
    const hash = first.headers.get('x-consul-contenthash');
    expect(first.json().ContentHash).toBe(hash);
    const pending = get(`/v1/agent/service/r1?hash=${hash}&wait=30s`);
    await sleep(100);
    await put('/v1/agent/service/register', { ID: 'r1', Name: 'redis', Tags: ['primary', 'v2'], Port: 6379 });
    const woke = await pending;
    expect(woke.json().Tags).toEqual(['primary', 'v2']);
    expect(woke.headers.get('x-consul-contenthash')).not.toBe(hash);
    expect((await get('/v1/agent/service/nosuch')).status).toBe(404);
  });

  it('sessions: create with defaults, info, renew, lock a key, destroy releases it', async () => {
    const created = await put('/v1/session/create', { Name: 'lock', TTL: '15s' });
    expect(created.status).toBe(200);
    const id = created.json().ID as string;
    const [info] = (await get(`/v1/session/info/${id}`)).json();
    expect(info).toMatchObject({ ID: id, Name: 'lock', Node: 'api', LockDelay: 15_000_000_000, Behavior: 'release', TTL: '15s', NodeChecks: ['serfHealth'] });
    expect((await put(`/v1/session/renew/${id}`)).json()[0].ID).toBe(id);
    expect((await put('/v1/session/renew/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await put(`/v1/kv/locks/leader?acquire=${id}`, 'me')).json()).toBe(true);
    const [locked] = (await get('/v1/kv/locks/leader')).json();
    expect(locked).toMatchObject({ Session: id, LockIndex: 1 });
    expect((await get('/v1/session/node/api')).json().map((s: { ID: string }) => s.ID)).toContain(id);
    expect((await put(`/v1/session/destroy/${id}`)).json()).toBe(true);
    const [released] = (await get('/v1/kv/locks/leader')).json();
    expect(released.Session).toBeUndefined();
    expect((await get(`/v1/session/info/${id}`)).json()).toEqual([]);
  });

  it('keeps uint64 KV flags exactly (Consul lock clients write 3304740253564472344)', async () => {
    const session = (await put('/v1/session/create', { Name: 'l' })).json().ID as string;
    expect((await put(`/v1/kv/lock/.lock?flags=3304740253564472344&acquire=${session}`, 'x')).json()).toBe(true);
    expect((await get('/v1/kv/lock/.lock')).text).toContain('"Flags":3304740253564472344');
    expect((await put('/v1/kv/flags/max?flags=18446744073709551615', 'x')).json()).toBe(true);
    expect((await get('/v1/kv/flags/max')).text).toContain('"Flags":18446744073709551615');
    expect((await put('/v1/kv/flags/over?flags=18446744073709551616', 'x')).status).toBe(400);
    const txn = await put('/v1/txn', '[{"KV":{"Verb":"set","Key":"flags/txn","Flags":9007199254740993,"Value":null}}]');
    expect(txn.status).toBe(200);
    expect((await get('/v1/kv/flags/txn')).text).toContain('"Flags":9007199254740993');
  });

  it('txn applies KV ops atomically and reports every failure with 409', async () => {
    const ok = await put('/v1/txn', [{ KV: { Verb: 'set', Key: 'tx/a', Value: Buffer.from('1').toString('base64') } }, { KV: { Verb: 'get', Key: 'tx/a' } }]);
    expect(ok.status).toBe(200);
    expect(ok.json().Results[1].KV.Value).toBe(Buffer.from('1').toString('base64'));
    const bad = await put('/v1/txn', [{ KV: { Verb: 'set', Key: 'tx/b', Value: null } }, { KV: { Verb: 'cas', Key: 'tx/a', Index: 1, Value: null } }]);
    expect(bad.status).toBe(409);
    expect(bad.json()).toEqual({ Results: null, Errors: [{ OpIndex: 1, What: expect.stringContaining('tx/a') }] });
    expect((await get('/v1/kv/tx/b')).status).toBe(404);
  });

  it('events: fire returns the event, list keeps it with a Lamport time and blocks on its index', async () => {
    const fired = (await put('/v1/event/fire/deploy?service=redis', 'v1.2.3')).json();
    expect(fired).toMatchObject({ Name: 'deploy', Payload: Buffer.from('v1.2.3').toString('base64'), ServiceFilter: 'redis', Version: 1, LTime: 0 });
    const list = await get('/v1/event/list?name=deploy');
    expect(list.json().at(-1)).toMatchObject({ ID: fired.ID, LTime: expect.any(Number) });
    expect(list.json().at(-1).LTime).toBeGreaterThan(0);
    const pending = get(`/v1/event/list?name=deploy&index=${list.headers.get('x-consul-index')}&wait=30s`);
    await sleep(100);
    const second = (await put('/v1/event/fire/deploy')).json();
    expect(second.Payload).toBeNull();
    expect((await pending).json().at(-1).ID).toBe(second.ID);
    // An event whose node filter does not match this node is answered but not kept here.
    const other = (await put('/v1/event/fire/deploy?node=^elsewhere$')).json();
    expect((await get('/v1/event/list?name=deploy')).json().map((e: { ID: string }) => e.ID)).not.toContain(other.ID);
  });

  it('self, members, metrics, join, UI', async () => {
    const self = (await get('/v1/agent/self')).json();
    expect(self.Config).toMatchObject({ Datacenter: 'dc1', NodeName: 'api', Server: true });
    expect(self.Member).toMatchObject({ Name: 'api', Addr: IP, Port: 8301, Status: 1 });
    expect((await get('/v1/agent/members')).json()).toHaveLength(1);
    const metrics = (await get('/v1/agent/metrics')).json();
    expect(Object.keys(metrics)).toEqual(['Timestamp', 'Gauges', 'Points', 'Counters', 'Samples']);
    // Gauges carry the hostname after the prefix unless telemetry.disable_hostname (go-metrics' EnableHostname, as Consul's).
    expect(metrics.Gauges.map((g: { Name: string }) => g.Name)).toContain(`consul.${hostname()}.runtime.alloc_bytes`);
    // Prometheus text on a default agent (Proconsul's default retention is 60 s; Consul's is 0).
    const prom = await get('/v1/agent/metrics?format=prometheus');
    expect(prom.status).toBe(200);
    expect(prom.text).toContain(`# TYPE consul_${hostname().replace(/[ .=\-/]/g, '_')}_runtime_alloc_bytes gauge\n`);
    expect(prom.text).toMatch(/^consul_http_GET_v1_agent_metrics_count [1-9]\d*$/m); // go-metrics' per-endpoint timer
    expect((await get('/v1/operator/raft/configuration')).json().Servers).toEqual([
      { ID: self.Config.NodeID, Node: 'api', Address: `${IP}:8300`, Leader: true, ProtocolVersion: '3', Voter: true },
    ]);
    const join = await put('/v1/agent/join/127.0.1.99');
    expect(join.status).toBe(500);
    const root = await fetch(`${agent.base}/`, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([301, '/ui/']);
    const ui = await get('/ui/');
    if (ui.status === 200) {
      // A built UI: deep links get index.html, a missing file is a 404.
      expect(ui.headers.get('content-type')).toMatch(/^text\/html/);
      expect((await get('/ui/dc1/services/web')).text).toBe(ui.text);
      expect((await get('/ui/assets/nope.js')).status).toBe(404);
    } else {
      expect([ui.status, ui.text]).toEqual([404, expect.stringMatching(/UI is not available/)]);
    }
  });

  it('anti-entropy puts back this node after a catalog deregistration', async () => {
    expect((await put('/v1/catalog/deregister', { Node: 'api' })).json()).toBe(true);
    expect((await get('/v1/catalog/node/api')).json()).toBeNull();
    await put('/v1/agent/service/register', { Name: 'poke', Port: 1 });
    await eventually(async () => {
      const node = (await get('/v1/catalog/node/api')).json();
      return node && ['consul', 'poke', 'r1'].every((id) => id in node.Services);
    }, 'node, consul service and local services back');
    expect((await get('/v1/health/node/api')).json().find((c: { CheckID: string }) => c.CheckID === 'serfHealth').Status).toBe('passing');
  });

  it('reload picks up a new service from the config dir', async () => {
    writeFileSync(join(dir.path, 'more.json'), JSON.stringify({ service: { name: 'added', port: 7001 } }));
    expect((await put('/v1/agent/reload')).status).toBe(200);
    expect(Object.keys((await get('/v1/agent/services')).json())).toContain('added');
    // A service dropped from the files goes on the next reload.
    rmSync(join(dir.path, 'svc.json'));
    expect((await put('/v1/agent/reload')).status).toBe(200);
    const after = Object.keys((await get('/v1/agent/services')).json());
    expect(after).toContain('added');
    expect(after).not.toContain('fromfile');
  });
});
