// Issue 13, "seen wrong": each request a real client sent, against the real agent process,
// with Consul's answer.
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, startAgentProcess, type AgentProcess } from './helpers.js';

const IP = '127.0.62.121';
const DNS_PORT = 8600;
let agent: AgentProcess;

beforeAll(async () => {
  // The exact command line client test suites use.
  agent = await startAgentProcess(['-dev', '-bootstrap-expect', '1', '-client', IP, '-bind', IP, '-node', 'gaps', '-dns-port', String(DNS_PORT), '-hcl', 'telemetry { disable_hostname = true, prometheus_retention_time = "0s" }'], `${IP}:8500`);
});
afterAll(async () => {
  await agent?.stop();
});

const put = (path: string, body?: unknown) => http(agent.base, 'PUT', path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
const get = (path: string) => http(agent.base, 'GET', path);

describe('consul clients against -dev -bootstrap-expect 1', () => {
  it('starts in bootstrap mode with Consul warning', async () => {
    expect(agent.output()).toContain('BootstrapExpect is set to 1; this is the same as Bootstrap mode.');
    const self = (await get('/v1/agent/self')).json();
    expect([self.DebugConfig.Bootstrap, self.DebugConfig.DevMode]).toEqual([true, true]);
  });

  it('takes the rest of the path as the ID on agent endpoints (IDs with /)', async () => {
    expect((await put('/v1/agent/service/register', { ID: 'scope/name', Name: 'pg', Port: 5432 })).status).toBe(200);
    const svc = await get('/v1/agent/service/scope/name');
    expect(svc.status).toBe(200);
    expect(svc.json().ID).toBe('scope/name');
    expect((await get('/v1/agent/service/scope%2Fname')).json().ID).toBe('scope/name');
    expect((await get('/v1/agent/health/service/id/scope/name?format=text')).text).toBe('passing');

    expect((await put('/v1/agent/check/register', { ID: 'c/d', Name: 'ttl', TTL: '60s' })).status).toBe(200);
    const status = async (): Promise<[string, string]> => {
      const c = (await get('/v1/agent/checks')).json()['c/d'];
      return [c.Status, c.Output];
    };
    for (const [verb, want] of [['pass', 'passing'], ['warn', 'warning'], ['fail', 'critical']] as const) {
      expect((await put(`/v1/agent/check/${verb}/c/d?note=${verb}`)).status).toBe(200);
      expect(await status()).toEqual([want, verb]);
    }
    expect((await put('/v1/agent/check/update/c/d', { Status: 'passing', Output: 'up' })).status).toBe(200);
    expect(await status()).toEqual(['passing', 'up']);

    expect((await put('/v1/agent/service/maintenance/scope/name?enable=true&reason=r')).status).toBe(200);
    expect(Object.keys((await get('/v1/agent/checks')).json())).toContain('_service_maintenance:scope/name');
    expect((await put('/v1/agent/service/maintenance/scope/name?enable=false')).status).toBe(200);
    expect(Object.keys((await get('/v1/agent/checks')).json())).not.toContain('_service_maintenance:scope/name');

    expect((await put('/v1/agent/check/deregister/c/d')).status).toBe(200);
    expect((await get('/v1/agent/checks')).json()['c/d']).toBeUndefined();
    expect((await put('/v1/agent/service/deregister/scope/name')).status).toBe(200);
    expect((await get('/v1/agent/services')).json()['scope/name']).toBeUndefined();
    const gone = await get('/v1/agent/service/scope/name');
    expect([gone.status, gone.text]).toEqual([404, 'unknown service ID: scope/name']);
    // ... and the catalog follows (anti-entropy).
    await eventually(async () => (await get('/v1/catalog/service/pg')).json().length === 0, 'pg deregistered from the catalog', 50);
  });

  it('answers 500 No path to datacenter for an unknown Datacenter in a body or ?dc anywhere', async () => {
    const r = await put('/v1/catalog/register', { Datacenter: 'dc2', Node: 'far', Address: '10.9.9.9' });
    expect([r.status, r.text]).toEqual([500, 'No path to datacenter']);
    const d = await put('/v1/catalog/deregister', { Datacenter: 'dc2', Node: 'far' });
    expect([d.status, d.text]).toEqual([500, 'No path to datacenter']);
    expect((await get('/v1/catalog/node/far')).json()).toBeNull();
    expect((await put('/v1/catalog/register', { Datacenter: 'dc1', Node: 'near', Address: '10.9.9.8' })).json()).toBe(true);
    for (const path of [
      '/v1/catalog/nodes', '/v1/catalog/services', '/v1/catalog/service/x', '/v1/catalog/node/x', '/v1/catalog/node-services/x',
      '/v1/health/service/x', '/v1/health/checks/x', '/v1/health/node/x', '/v1/health/state/any', '/v1/kv/x', '/v1/session/list',
      '/v1/status/leader', '/v1/status/peers', '/v1/operator/raft/configuration',
    ]) {
      const x = await get(`${path}?dc=unknown`);
      expect([path, x.status, x.text]).toEqual([path, 500, 'No path to datacenter']);
    }
    expect((await put('/v1/txn?dc=unknown', '[]')).text).toBe('No path to datacenter');
    // Consul's event/list reads the agent's own events and ignores ?dc.
    expect((await get('/v1/event/list?dc=unknown')).status).toBe(200);
  });

  it('answers [] for an unknown ?peer on health and catalog service lists', async () => {
    await put('/v1/catalog/register', { Node: 'p1', Address: '10.1.1.1', Service: { Service: 'peered', Port: 1 } });
    expect((await get('/v1/health/service/peered')).json()).toHaveLength(1);
    for (const path of ['/v1/health/service/peered?peer=nope', '/v1/catalog/service/peered?peer=nope', '/v1/health/checks/peered?peer=nope']) {
      const r = await get(path);
      expect([path, r.status, r.json()]).toEqual([path, 200, []]);
    }
  });

  it('answers bad input with 400 and keeps the agent healthy', async () => {
    for (const body of [{ Name: 'x', TTL: 1e308 }, { Name: 'x', TTL: 1e22 }, { Name: 'x', TCP: '127.0.0.1:1', Interval: 1e300 }]) {
      const r = await put('/v1/agent/check/register', body);
      expect([r.status, r.text]).toEqual([400, expect.stringMatching(/^Request decode failed: time: invalid duration "1e\+\d+"$/)]);
    }
    const inService = await put('/v1/agent/service/register', { Name: 's', Check: { TTL: 1e308 } });
    expect(inService.status).toBe(400);
    // A duration as a number of nanoseconds that fits is still accepted (10 s).
    expect((await put('/v1/agent/check/register', { ID: 'ns', Name: 'ns', TTL: 10e9 })).status).toBe(200);
    expect((await get('/v1/agent/checks')).json().ns.Status).toBe('critical');
    await put('/v1/agent/check/deregister/ns');

    const txn = await put('/v1/txn', [{ KV: { Verb: 'set', Key: 'k64', Value: 'not base64!' } }]);
    expect([txn.status, txn.text]).toEqual([400, 'Failed to parse body: illegal base64 data at input byte 3']);
    expect((await get('/v1/kv/k64')).status).toBe(404);
    const ok = await put('/v1/txn', [{ KV: { Verb: 'set', Key: 'k64', Value: Buffer.from('v').toString('base64') } }]);
    expect(ok.status).toBe(200);
    expect((await get('/v1/kv/k64?raw')).text).toBe('v');

    const agentProxy = await put('/v1/agent/service/register', { Name: 'px', Proxy: 'x' });
    expect([agentProxy.status, agentProxy.text]).toEqual([
      400,
      'Request decode failed: json: cannot unmarshal string into Go struct field ServiceDefinition.Proxy of type structs.ConnectProxyConfig',
    ]);
    expect((await put('/v1/agent/service/register', { Name: 'px', Connect: [1] })).status).toBe(400);
    const catalogProxy = await put('/v1/catalog/register', { Node: 'n', Address: 'a', Service: { Service: 'px', Proxy: 7 } });
    expect([catalogProxy.status, catalogProxy.text]).toEqual([
      400,
      'Request decode failed: json: cannot unmarshal number into Go struct field NodeService.Proxy of type structs.ConnectProxyConfig',
    ]);
    expect((await put('/v1/catalog/register', { Node: 'n', Address: 'a', Service: { Service: 'px', Connect: 'yes' } })).status).toBe(400);
    expect((await get('/v1/agent/services')).json().px).toBeUndefined();
    expect((await get('/v1/catalog/service/px')).json()).toEqual([]);
    expect(agent.output()).not.toMatch(/"level":50|ERROR/);
  });

  it('counts malformed DNS packets in /v1/agent/metrics', async () => {
    const gauge = async (): Promise<number> =>
      (await get('/v1/agent/metrics')).json().Gauges.find((g: { Name: string }) => g.Name === 'consul.dns.malformed_packets')?.Value ?? -1;
    const before = await gauge();
    expect(before).toBeGreaterThanOrEqual(0);
    const sock = createSocket('udp4');
    // Shorter than a DNS header, and a header that claims a question it does not carry.
    const junk = [Buffer.from([1, 2, 3]), Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xff])];
    for (const p of junk) await new Promise<void>((r, j) => sock.send(p, DNS_PORT, IP, (e) => (e ? j(e) : r())));
    sock.close();
    await eventually(async () => (await gauge()) >= before + junk.length, 'malformed packets counted', 50);
  });
});

describe('blocking queries share one read and one encoding', () => {
  it('wakes 25 identical recursive watchers with one run and one encoding of the prefix', async () => {
    const ops = Array.from({ length: 100 }, (_, i) => ({ KV: { Verb: 'set', Key: `memo/k${String(i).padStart(3, '0')}`, Value: Buffer.from(`v${i}`).toString('base64') } }));
    expect((await put('/v1/txn', ops)).status).toBe(200);
    const first = await get('/v1/kv/memo/?recurse');
    const index = Number(first.headers.get('x-consul-index'));
    // Consul gzips answers for clients that accept it (fetch does); the JSON is the same.
    expect(first.headers.get('content-encoding')).toBe('gzip');
    const identity = await http(agent.base, 'GET', '/v1/kv/memo/?recurse', undefined, { 'accept-encoding': 'identity' });
    expect(identity.headers.get('content-encoding')).toBeNull();
    expect(identity.text).toBe(first.text);
    const gauges = async (): Promise<Record<string, number>> => {
      const m = (await get('/v1/agent/metrics')).json();
      return Object.fromEntries(m.Gauges.map((g: { Name: string; Value: number }) => [g.Name, g.Value]));
    };
    const WATCHERS = 25;
    const before = await gauges();
    const watchers = Array.from({ length: WATCHERS }, () => get(`/v1/kv/memo/?recurse&index=${index}&wait=30s`));
    await eventually(async () => (await gauges())['consul.catalog.blocking_queries']! >= before['consul.catalog.blocking_queries']! + WATCHERS, 'watchers blocked', 100, 50);
    const blocked = await gauges();
    expect((await put('/v1/kv/memo/k050', 'changed')).json()).toBe(true);
    const answers = await Promise.all(watchers);
    const after = await gauges();
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(Number(a.headers.get('x-consul-index'))).toBeGreaterThan(index);
      expect(a.text).toBe(answers[0]!.text);
    }
    expect(answers[0]!.json().find((e: { Key: string }) => e.Key === 'memo/k050').Value).toBe(Buffer.from('changed').toString('base64'));
    // One run and one encoding for all 25 (the metrics requests themselves are not catalog reads).
    expect(after['consul.http.read_memo.runs']! - blocked['consul.http.read_memo.runs']!).toBe(1);
    expect(after['consul.http.read_memo.encodings']! - blocked['consul.http.read_memo.encodings']!).toBe(1);
    // Registering the watchers (same query, same index) shared the first read too.
    expect(blocked['consul.http.read_memo.runs']! - before['consul.http.read_memo.runs']!).toBeLessThanOrEqual(1);
  });
});

describe('endpoints clients call', () => {
  it('streams each finished metrics interval on /v1/agent/metrics/stream; Prometheus off is a 415', async () => {
    const prom = await get('/v1/agent/metrics?format=prometheus');
    expect([prom.status, prom.text]).toEqual([415, 'Prometheus is not enabled since its retention time is not positive']);
    const abort = new AbortController();
    const res = await fetch(`${agent.base}/v1/agent/metrics/stream`, { signal: abort.signal });
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/plain; charset=utf-8']);
    const reader = res.body!.getReader();
    // An interval is 10 s: the first summary comes when the current one ends, the next 10 s later.
    let text = '';
    const docs = (): string[] => text.split(/(?<=\n}\n)/).filter((d) => d.endsWith('\n}\n'));
    const deadline = Date.now() + 25_000;
    let pending = reader.read();
    while (Date.now() < deadline && docs().length < 2) {
      await get('/v1/agent/self');
      const next = await Promise.race([pending, new Promise<null>((r) => setTimeout(() => r(null), 1000))]);
      if (next === null) continue;
      if (next.done) break;
      text += Buffer.from(next.value).toString();
      pending = reader.read();
    }
    pending.catch(() => undefined); // the read still waiting ends with the abort
    abort.abort();
    const [first, second] = docs().map((d) => JSON.parse(d));
    expect(Object.keys(first)).toEqual(['Timestamp', 'Gauges', 'Points', 'Counters', 'Samples']);
    expect(text).toMatch(/^{\n {4}"Timestamp": "\d{4}-\d\d-\d\d \d\d:\d\d:\d0 \+0000 UTC",\n/);
    // Consecutive intervals, each with the requests made during it.
    expect(Date.parse(second.Timestamp.replace(' +0000 UTC', 'Z').replace(' ', 'T')) - Date.parse(first.Timestamp.replace(' +0000 UTC', 'Z').replace(' ', 'T'))).toBe(10_000);
    expect(second.Samples.find((m: { Name: string }) => m.Name === 'consul.http.GET.v1.agent.self')?.Count).toBeGreaterThan(0);
  }, 40_000);

  it('streams logs on /v1/agent/monitor from ?loglevel up, as text or hclog JSON', async () => {
    const bad = await get('/v1/agent/monitor?loglevel=nope');
    expect([bad.status, bad.text]).toEqual([400, 'Unknown log level: nope']);
    for (const json of [false, true]) {
      const abort = new AbortController();
      const res = await fetch(`${agent.base}/v1/agent/monitor?loglevel=debug${json ? '&logjson' : ''}`, { signal: abort.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      await put('/v1/agent/service/register', { ID: `mon-${json}`, Name: 'mon' });
      let text = '';
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !/DEBUG|"@level":"debug"/.test(text)) {
        const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
        if (next === null || next.done) break;
        const value = next.value;
        text += Buffer.from(value).toString();
      }
      abort.abort();
      if (json) {
        const line = JSON.parse(text.split('\n').find((l) => l.includes('"@level":"debug"'))!);
        expect(typeof line['@message']).toBe('string');
        expect(line['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT/);
      } else {
        expect(text).toMatch(/^\d{4}-\d\d-\d\dT\S+ \[DEBUG\] \S+: /m);
      }
    }
    const warnOnly = new AbortController();
    const quiet = await fetch(`${agent.base}/v1/agent/monitor?loglevel=warn`, { signal: warnOnly.signal });
    const quietReader = quiet.body!.getReader();
    await put('/v1/agent/service/register', { ID: 'mon-quiet', Name: 'mon' });
    const got = await Promise.race([quietReader.read().then((r) => Buffer.from(r.value ?? []).toString()), new Promise<string>((r) => setTimeout(() => r(''), 1500))]);
    warnOnly.abort();
    expect(got).not.toMatch(/\[(DEBUG|INFO)\]/);
  });

  it('answers /v1/agent/token/* with 401 ACL support disabled', async () => {
    const r = await put('/v1/agent/token/default', { Token: 'x' });
    expect([r.status, r.text]).toEqual([401, 'ACL support disabled']);
    expect((await get('/v1/agent/token/default')).status).toBe(405);
  });

  it('keeps the autopilot configuration replicated, with Consul defaults and CAS', async () => {
    // The leader wrote the agent config's block (Consul's defaults here) when it took office.
    const first = (await get('/v1/operator/autopilot/configuration')).json();
    expect(first).toEqual({
      CleanupDeadServers: true, LastContactThreshold: '200ms', MaxTrailingLogs: 250, MinQuorum: 0, ServerStabilizationTime: '10s',
      RedundancyZoneTag: '', DisableUpgradeMigration: false, UpgradeVersionTag: '', CreateIndex: first.ModifyIndex, ModifyIndex: first.ModifyIndex,
    });
    expect(first.ModifyIndex).toBeGreaterThan(0);
    const next = { ...first, CleanupDeadServers: false, MinQuorum: 3, ServerStabilizationTime: '30s', LastContactThreshold: 5e8 };
    expect((await put('/v1/operator/autopilot/configuration?cas=0', next)).json()).toBe(false);
    expect((await put(`/v1/operator/autopilot/configuration?cas=${first.ModifyIndex}`, next)).json()).toBe(true);
    const stored = (await get('/v1/operator/autopilot/configuration')).json();
    expect(stored).toMatchObject({ CleanupDeadServers: false, MinQuorum: 3, ServerStabilizationTime: '30s', LastContactThreshold: '500ms', MaxTrailingLogs: 250 });
    expect(stored.ModifyIndex).toBeGreaterThan(0);
    // Without ?cas a PUT replaces the whole configuration (absent fields become zero), answering true.
    expect((await put('/v1/operator/autopilot/configuration', { MaxTrailingLogs: 10 })).json()).toBe(true);
    expect((await get('/v1/operator/autopilot/configuration')).json()).toMatchObject({ CleanupDeadServers: false, MaxTrailingLogs: 10, ServerStabilizationTime: '0s' });
    for (const [body, text] of [
      [{ LastContactThreshold: 'soon' }, 'Error parsing autopilot config: time: invalid duration "soon"'],
      [{ MinQuorum: 'x' }, 'Error parsing autopilot config: json: cannot unmarshal string into Go struct field AutopilotConfiguration.MinQuorum of type uint64'],
    ] as const) {
      const r = await put('/v1/operator/autopilot/configuration', body);
      expect([r.status, r.text]).toEqual([400, text]);
    }
    const badCas = await put('/v1/operator/autopilot/configuration?cas=x', {});
    expect([badCas.status, badCas.text]).toEqual([400, 'Error parsing cas value: strconv.ParseUint: parsing "x": invalid syntax']);
  });

  it('answers /v1/operator/usage with the datacenter counts in Consul shape', async () => {
    await put('/v1/catalog/register', { Node: 'u1', Address: '10.2.2.2', Service: { Service: 'billed', Port: 1 } });
    await put('/v1/catalog/register', { Node: 'u1', Address: '10.2.2.2', Service: { ID: 'billed2', Service: 'billed', Port: 2 } });
    await put('/v1/catalog/register', { Node: 'u1', Address: '10.2.2.2', Service: { Service: 'side', Kind: 'connect-proxy', Port: 3, Proxy: { DestinationServiceName: 'billed' } } });
    const r = await get('/v1/operator/usage');
    expect(r.status).toBe(200);
    const body = r.json();
    const catalog = (await get('/v1/catalog/services')).json();
    let instances = 0;
    for (const name of Object.keys(catalog)) instances += (await get(`/v1/catalog/service/${name}`)).json().length;
    expect(body.Usage.dc1).toEqual({
      Services: Object.keys(catalog).length,
      ServiceInstances: instances,
      ConnectServiceInstances: { 'api-gateway': 0, 'connect-native': 0, 'connect-proxy': 1, 'ingress-gateway': 0, 'mesh-gateway': 0, 'terminating-gateway': 0 },
      BillableServiceInstances: instances - 1 - (catalog.consul ? 1 : 0),
      Nodes: (await get('/v1/catalog/nodes')).json().length,
    });
    expect(body).toMatchObject({ KnownLeader: true, ConsistencyLevel: 'leader', NotModified: false, Backend: 0, ResultsFilteredByACLs: false });
    expect(body.Index).toBe(Number(r.headers.get('x-consul-index')));
  });
});

describe('check types: gRPC, H2PING, UDP', () => {
  it('runs them from /v1/agent/check/register against real servers', async () => {
    const { startHealthServer } = await import('../src/checks/testing/grpc-health-server.js');
    const grpcServer = await startHealthServer(IP, { web: 1, db: 2 });
    const h2 = (await import('node:http2')).createServer();
    await new Promise<void>((r) => h2.listen(0, IP, r));
    const udp = (await import('node:dgram')).createSocket('udp4');
    udp.on('message', (m, r) => udp.send(m, r.port, r.address));
    await new Promise<void>((r) => udp.bind(0, IP, r));
    try {
      const h2Addr = `${IP}:${(h2.address() as { port: number }).port}`;
      const udpAddr = `${IP}:${udp.address().port}`;
      const defs = [
        { ID: 'g-web', Name: 'g', GRPC: `${grpcServer.address}/web`, Interval: '1s' },
        { ID: 'g-db', Name: 'g', GRPC: `${grpcServer.address}/db`, Interval: '1s' },
        { ID: 'h2', Name: 'h2', H2PING: h2Addr, H2PingUseTLS: false, Interval: '1s' },
        { ID: 'u', Name: 'u', UDP: udpAddr, Interval: '1s', Timeout: '1s' },
      ];
      for (const d of defs) expect((await put('/v1/agent/check/register', d)).status).toBe(200);
      const want: Record<string, [string, string, string]> = {
        'g-web': ['passing', 'grpc', `gRPC check ${grpcServer.address}/web: success`],
        'g-db': ['critical', 'grpc', `gRPC ${grpcServer.address}/db serving status: NOT_SERVING`],
        h2: ['passing', 'h2ping', 'HTTP2 ping was successful'],
        u: ['passing', 'udp', `UDP connect ${udpAddr}: Success`],
      };
      await eventually(
        async () => {
          const checks = (await get('/v1/agent/checks')).json();
          return Object.entries(want).every(([id, [status, type, output]]) => checks[id]?.Status === status && checks[id]?.Type === type && checks[id]?.Output === output);
        },
        'gRPC, H2PING and UDP checks settled',
        60,
      );
    } finally {
      for (const id of ['g-web', 'g-db', 'h2', 'u']) await put(`/v1/agent/check/deregister/${id}`);
      await grpcServer.close();
      h2.close();
      udp.close();
    }
  });
});

describe('alias checks', () => {
  it('mirror a local service instance and one on another node in the catalog', async () => {
    await put('/v1/agent/service/register', { ID: 'backend', Name: 'backend', Check: { CheckID: 'backend-ttl', Name: 'backend ttl', TTL: '60s' } });
    // Service-scoped (as a sidecar's alias of its parent): node-level checks count in an alias,
    // so the alias checks must not be node-level themselves.
    await put('/v1/agent/service/register', { ID: 'front', Name: 'front' });
    await put('/v1/agent/check/register', { ID: 'al', Name: 'alias', ServiceID: 'front', AliasService: 'backend' });
    await put('/v1/agent/check/register', { ID: 'al-none', Name: 'alias', ServiceID: 'front', AliasService: 'nope' });
    await put('/v1/catalog/register', {
      Node: 'ext', Address: '10.3.3.3', Service: { ID: 'db1', Service: 'db', Port: 5432 },
      Checks: [{ CheckID: 'db-up', Name: 'db up', Status: 'warning', Output: 'slow', ServiceID: 'db1' }],
    });
    await put('/v1/agent/check/register', { ID: 'al-ext', Name: 'alias', ServiceID: 'front', AliasService: 'db1', AliasNode: 'ext' });
    const settled = (want: Record<string, [string, string]>, what: string) =>
      eventually(async () => {
        const checks = (await get('/v1/agent/checks')).json();
        return Object.entries(want).every(([id, [status, output]]) => checks[id]?.Type === 'alias' && checks[id]?.Status === status && checks[id]?.Output === output);
      }, what, 50);
    await settled({
      al: ['critical', 'Aliased check "backend ttl" failing: '],
      'al-none': ['critical', 'Service nope could not be found on node '],
      'al-ext': ['warning', 'Aliased check "db up" failing: slow'],
    }, 'alias checks settled');
    await put('/v1/agent/check/pass/backend-ttl?note=ok');
    await put('/v1/catalog/register', { Node: 'ext', Address: '10.3.3.3', Check: { CheckID: 'db-up', Name: 'db up', Status: 'passing', ServiceID: 'db1' } });
    await settled({ al: ['passing', 'All checks passing.'], 'al-ext': ['passing', 'All checks passing.'] }, 'alias checks follow');
  });
});

describe('HCL configuration', () => {
  it('starts the agent from -config-file x.hcl, a -config-dir of .hcl and .json files, and -hcl fragments', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const d = mkdtempSync(join(tmpdir(), 'proconsul-hcl-'));
    const dir = join(d, 'conf.d');
    const ip = '127.0.62.122';
    try {
      mkdirSync(dir);
      writeFileSync(join(d, 'agent.hcl'), `node_name = "hcl-agent"  datacenter = "dc1"\nnode_meta { rack = "r7" }\n`);
      writeFileSync(join(dir, 'a.hcl'), 'service {\n  name = "web"\n  port = 80\n  check { id = "web-ttl" ttl = "30s" }\n}\nservice { name = "api" port = 81 }\n');
      writeFileSync(join(dir, 'b.json'), JSON.stringify({ service: { name: 'cache', port: 6379 } }));
      const a = await startAgentProcess(
        ['-dev', '-client', ip, '-bind', ip, '-dns-port', '-1', '-config-file', join(d, 'agent.hcl'), '-config-dir', dir, '-hcl', 'node_meta { rack = "r8" }'],
        `${ip}:8500`,
      );
      try {
        const self = (await http(a.base, 'GET', '/v1/agent/self')).json();
        expect([self.Config.NodeName, self.Meta]).toEqual(['hcl-agent', { rack: 'r8' }]);
        const services = (await http(a.base, 'GET', '/v1/agent/services')).json();
        expect(Object.values(services).map((s) => (s as { Service: string }).Service).sort()).toEqual(['api', 'cache', 'web']);
        expect(Object.keys((await http(a.base, 'GET', '/v1/agent/checks')).json())).toContain('web-ttl');
      } finally {
        await a.stop();
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
