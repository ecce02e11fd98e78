// Prepared queries in a three-server cluster (127.0.76.51-53, real processes): written through
// a follower and replicated to every server, executed through another (near `_agent` is the
// agent that took the request, not the leader), answered over DNS by each server, deleted on
// every server with its session, and still there after a follower is killed and restarted; a
// client agent (127.0.76.54) executes and answers DNS through a server, `_agent` being itself.
import { afterAll, describe, expect, it } from 'vitest';
import { dig, eventually, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IPS = ['127.0.76.51', '127.0.76.52', '127.0.76.53'];
const CLIENT = '127.0.76.54';
const DNS_PORT = 8600;
const dirs = [...IPS, CLIENT].map(() => tempDir('pq-cluster-'));
const args = (i: number): string[] => [
  '-server', '-bootstrap-expect', '3', '-data-dir', dirs[i]!.path, '-bind', IPS[i]!, '-client', IPS[i]!, '-node', `pq-server-${i + 1}`,
  '-retry-join', IPS[(i + 1) % 3]!, '-retry-interval', '1s', '-dns-port', String(DNS_PORT), '-log-level', 'warn',
];
const agents: (AgentProcess | undefined)[] = [];

const start = async (i: number): Promise<AgentProcess> =>
  (agents[i] = await startAgentProcess(args(i), `${IPS[i]}:8500`, { waitForLeader: false }));
const call = (i: number, method: string, path: string, body?: unknown) =>
  http(agents[i]!.base, method, path, body === undefined ? undefined : JSON.stringify(body));

async function agreedLeader(): Promise<number> {
  return eventually(async () => {
    const names = await Promise.all([0, 1, 2].map((i) => call(i, 'GET', '/v1/status/leader').then((r) => (r.status === 200 ? (r.json() as string) : ''), () => '')));
    if (names[0] === '' || names.some((n) => n !== names[0])) return undefined;
    return IPS.indexOf(names[0]!.split(':')[0]!) + 1;
  }, 'an agreed leader', 150, 100).then((i) => i - 1);
}

/** Every server's own state (?stale) satisfies `ok`. */
async function onEveryServer(path: string, ok: (r: { status: number; json(): any }) => boolean, what: string): Promise<void> {
  await eventually(async () => {
    const rs = await Promise.all([0, 1, 2].map((i) => call(i, 'GET', `${path}${path.includes('?') ? '&' : '?'}stale`)));
    return rs.every(ok);
  }, what, 100, 100);
}

afterAll(async () => {
  for (const a of agents) await a?.kill9();
  for (const d of dirs) d.remove();
});

describe('prepared queries in a 3-server cluster', () => {
  it('replicate, execute near the asking agent, answer DNS on every server, go with their session, survive a restart', async () => {
    await Promise.all(IPS.map((_, i) => start(i)));
    const leader = await agreedLeader();
    const [f1, f2] = [0, 1, 2].filter((i) => i !== leader) as [number, number];
    // Each server registers itself with its `consul` service once it is in the catalog.
    await onEveryServer('/v1/catalog/service/consul', (r) => r.status === 200 && r.json().length === 3, 'the three consul instances');

    const created = await call(f1, 'POST', '/v1/query', { Name: 'servers', Service: { Service: 'consul', Near: '_agent' }, DNS: { TTL: '9s' } });
    expect(created.status, created.text).toBe(200);
    const id = created.json().ID as string;
    await onEveryServer(`/v1/query/${id}`, (r) => r.status === 200 && r.json()[0].Name === 'servers', 'the query on every server');

    // Executed through a follower (forwarded to the leader): the follower's own node comes first.
    for (const i of [f1, f2, leader]) {
      for (let k = 0; k < 3; k++) {
        const r = await call(i, 'GET', '/v1/query/servers/execute');
        expect(r.status, r.text).toBe(200);
        expect(r.json().Nodes).toHaveLength(3);
        expect(r.json().Nodes[0].Node.Node).toBe(`pq-server-${i + 1}`);
      }
    }
    // DNS on each server, answered from its own state, the asking server first, with the query's TTL.
    for (const i of [0, 1, 2]) {
      const answers = dig(IPS[i]!, DNS_PORT, 'servers.query.consul', 'A');
      expect(answers[0]).toBe(IPS[i]);
      expect([...answers].sort()).toEqual([...IPS].sort());
    }

    // A query bound to a session created on one follower goes when it is destroyed through the other.
    const s = await call(f1, 'PUT', '/v1/session/create', { Name: 'pq-owner' });
    expect(s.status, s.text).toBe(200);
    const bound = await call(f1, 'POST', '/v1/query', { Session: s.json().ID, Service: { Service: 'consul' } });
    expect(bound.status, bound.text).toBe(200);
    const boundId = bound.json().ID as string;
    await onEveryServer(`/v1/query/${boundId}`, (r) => r.status === 200, 'the bound query on every server');
    expect((await call(f2, 'PUT', `/v1/session/destroy/${s.json().ID}`)).status).toBe(200);
    await onEveryServer(`/v1/query/${boundId}`, (r) => r.status === 404, 'the bound query gone from every server');

    // A follower killed with -9 comes back from its data dir with the query.
    await agents[f2]!.kill9();
    const upd = await call(f1, 'PUT', `/v1/query/${id}`, { Name: 'servers', Service: { Service: 'consul', Near: '_agent', OnlyPassing: true }, DNS: { TTL: '9s' } });
    expect(upd.status, upd.text).toBe(200);
    await start(f2);
    await eventually(async () => {
      const r = await call(f2, 'GET', `/v1/query/${id}?stale`);
      return r.status === 200 && r.json()[0].Service.OnlyPassing === true;
    }, 'the restarted follower to have the updated query', 150, 100);
  });

  it('a client agent executes through a server, near itself, and answers .query. DNS', async () => {
    const c = (agents[3] = await startAgentProcess(
      ['-data-dir', dirs[3]!.path, '-bind', CLIENT, '-client', CLIENT, '-node', 'pq-client', '-retry-join', IPS[0]!, '-retry-interval', '1s', '-dns-port', String(DNS_PORT), '-log-level', 'warn'],
      `${CLIENT}:8500`,
      { waitForLeader: false },
    ));
    const reg = await http(c.base, 'PUT', '/v1/agent/service/register', JSON.stringify({ ID: 'api-c', Name: 'api', Port: 9000 }));
    expect(reg.status, reg.text).toBe(200);
    for (const [i, node] of ['pq-server-1', 'pq-server-2'].entries()) {
      const r = await call(i, 'PUT', '/v1/catalog/register', { Node: node, Address: IPS[i], SkipNodeUpdate: true, Service: { ID: `api-${i}`, Service: 'api', Port: 9000 } });
      expect(r.status, r.text).toBe(200);
    }
    const q = await http(c.base, 'POST', '/v1/query', JSON.stringify({ Name: 'api-near', Service: { Service: 'api', Near: '_agent' } }));
    expect(q.status, q.text).toBe(200);
    await eventually(async () => {
      const r = await http(c.base, 'GET', '/v1/query/api-near/execute');
      return r.status === 200 && r.json().Nodes.length === 3;
    }, "the client's own instance synced", 150, 100);
    for (let k = 0; k < 3; k++) expect((await http(c.base, 'GET', '/v1/query/api-near/execute')).json().Nodes[0].Node.Node).toBe('pq-client');
    // DNS executes the query as a ?stale read on a server: a follower may be a moment behind.
    await eventually(async () => dig(CLIENT, DNS_PORT, 'api-near.query.consul', 'A').length === 3, 'the three instances in .query. DNS', 150, 100);
    expect(dig(CLIENT, DNS_PORT, 'api-near.query.consul', 'A')[0]).toBe(CLIENT);
  });
});
