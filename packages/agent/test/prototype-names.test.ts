// Names that JavaScript objects already carry (`__proto__`, `constructor`, `toString`) are
// ordinary names to Consul: a service ID, check ID, meta key, tagged-address key or KV key may be
// one. They are stored and answered as given by every agent, through a client and a follower,
// and after every server is killed and restarted from its data dir.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const PROTO = '__proto__';
const started: AgentProcess[] = [];
const dirs: { path: string; remove(): void }[] = [];
afterAll(async () => {
  for (const a of started) await a.kill9();
  for (const d of dirs) d.remove();
});

function newDir(): string {
  const d = tempDir('proconsul-proto-');
  dirs.push(d);
  return d.path;
}

async function agent(ip: string, dataDir: string, extra: string[]): Promise<AgentProcess> {
  const a = await startAgentProcess(
    ['-data-dir', dataDir, '-bind', ip, '-client', ip, '-node', `n-${ip.split('.').join('-')}`, '-dns-port', '-1', '-log-level', 'warn', ...extra],
    `${ip}:8500`,
    { waitForLeader: false },
  );
  started.push(a);
  return a;
}

/** An object's own value at `key` (JSON.parse makes `__proto__` an own property; `x[key]` alone could read Object.prototype). */
function own(x: unknown, key: string): unknown {
  if (typeof x !== 'object' || x === null || !Object.hasOwn(x, key)) return undefined;
  return (x as Record<string, unknown>)[key];
}

const getJson = async (base: string, path: string): Promise<unknown> => {
  const r = await http(base, 'GET', path);
  expect(r.status, `${base}${path}: ${r.text}`).toBe(200);
  return r.json();
};

describe('names of Object.prototype members', () => {
  it('are stored and answered as given by servers and clients, and survive a restart of every server', async () => {
    const S = ['127.0.66.11', '127.0.66.12', '127.0.66.13'];
    const C = '127.0.66.14';
    const serverDirs = S.map(() => newDir());
    const cfg = newDir();
    writeFileSync(join(cfg, 'raft.json'), JSON.stringify({ raft_snapshot_interval: '1s', raft_snapshot_threshold: 4 }));
    const serverArgs = (i: number): string[] => ['-server', '-bootstrap-expect', '3', '-retry-join', S[(i + 1) % 3]!, '-retry-interval', '1s', '-config-dir', cfg];
    let servers = await Promise.all(S.map((ip, i) => agent(ip, serverDirs[i]!, serverArgs(i))));
    // Services from the client's config files (JSON and HCL), with a meta key named __proto__.
    const clientCfg = newDir();
    writeFileSync(join(clientCfg, 'svc.json'), `{"service":{"name":"from-file","id":"${PROTO}-file","port":1,"meta":{"${PROTO}":"f"}}}`);
    writeFileSync(join(clientCfg, 'svc.hcl'), `service {\n name = "from-hcl"\n port = 2\n meta { ${PROTO} = "h" }\n}\n`);
    const client = await agent(C, newDir(), ['-retry-join', S[0]!, '-retry-interval', '1s', '-config-dir', clientCfg]);
    await eventually(async () => (await http(client.base, 'PUT', '/v1/kv/ready', 'y').catch(() => undefined))?.text === 'true', 'a write through the client', 150);

    // Through the client: a service and a check whose IDs, meta and tagged-address keys are such names.
    const service = `{"ID":"${PROTO}","Name":"constructor","Port":80,"Tags":["toString"],"Meta":{"${PROTO}":"m1","constructor":"m2"},"TaggedAddresses":{"${PROTO}":{"Address":"10.0.0.9","Port":9}}}`;
    expect((await http(client.base, 'PUT', '/v1/agent/service/register', service)).status).toBe(200);
    const check = `{"CheckID":"${PROTO}","Name":"c","TTL":"300s","ServiceID":"${PROTO}","Status":"passing"}`;
    expect((await http(client.base, 'PUT', '/v1/agent/check/register', check)).status).toBe(200);
    // Through a follower (forwarded to the leader): a node with such meta and tagged-address keys, and KV keys.
    const leader = JSON.parse((await http(client.base, 'GET', '/v1/status/leader')).text) as string;
    const follower = servers[S.findIndex((ip) => `${ip}:8300` !== leader)]!;
    const node = `{"Node":"valueOf","Address":"10.0.0.1","NodeMeta":{"${PROTO}":"z"},"TaggedAddresses":{"${PROTO}":"10.0.0.2"},"Service":{"ID":"toString","Service":"${PROTO}","Meta":{"${PROTO}":"s"}}}`;
    expect((await http(follower.base, 'PUT', '/v1/catalog/register', node)).text).toBe('true');
    expect((await http(follower.base, 'PUT', `/v1/kv/${PROTO}`, 'p')).text).toBe('true');
    expect((await http(client.base, 'PUT', '/v1/kv/constructor/toString', 't')).text).toBe('true');
    for (let i = 0; i < 8; i++) expect((await http(client.base, 'PUT', `/v1/kv/fill/${i}`, 'x')).text).toBe('true'); // past the snapshot threshold

    // The client's own view.
    const local = await getJson(client.base, '/v1/agent/services');
    expect(own(own(own(local, PROTO), 'Meta'), PROTO)).toBe('m1');
    expect(own(own(own(local, `${PROTO}-file`), 'Meta'), PROTO)).toBe('f');
    expect(own(own(await getJson(client.base, '/v1/agent/checks'), PROTO), 'ServiceID')).toBe(PROTO);

    const clientNode = `n-${C.split('.').join('-')}`;
    const expectEverywhere = async (agents: AgentProcess[]): Promise<void> => {
      for (const a of agents) {
        // ?stale reads the agent's own copy (a client forwards it to a server).
        await eventually(async () => ((await getJson(a.base, '/v1/catalog/service/constructor?stale')) as unknown[]).length === 1, `constructor in ${a.base}'s catalog`);
        const [inst] = (await getJson(a.base, '/v1/catalog/service/constructor?stale')) as unknown[];
        expect(own(inst, 'ServiceID')).toBe(PROTO);
        expect(own(own(inst, 'ServiceMeta'), PROTO)).toBe('m1');
        expect(own(own(inst, 'ServiceMeta'), 'constructor')).toBe('m2');
        expect(own(own(inst, 'ServiceTaggedAddresses'), PROTO)).toEqual({ Address: '10.0.0.9', Port: 9 });
        const [fromFile] = (await getJson(a.base, '/v1/catalog/service/from-file?stale')) as unknown[];
        expect(own(own(fromFile, 'ServiceMeta'), PROTO)).toBe('f');
        const [fromHcl] = (await getJson(a.base, '/v1/catalog/service/from-hcl?stale')) as unknown[];
        expect(own(own(fromHcl, 'ServiceMeta'), PROTO)).toBe('h');
        const services = await getJson(a.base, '/v1/catalog/services?stale');
        expect(own(services, PROTO)).toEqual([]);
        expect(own(services, 'constructor')).toEqual(['toString']);
        const ofClient = await getJson(a.base, `/v1/catalog/node/${clientNode}?stale`);
        expect(own(own(own(ofClient, 'Services'), PROTO), 'Service')).toBe('constructor');
        const valueOf = await getJson(a.base, '/v1/catalog/node/valueOf?stale');
        expect(own(own(own(valueOf, 'Node'), 'Meta'), PROTO)).toBe('z');
        expect(own(own(own(valueOf, 'Node'), 'TaggedAddresses'), PROTO)).toBe('10.0.0.2');
        expect(own(own(own(own(valueOf, 'Services'), 'toString'), 'Meta'), PROTO)).toBe('s');
        // ?node-meta filters by the key as given, not by Object.prototype's __proto__.
        const byMeta = (await getJson(a.base, `/v1/catalog/nodes?stale&node-meta=${PROTO}:z`)) as unknown[];
        expect(byMeta.map((n) => own(n, 'Node'))).toEqual(['valueOf']);
        expect(await getJson(a.base, '/v1/catalog/nodes?stale&node-meta=constructor:z')).toEqual([]);
        const health = (await getJson(a.base, '/v1/health/service/constructor?stale&passing')) as unknown[];
        expect(health.length).toBe(1);
        expect((own(health[0], 'Checks') as unknown[]).map((c) => own(c, 'CheckID'))).toContain(PROTO);
        expect((await http(a.base, 'GET', `/v1/kv/${PROTO}?stale&raw`)).text).toBe('p');
        expect((await http(a.base, 'GET', '/v1/kv/constructor/toString?stale&raw')).text).toBe('t');
      }
    };
    await expectEverywhere([...servers, client]);

    // Each server compacts its log into a snapshot that holds these names; then kill -9 every
    // server and start them again from their data dirs (the snapshot, then the log after it).
    const lastWrite = Number((await http(client.base, 'GET', '/v1/kv/fill/7')).headers.get('x-consul-index'));
    // A server snapshots once raft_snapshot_threshold entries follow its last snapshot: when the
    // last one fell among the fill writes, give it more entries rather than wait for background ones.
    let more = 0;
    for (const s of servers) {
      await eventually(async () => {
        const raft = own(own(await getJson(s.base, '/v1/agent/self'), 'Stats'), 'raft');
        if (Number(own(raft, 'last_snapshot_index')) >= lastWrite) return true;
        await http(client.base, 'PUT', `/v1/kv/fill/more-${more++}`, 'x');
        return false;
      }, `a snapshot on ${s.base}`, 100);
    }
    for (const s of servers) await s.kill9();
    servers = await Promise.all(S.map((ip, i) => agent(ip, serverDirs[i]!, serverArgs(i))));
    await eventually(async () => (await http(client.base, 'PUT', '/v1/kv/after-restart', 'y').catch(() => undefined))?.text === 'true', 'a write after the restart', 150);
    await expectEverywhere([...servers, client]);
  }, 240_000);
});
