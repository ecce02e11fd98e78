// The tutorials' cluster (deploy/compose.cluster.yml): three servers, a client, the
// registrator and the lb on the client. Runs with the cluster topology only
// (PROCONSUL_TOPOLOGY=cluster, or COMPOSE_FILE in deploy/.env; see vitest.config.ts).
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { acl, backends, passingAddresses, ports, sample, Stack, startLoad, waitFor } from './stack.js';

const stack = new Stack();
let failed = false;
const SERVERS = ['server-1', 'server-2', 'server-3'];
const AGENTS = [...SERVERS, 'client'];

/** `proconsul <args>` inside a service's container, with the management token. */
async function exec(service: string, args: string[]): Promise<string> {
  return (await stack.compose(['exec', '-T', '-e', `CONSUL_HTTP_TOKEN=${acl.token}`, service, 'proconsul', ...args], 30_000)).stdout;
}

/** An HTTP request to the client agent's published port, with `token` (none: anonymous). */
async function api(method: string, path: string, token?: string, body?: string): Promise<{ status: number; text: string; filtered: boolean }> {
  const res = await fetch(`http://127.0.0.1:${ports.http}${path}`, { method, body, headers: token ? { 'X-Consul-Token': token } : {}, signal: AbortSignal.timeout(5_000) });
  return { status: res.status, text: await res.text(), filtered: res.headers.get('x-consul-results-filtered-by-acls') === 'true' };
}

/** A token file the stack wrote at its first start, read inside the container that uses it. */
async function tokenOf(service: string, path: string): Promise<string> {
  return (await stack.compose(['exec', '-T', service, 'cat', path], 30_000)).stdout.trim();
}

/** Rows of a columnized table (header left out), split on runs of spaces. */
function rows(table: string): string[][] {
  return table.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
}

/** The compose service whose container has the Raft leader's address. */
async function leaderService(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${ports.http}/v1/status/leader`, { signal: AbortSignal.timeout(5_000) });
  const leader = ((await res.json()) as string).split(':')[0];
  for (const s of SERVERS) if ((await stack.containers(s)).some((c) => c.ip === leader)) return s;
  throw new Error(`no server container has the leader's address ${JSON.stringify(leader)}`);
}

describe('compose cluster: 3 servers and a client', () => {
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });
  afterAll(() => stack.teardown(failed));

  it('up: a leader, 4 alive members seen from every agent, 3 voters, web registered and served', { timeout: 1_500_000 }, async () => {
    await stack.upOnce();
    for (const agent of AGENTS) {
      const members = await waitFor(`4 alive members seen from ${agent}`, () => exec(agent, ['members']), (t) => rows(t).filter((r) => r[2] === 'alive').length === 4, 60_000, 1_000);
      expect(rows(members).map((r) => r[0]).sort()).toEqual(['client-1', ...SERVERS].sort());
    }
    const peers = rows(await exec('server-1', ['operator', 'raft', 'list-peers']));
    expect(peers.map((r) => r[0]).sort()).toEqual(SERVERS);
    expect(peers.filter((r) => r[4] === 'true')).toHaveLength(3);
    expect(peers.filter((r) => r[3] === 'leader')).toHaveLength(1);
    const web = await waitFor('web registered', () => passingAddresses('web'), (a) => a.length === 1);
    const answers = await waitFor('nginx serving web', () => sample(4), (a) => a.every((x) => x.status === 200));
    expect(backends(answers)).toEqual(web);
  });

  it('ACLs deny by default: a management token printed once, the registrator and lb scoped to what they need', { timeout: 240_000 }, async () => {
    await stack.upOnce();
    expect(acl.token).toMatch(/^[0-9a-f-]{36}$/);
    const logs = (await stack.compose(['logs', '--no-color', 'acl-init'])).stdout;
    expect(logs.split(acl.token).length - 1).toBe(1);
    // Anonymous: lists filtered to nothing, writes and agent reads refused.
    const anon = await api('GET', '/v1/catalog/services');
    expect(anon).toMatchObject({ status: 200, text: '{}', filtered: true });
    expect((await api('PUT', '/v1/kv/anon', undefined, 'x')).status).toBe(403);
    expect((await api('GET', '/v1/agent/self')).status).toBe(403);
    expect(JSON.parse((await api('GET', '/v1/catalog/services', acl.token)).text)).toHaveProperty('web');
    // The registrator may register services and nothing else; the lb may only read web.
    const registrator = await tokenOf('registrator', '/consul/registrator/token');
    expect((await api('PUT', '/v1/kv/from-registrator', registrator, 'x')).status).toBe(403);
    const registered = Object.values(JSON.parse((await api('GET', '/v1/agent/services', registrator)).text) as Record<string, { Service: string }>).map((x) => x.Service);
    expect(registered).toContain('web');
    const lb = await tokenOf('lb', '/consul/lb/token');
    expect((await api('GET', '/v1/health/service/web?passing', lb)).text).not.toBe('[]');
    expect((await api('GET', '/v1/kv/anon', lb)).status).toBe(403);
    expect(JSON.parse((await api('GET', '/v1/catalog/services', lb)).text)).toEqual({ web: expect.any(Array) });
    expect((await api('PUT', '/v1/agent/service/register', lb, JSON.stringify({ Name: 'web', Port: 1 }))).status).toBe(403);
    // The client agent's own token (created by acl-init after it started): its node info is
    // synced at one of its next syncs (the node meta only the agent writes).
    await waitFor('client-1 node info synced', async () => JSON.parse((await api('GET', '/v1/catalog/node/client-1', acl.token)).text).Node.Meta, (m) => m['consul-version'] !== undefined, 90_000, 1_000);
    // Every agent's coordinate is stored (each sends it with its agent token: the servers'
    // from acl-init too), so `?near` sorting and `proconsul rtt` work for every node.
    const coordinates = await waitFor('every agent has sent its coordinate', async () => (JSON.parse((await api('GET', '/v1/coordinate/nodes', acl.token)).text) as { Node: string }[]).map((c) => c.Node).sort(), (n) => n.length === 4, 90_000, 1_000);
    expect(coordinates).toEqual(['client-1', ...SERVERS].sort());
  });

  it('stopping the Raft leader: a new leader, registrations intact, 0 failed requests; it rejoins as a follower', { timeout: 240_000 }, async () => {
    await stack.upOnce();
    const before = await passingAddresses('web');
    const old = await leaderService();
    const load = startLoad({ workers: 2, pauseMs: 20 });
    try {
      await stack.compose(['stop', '-t', '5', old]);
      const next = await waitFor('a new leader', () => leaderService(), (s) => s !== old, 60_000, 500);
      expect(SERVERS).toContain(next);
      expect(await passingAddresses('web')).toEqual(before);
    } finally {
      const r = await load.stop();
      console.log(`leader loss under load: ${r.total} requests, ${r.failed} failed, slowest ${r.slowestMs} ms`);
      expect(r.failures).toEqual([]);
    }
    await stack.compose(['start', old]);
    const peers = await waitFor(`${old} back as a follower`, async () => rows(await exec(old, ['operator', 'raft', 'list-peers'])), (p) => p.some((r) => r[0] === old && r[3] === 'follower'), 60_000, 1_000);
    expect(peers.filter((r) => r[3] === 'leader')).toHaveLength(1);
  });
});
