// Two datacenters of three servers each (dc1 on 127.0.73.x, dc2 on 127.0.74.x) and a client
// agent in dc1, all real processes: the servers join the WAN pool three ways (-retry-join-wan,
// PUT /v1/agent/join?wan=1, `proconsul join -wan`), every endpoint family is forwarded with
// `?dc=` and answered as dc2 answers it (a blocking query included), DNS answers names of the
// other datacenter in both directions, and a dc2 server killed with -9 does not stop dc1 from
// reaching dc2 through the two others.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, digFull, eventually, http, RUN_JS, sleep, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const CLI = resolve(RUN_JS, '../../../cli/bin/proconsul.js');
const TEMPLATE = resolve(RUN_JS, '../../../template/bin/proconsul-template.js');
const KEY = 'pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=';
const DC1 = ['127.0.73.11', '127.0.73.12', '127.0.73.13'];
const DC2 = ['127.0.74.11', '127.0.74.12', '127.0.74.13'];
const CLIENT = '127.0.73.21';
// WAN failure detection in seconds rather than Consul's minutes, so the test sees a failed member.
const WAN_TUNING = { gossip_wan: { probe_interval: '500ms', probe_timeout: '250ms', suspicion_mult: 2 } };
let configFile = '';

const started: AgentProcess[] = [];
const dirs: { remove(): void }[] = [];
const byIp = new Map<string, AgentProcess>();

async function agent(ip: string, dc: string, extra: string[]): Promise<AgentProcess> {
  const d = tempDir('proconsul-mdc-');
  dirs.push(d);
  const a = await startAgentProcess(
    ['-data-dir', d.path, '-bind', ip, '-client', ip, '-datacenter', dc, '-node', `${dc}-${ip.split('.')[3]}`, '-encrypt', KEY, '-log-level', 'warn', '-config-file', configFile, ...extra],
    `${ip}:8500`,
    { waitForLeader: false },
  );
  started.push(a);
  byIp.set(ip, a);
  return a;
}

const base = (ip: string): string => `http://${ip}:8500`;
/** dig with room for the forwarded reads behind a name (client -> server -> other datacenter) on a loaded machine. */
const digFar = (server: string, name: string, type: string): string[] => dig(server, 8600, name, type, ['+time=8']);
// Seven agents on a shared, heavily loaded machine: a datacenter may be between leaders for a
// moment. An answer `No cluster leader` (nothing was done) is asked again, a bounded number of
// times; every other answer counts as it is.
const NO_LEADER = 'No cluster leader';
async function settled<T>(ask: () => Promise<T>, noLeader: (r: T) => boolean): Promise<T> {
  let r = await ask();
  for (let i = 0; i < 40 && noLeader(r); i++) {
    await sleep(250);
    r = await ask();
  }
  return r;
}
/** `proconsul <command> [flags] [args]`: flags go before the arguments, as Go's flag package wants. */
const cli = async (ip: string, command: string[], ...argv: string[]): Promise<string> => {
  const run = (): { out: string; err?: Error & { stderr?: string } } => {
    try {
      return { out: execFileSync(process.execPath, [CLI, ...command, `-http-addr=${ip}:8500`, ...argv], { encoding: 'utf8', stdio: 'pipe' }) };
    } catch (err) {
      return { out: '', err: err as Error & { stderr?: string } };
    }
  };
  const r = await settled(async () => run(), (x) => !!x.err?.stderr?.includes(NO_LEADER));
  if (r.err) throw new Error(`${r.err.message}${r.err.stderr ?? ''}`);
  return r.out;
};
const get = (ip: string, path: string) => settled(() => http(base(ip), 'GET', path), (r) => r.status === 500 && r.text === NO_LEADER);
const put = (ip: string, path: string, body?: string) => settled(() => http(base(ip), 'PUT', path, body), (r) => r.status === 500 && r.text === NO_LEADER);

async function leaderOf(ip: string): Promise<string> {
  return eventually(async () => {
    const r = await get(ip, '/v1/status/leader').catch(() => undefined);
    return r && r.status === 200 && r.json() !== '' ? (r.json() as string) : undefined;
  }, `a leader seen from ${ip}`, 200);
}

interface Member { Name: string; Addr: string; Status: number; Tags: Record<string, string> }
const wanMembers = async (ip: string): Promise<Member[]> => (await get(ip, '/v1/agent/members?wan=1')).json() as Member[];

beforeAll(async () => {
  const cfg = tempDir('proconsul-mdc-cfg-');
  dirs.push(cfg);
  configFile = join(cfg.path, 'wan.json');
  writeFileSync(configFile, JSON.stringify(WAN_TUNING));
  const expect3 = ['-server', '-bootstrap-expect', '3', '-retry-interval', '1s'];
  // dc1's first server finds dc2 through -retry-join-wan (dc2 is not up yet: it retries).
  await Promise.all([
    agent(DC1[0]!, 'dc1', [...expect3, '-retry-join', DC1[1]!, '-retry-join-wan', DC2[0]!, '-retry-interval-wan', '1s']),
    agent(DC1[1]!, 'dc1', [...expect3, '-retry-join', DC1[2]!]),
    agent(DC1[2]!, 'dc1', [...expect3, '-retry-join', DC1[0]!]),
    ...DC2.map((ip, i) => agent(ip, 'dc2', [...expect3, '-retry-join', DC2[(i + 1) % 3]!])),
  ]);
  await agent(CLIENT, 'dc1', ['-retry-join', DC1[0]!, '-retry-interval', '1s', '-dns-port', '8600', '-hcl', 'translate_wan_addrs = true']);
  await Promise.all([leaderOf(DC1[0]!), leaderOf(DC2[0]!), leaderOf(CLIENT)]);
}, 120_000);

afterAll(async () => {
  for (const a of started) await a.kill9();
  for (const d of dirs) d.remove();
});

// Generous per-test limits: seven agents on a shared two-core machine.
describe('two datacenters over the WAN pool', { timeout: 120_000 }, () => {
  it('joins the WAN pool and lists every server as node.dc with its datacenter', async () => {
    // The two other ways in: the HTTP API and the CLI (each port defaults to serf_wan, 8302).
    expect((await put(DC1[1]!, `/v1/agent/join/${DC2[1]}?wan=1`)).status).toBe(200);
    await cli(DC2[2]!, ['join'], '-wan', DC1[2]!);
    let seen = '';
    const all = await eventually(async () => {
      const ms = await wanMembers(DC1[0]!);
      seen = ms.map((m) => `${m.Name}:${m.Status}`).join(' ');
      return ms.filter((m) => m.Status === 1).length === 6 ? ms : undefined;
    }, 'six alive WAN members', 200).catch((err: Error) => {
      throw new Error(`${err.message}; last seen: ${seen}`);
    });
    expect(all.map((m) => m.Name).sort()).toEqual(['dc1-11.dc1', 'dc1-12.dc1', 'dc1-13.dc1', 'dc2-11.dc2', 'dc2-12.dc2', 'dc2-13.dc2']);
    const far = all.find((m) => m.Name === 'dc2-11.dc2')!;
    expect(far.Addr).toBe(DC2[0]);
    expect(far.Tags).toMatchObject({ role: 'consul', dc: 'dc2', port: '8300', expect: '3' });
    expect(far.Tags.wan_join_port).toBeUndefined(); // a LAN tag only
    const self = (await get(DC1[0]!, '/v1/agent/self')).json();
    expect(self.Stats.serf_wan).toMatchObject({ members: '6', encrypted: 'true' });
    expect(self.Stats.consul.known_datacenters).toBe('2');
    // `members -wan` prints them too; a client agent has no WAN pool (Consul's nil list).
    const out = await cli(DC2[0]!, ['members'], '-wan');
    for (const n of ['dc1-11.dc1', 'dc2-13.dc2']) expect(out).toContain(n);
    expect((await get(CLIENT, '/v1/agent/members?wan=1')).text).toBe('null');
    expect((await put(CLIENT, `/v1/agent/join/${DC2[0]}?wan=1`)).text).toBe('Must be a server to join WAN cluster');
  });

  it('lists every datacenter from any agent', async () => {
    // Nearest first (Consul's GetDatacentersByDistance): an agent's own datacenter is at 0.
    for (const ip of [CLIENT, DC1[1]!]) expect((await get(ip, '/v1/catalog/datacenters')).json()).toEqual(['dc1', 'dc2']);
    expect((await get(DC2[2]!, '/v1/catalog/datacenters')).json()).toEqual(['dc2', 'dc1']);
    expect((await get(CLIENT, '/v1/catalog/datacenters?dc=dc2')).json()).toEqual(['dc1', 'dc2']);
  });

  it('forwards every endpoint family with ?dc= and answers as the other datacenter does', async () => {
    // KV: written through the dc1 client into dc2, absent from dc1.
    expect((await put(CLIENT, '/v1/kv/where?dc=dc2', 'in-dc2')).text).toBe('true');
    expect((await get(DC2[1]!, '/v1/kv/where?raw')).text).toBe('in-dc2');
    expect((await get(DC1[0]!, '/v1/kv/where')).status).toBe(404);
    const kv = await get(CLIENT, '/v1/kv/where?dc=dc2&raw');
    expect(kv.text).toBe('in-dc2');
    expect(kv.headers.get('x-consul-knownleader')).toBe('true');
    expect((await get(CLIENT, '/v1/kv/where?dc=dc1')).status).toBe(404); // the local name is local

    // Catalog: a register with ?dc= and one with the body's Datacenter; nodes are dc2's.
    const reg = (node: string, addr: string, extra: object = {}) => JSON.stringify({ Node: node, Address: addr, Service: { Service: 'web', Tags: ['v2'], Port: 80 }, ...extra });
    expect((await put(CLIENT, '/v1/catalog/register?dc=dc2', reg('far-1', '10.2.0.1'))).text).toBe('true');
    expect((await put(DC1[2]!, '/v1/catalog/register', reg('far-2', '10.2.0.2', { Datacenter: 'dc2' }))).text).toBe('true');
    const svc = (await get(CLIENT, '/v1/catalog/service/web?dc=dc2')).json() as Array<{ Node: string; Datacenter: string }>;
    expect(svc.map((s) => s.Node).sort()).toEqual(['far-1', 'far-2']);
    expect(svc.every((s) => s.Datacenter === 'dc2')).toBe(true);
    expect((await get(CLIENT, '/v1/catalog/service/web')).json()).toEqual([]);
    const nodes = (await get(CLIENT, '/v1/catalog/nodes?dc=dc2')).json() as Array<{ Node: string }>;
    expect(nodes.map((n) => n.Node)).toEqual(expect.arrayContaining(['dc2-11', 'dc2-12', 'dc2-13', 'far-1']));
    expect(nodes.map((n) => n.Node)).not.toContain('dc1-11');
    expect(Object.keys((await get(CLIENT, '/v1/catalog/services?dc=dc2')).json())).toEqual(expect.arrayContaining(['consul', 'web']));

    // Health.
    const health = (await get(CLIENT, '/v1/health/service/consul?dc=dc2')).json() as Array<{ Node: { Node: string } }>;
    expect(health.map((h) => h.Node.Node).sort()).toEqual(['dc2-11', 'dc2-12', 'dc2-13']);
    expect(((await get(CLIENT, '/v1/health/node/dc2-12?dc=dc2')).json() as Array<{ CheckID: string }>).map((c) => c.CheckID)).toContain('serfHealth');
    expect(((await get(CLIENT, '/v1/health/state/passing?dc=dc2')).json() as unknown[]).length).toBeGreaterThanOrEqual(3);

    // Sessions live in dc2.
    const sid = (await put(CLIENT, '/v1/session/create?dc=dc2', JSON.stringify({ Node: 'dc2-11', TTL: '60s' }))).json().ID as string;
    expect(((await get(DC2[0]!, `/v1/session/info/${sid}`)).json() as unknown[]).length).toBe(1);
    expect((await get(CLIENT, `/v1/session/info/${sid}`)).json()).toEqual([]);
    expect(((await get(CLIENT, '/v1/session/list?dc=dc2')).json() as Array<{ ID: string }>).map((s) => s.ID)).toContain(sid);
    expect((await put(CLIENT, `/v1/session/destroy/${sid}?dc=dc2`)).text).toBe('true');

    // Txn.
    const txn = await put(CLIENT, '/v1/txn?dc=dc2', JSON.stringify([{ KV: { Verb: 'set', Key: 'txn-key', Value: Buffer.from('t').toString('base64') } }, { KV: { Verb: 'get', Key: 'where' } }]));
    expect(txn.status).toBe(200);
    expect(Buffer.from(txn.json().Results[1].KV.Value, 'base64').toString()).toBe('in-dc2');
    expect((await get(DC2[2]!, '/v1/kv/txn-key?raw')).text).toBe('t');

    // Status and operator: dc2's Raft.
    expect(DC2.map((ip) => `${ip}:8300`)).toContain((await get(CLIENT, '/v1/status/leader?dc=dc2')).json());
    expect(((await get(CLIENT, '/v1/status/peers?dc=dc2')).json() as string[]).sort()).toEqual(DC2.map((ip) => `${ip}:8300`));
    const raft = (await get(CLIENT, '/v1/operator/raft/configuration?dc=dc2')).json() as { Servers: Array<{ Node: string }> };
    expect(raft.Servers.map((s) => s.Node).sort()).toEqual(['dc2-11', 'dc2-12', 'dc2-13']);
    expect(((await get(CLIENT, '/v1/operator/autopilot/health?dc=dc2')).json() as { Servers: Array<{ Name: string }> }).Servers.map((s) => s.Name).sort()).toEqual(['dc2-11', 'dc2-12', 'dc2-13']);

    // Events fire in dc2's LAN pool: dc2's agents list it, dc1's do not (event/list is agent-local).
    const ev = (await put(CLIENT, '/v1/event/fire/deploy?dc=dc2', 'v2')).json() as { ID: string };
    await eventually(async () => ((await get(DC2[2]!, '/v1/event/list?name=deploy')).json() as Array<{ ID: string }>).some((e) => e.ID === ev.ID), 'the event in dc2');
    await sleep(300);
    expect((await get(DC1[0]!, '/v1/event/list?name=deploy')).json()).toEqual([]);

    // Snapshot of dc2's state.
    const snap = await fetch(`${base(CLIENT)}/v1/snapshot?dc=dc2`);
    expect(snap.status).toBe(200);
    const archive = Buffer.from(await snap.arrayBuffer());
    expect(archive.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip

    // ACL endpoints are forwarded too (ACLs are off in dc2: its own answer).
    const acl = await get(CLIENT, '/v1/acl/tokens?dc=dc2');
    expect(acl.text).toBe((await get(DC2[0]!, '/v1/acl/tokens')).text);

    // The CLI's -datacenter.
    expect((await cli(CLIENT, ['kv', 'get'], '-datacenter', 'dc2', 'where')).trim()).toBe('in-dc2');
    expect(await cli(CLIENT, ['catalog', 'services'], '-datacenter', 'dc2')).toContain('web');
  });

  it("renders the template's @dc2 queries through the dc1 client", async () => {
    const dir = tempDir('proconsul-mdc-tpl-');
    dirs.push(dir);
    const src = join(dir.path, 'in.ctmpl');
    const dst = join(dir.path, 'out.txt');
    writeFileSync(src, '{{range service "v2.web@dc2"}}{{.Node}}={{.Address}}:{{.Port}} {{end}}|{{key "where@dc2"}}|{{keyOrDefault "where" "none-in-dc1"}}|{{datacenters}}\n');
    execFileSync(process.execPath, [TEMPLATE, '-consul-addr', `${CLIENT}:8500`, '-template', `${src}:${dst}`, '-once'], { encoding: 'utf8', timeout: 30_000 });
    expect(readFileSync(dst, 'utf8')).toBe('far-1=10.2.0.1:80 far-2=10.2.0.2:80 |in-dc2|none-in-dc1|[dc1 dc2]\n');
  });

  it('answers a blocking query in dc2 through dc1 when dc2 writes', async () => {
    await put(DC2[0]!, '/v1/kv/watched', 'one');
    const first = await get(CLIENT, '/v1/kv/watched?dc=dc2');
    const index = first.headers.get('x-consul-index')!;
    expect(index).toBe((await get(DC2[1]!, '/v1/kv/watched')).headers.get('x-consul-index'));
    const t0 = Date.now();
    const blocked = get(CLIENT, `/v1/kv/watched?dc=dc2&index=${index}&wait=30s`);
    await sleep(1500);
    expect((await put(DC2[2]!, '/v1/kv/watched', 'two')).text).toBe('true');
    const woke = await blocked;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(Buffer.from(woke.json()[0].Value, 'base64').toString()).toBe('two');
    expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(Number(index));
    // A blocking query that nothing wakes waits its whole wait, then answers.
    const t1 = Date.now();
    const idle = await get(CLIENT, `/v1/kv/watched?dc=dc2&index=${woke.headers.get('x-consul-index')}&wait=2s`);
    expect([idle.status, idle.status === 200 ? '' : idle.text]).toEqual([200, '']);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(1900);
  });

  it('refuses an unknown datacenter with No path to datacenter', async () => {
    for (const ip of [CLIENT, DC1[0]!]) {
      const r = await get(ip, '/v1/catalog/nodes?dc=dc9');
      expect(r.status).toBe(500);
      expect(r.text).toBe('No path to datacenter');
    }
    const w = await put(CLIENT, '/v1/kv/x?dc=dc9', 'v');
    expect([w.status, w.text]).toEqual([500, 'No path to datacenter']);
  });

  it('answers DNS names of the other datacenter in both directions', async () => {
    const dc2Dns = DC2[1]!;
    // dc1's client asks about dc2.
    expect(digFar(CLIENT, 'web.service.dc2.consul', 'A').sort()).toEqual(['10.2.0.1', '10.2.0.2']);
    expect(digFar(CLIENT, 'v2.web.service.dc2.consul', 'A').length).toBe(2);
    expect(digFar(CLIENT, 'v9.web.service.dc2.consul', 'A')).toEqual([]);
    expect(digFar(CLIENT, 'far-1.node.dc2.consul', 'A')).toEqual(['10.2.0.1']);
    const srv = digFar(CLIENT, '_web._v2.service.dc2.consul', 'SRV');
    expect(srv.length).toBe(2);
    expect(srv[0]).toMatch(/^1 1 80 far-[12]\.node\.dc2\.consul\.$/);
    expect(digFar(CLIENT, 'web.service.dc2.dc.consul', 'A').length).toBe(2);
    expect(digFar(CLIENT, 'web.service.consul', 'A')).toEqual([]); // dc1 has no web
    expect(digFull(CLIENT, 8600, 'web.service.dc9.consul', 'A', ['+time=8'])).toContain('NXDOMAIN');
    // translate_wan_addrs (on the client only): a node of another datacenter is answered with its
    // `wan` tagged address; within its own datacenter with its address.
    await put(DC2[0]!, '/v1/catalog/register', JSON.stringify({ Node: 'edge-1', Address: '10.2.9.1', TaggedAddresses: { wan: '192.0.2.1' }, Service: { Service: 'edge', Port: 443 } }));
    await eventually(async () => digFar(CLIENT, 'edge-1.node.dc2.consul', 'A')[0] === '192.0.2.1', 'the WAN address of edge-1 from dc1', 50);
    expect(digFar(CLIENT, 'edge.service.dc2.consul', 'A')).toEqual(['192.0.2.1']);
    // (a dc2 follower answers DNS from its own state: it may be a moment behind the write)
    await eventually(async () => digFar(DC2[1]!, 'edge-1.node.consul', 'A').length === 1, 'edge-1 in a dc2 follower\'s DNS', 50);
    expect(digFar(DC2[1]!, 'edge-1.node.consul', 'A')).toEqual(['10.2.9.1']);
    expect(digFar(DC1[0]!, 'edge-1.node.dc2.consul', 'A')).toEqual(['10.2.9.1']); // no translate_wan_addrs there
    // Every server's node carries its advertise_addr_wan as `wan` (each syncs its own node; a
    // follower whose sync failed, no leader yet or the leader's answer lost under load, tries
    // again 15 s later as Consul's retryFailInterval: allow up to three tries).
    for (const ip of DC2) {
      const path = `/v1/catalog/node/dc2-${ip.split('.')[3]}?dc=dc2`;
      await eventually(async () => (await get(CLIENT, path)).json()?.Node?.TaggedAddresses?.wan === ip, `the wan address of ${ip}`, 500);
      expect((await get(CLIENT, path)).json().Node.TaggedAddresses).toMatchObject({ lan: ip, wan: ip });
    }

    // A dc2 server asks about dc1.
    await put(CLIENT, '/v1/catalog/register', JSON.stringify({ Node: 'near-1', Address: '10.1.0.1', Service: { Service: 'api', Port: 9000 } }));
    // (DNS reads are ?stale: a dc1 follower may answer a moment before it has the write.)
    await eventually(async () => digFar(dc2Dns, 'api.service.dc1.consul', 'A').length === 1, 'api in dc2\'s DNS', 50);
    expect(digFar(dc2Dns, 'api.service.dc1.consul', 'A')).toEqual(['10.1.0.1']);
    expect(digFar(dc2Dns, 'dc1-12.node.dc1.consul', 'A')).toEqual([DC1[1]]);
    expect(digFar(dc2Dns, 'web.service.consul', 'A').length).toBe(2); // its own datacenter
    // A later change in dc1 reaches dc2's DNS although dc2's own catalog (the DNS cache's
    // generation) does not move: answers about other datacenters are never cached.
    await put(CLIENT, '/v1/catalog/register', JSON.stringify({ Node: 'near-2', Address: '10.1.0.2', Service: { Service: 'api', Port: 9000 } }));
    await eventually(async () => digFar(dc2Dns, 'api.service.dc1.consul', 'A').length === 2, 'the second api instance in dc2\'s DNS', 50);
    expect(digFar(dc2Dns, 'api.service.dc1.consul', 'A').sort()).toEqual(['10.1.0.1', '10.1.0.2']);
  });

  it('fails a prepared query over to dc2 when dc1 has no instance, over HTTP and DNS, and executes dc2 queries by name', async () => {
    // Every `web` instance in dc1 is critical; dc2 has far-1 and far-2 (registered above, no checks: passing).
    const sick = { Node: 'sick-1', Address: '10.1.0.9', Service: { Service: 'web', Port: 80 }, Check: { CheckID: 'web-check', Name: 'web', Status: 'critical', ServiceID: 'web' } };
    expect((await put(CLIENT, '/v1/catalog/register', JSON.stringify(sick))).text).toBe('true');
    const create = async (ip: string, body: object): Promise<string> => {
      const r = await settled(() => http(base(ip), 'POST', '/v1/query', JSON.stringify(body)), (x) => x.status === 500 && x.text === NO_LEADER);
      expect(r.status).toBe(200);
      return (r.json() as { ID: string }).ID;
    };
    await create(CLIENT, { Name: 'web-listed', Service: { Service: 'web', Failover: { Datacenters: ['dc9', 'dc2'] } } });
    await create(CLIENT, { Name: 'web-nearest', Service: { Service: 'web', Failover: { NearestN: 1 } } });
    for (const name of ['web-listed', 'web-nearest']) {
      const r = (await get(CLIENT, `/v1/query/${name}/execute`)).json() as { Datacenter: string; Failovers: number; Nodes: Array<{ Node: { Node: string } }> };
      expect([name, r.Datacenter, r.Nodes.map((n) => n.Node.Node).sort()]).toEqual([name, 'dc2', ['far-1', 'far-2']]);
      // web-listed tries dc2 only (dc9 is unknown to the WAN pool, skipped as Consul does).
      expect(r.Failovers).toBe(1);
    }
    // (DNS executes queries as ?stale reads: a follower may be a moment behind the query's creation)
    await eventually(async () => digFar(CLIENT, 'web-listed.query.consul', 'A').length === 2, 'web-listed in DNS', 50);
    expect(digFar(CLIENT, 'web-listed.query.consul', 'A').sort()).toEqual(['10.2.0.1', '10.2.0.2']);
    // A query defined in dc2, asked by name in dc2 from dc1 (HTTP ?dc= and DNS .query.dc2.).
    await create(DC2[0]!, { Name: 'far-web', Service: { Service: 'web', Tags: ['v2'] } });
    const far = (await get(CLIENT, '/v1/query/far-web/execute?dc=dc2')).json() as { Datacenter: string; Nodes: unknown[] };
    expect([far.Datacenter, far.Nodes.length]).toEqual(['dc2', 2]);
    await eventually(async () => digFar(CLIENT, 'far-web.query.dc2.consul', 'A').length === 2, 'far-web in DNS', 50);
    expect(digFar(CLIENT, 'far-web.query.dc2.consul', 'A').sort()).toEqual(['10.2.0.1', '10.2.0.2']);
    expect(digFull(CLIENT, 8600, 'far-web.query.consul', 'A', ['+time=8'])).toContain('NXDOMAIN'); // not a dc1 query
    expect(digFull(CLIENT, 8600, 'far-web.query.dc9.consul', 'A', ['+time=8'])).toContain('NXDOMAIN');
  });

  it("lists both datacenters' servers with their WAN coordinates", async () => {
    interface DcMap { Datacenter: string; AreaID: string; Coordinates: Array<{ Node: string; Coord: { Vec: number[] } }> }
    const maps = await eventually(async () => {
      const r = (await get(CLIENT, '/v1/coordinate/datacenters')).json() as DcMap[];
      return r.length === 2 && r.every((m) => m.Coordinates.length === 3) ? r : undefined;
    }, 'three WAN coordinates in each datacenter', 300);
    expect(maps.map((m) => [m.Datacenter, m.AreaID])).toEqual([['dc1', 'wan'], ['dc2', 'wan']]);
    expect(maps[1]!.Coordinates.map((c) => c.Node)).toEqual(['dc2-11', 'dc2-12', 'dc2-13']);
    expect(maps[1]!.Coordinates[0]!.Coord.Vec.length).toBe(8);
    // With coordinates known, the local datacenter is still first (distance 0) from every server.
    expect((await get(DC2[1]!, '/v1/catalog/datacenters')).json()).toEqual(['dc2', 'dc1']);
  });

  it('rotates the gossip key in the WAN pool and the LAN pool of both datacenters with one command each', async () => {
    type KeyringEntry = { WAN: boolean; Datacenter: string; Keys: Record<string, number>; NumNodes: number };
    const list = async (ip: string) => (await get(ip, '/v1/operator/keyring')).json() as KeyringEntry[];
    const before = await list(DC1[0]!);
    expect(before.map((r) => [r.WAN, r.Datacenter, r.Keys, r.NumNodes])).toEqual([
      [true, 'dc1', { [KEY]: 6 }, 6],
      [false, 'dc1', { [KEY]: 4 }, 4], // three servers and the client
      [false, 'dc2', { [KEY]: 3 }, 3],
    ]);
    const next = 'HcGexxAVSSv1MbQlvYnSJvUV2uaQ6QyZcbOBoJZK8zM=';
    for (const argv of [['-install', next], ['-use', next], ['-remove', KEY]]) await cli(DC2[1]!, ['keyring'], ...argv);
    const after = await list(DC1[1]!);
    expect(after.map((r) => r.Keys)).toEqual([{ [next]: 6 }, { [next]: 4 }, { [next]: 3 }]);
    // Both pools still carry traffic under the new key alone: a forwarded write, and the WAN pool intact.
    expect((await put(CLIENT, '/v1/kv/rotated?dc=dc2', 'yes')).text).toBe('true');
    expect((await wanMembers(DC2[2]!)).filter((m) => m.Status === 1).length).toBe(6);
  });

  it('keeps forwarding to dc2 through its other servers when one is killed -9', async () => {
    const victim = DC2[0]!;
    await byIp.get(victim)!.kill9();
    // Every forwarded read answers at once (dial errors fail over before anything was sent); a
    // killed leader only costs dc2 an election, which the forwarded request waits out.
    for (let i = 0; i < 20; i++) {
      const r = await get(CLIENT, '/v1/kv/where?dc=dc2&raw');
      expect([r.status, r.text]).toEqual([200, 'in-dc2']);
      const s = await get(DC1[i % 3]!, '/v1/catalog/service/web?dc=dc2');
      expect([s.status, s.status === 200 ? '' : s.text]).toEqual([200, '']);
    }
    expect((await put(CLIENT, '/v1/kv/after-kill?dc=dc2', 'ok')).text).toBe('true');
    expect((await get(DC2[1]!, '/v1/kv/after-kill?raw')).text).toBe('ok');
    // The WAN pool marks it failed.
    await eventually(async () => (await wanMembers(DC1[0]!)).find((m) => m.Name === 'dc2-11.dc2')?.Status === 4, 'dc2-11.dc2 failed in the WAN pool', 300);
    expect((await get(DC1[1]!, '/v1/catalog/datacenters')).json()).toEqual(['dc1', 'dc2']);
    expect(digFar(CLIENT, 'far-1.node.dc2.consul', 'A')).toEqual(['10.2.0.1']);
    // force-leave -wan moves it to left.
    await cli(DC1[0]!, ['force-leave'], '-wan', 'dc2-11.dc2');
    await eventually(async () => (await wanMembers(DC1[2]!)).find((m) => m.Name === 'dc2-11.dc2')?.Status === 3, 'dc2-11.dc2 left in the WAN pool', 100);
  });
});
