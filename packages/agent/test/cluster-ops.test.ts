// Issue 16's operations on a real three-server cluster and a client agent (127.0.71.41-44):
// `proconsul snapshot save` against a follower and `proconsul snapshot restore` restoring every
// server through Raft (a follower answers with the restored state, writes go on, a server
// killed -9 and restarted still has it); a session bound to a client agent's node is
// invalidated when that agent is killed -9 (its lock released, a `delete` session's key
// deleted); and session TTLs still expire after a leader change.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, RUN_JS, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const CLI = resolve(RUN_JS, '../../../cli/bin/proconsul.js');
const S = ['127.0.71.41', '127.0.71.42', '127.0.71.43'];
const C = '127.0.71.44';
const dirs = [...S, C].map(() => tempDir('proconsul-cluster-ops-'));
const work = tempDir('proconsul-cluster-ops-files-');
const servers: AgentProcess[] = [];
let client: AgentProcess;

const serverArgs = (i: number): string[] => [
  '-server', '-bootstrap-expect', '3', '-data-dir', dirs[i]!.path, '-bind', S[i]!, '-client', S[i]!, '-node', `ops-server-${i + 1}`,
  '-retry-join', S[(i + 1) % 3]!, '-retry-interval', '1s', '-dns-port', '-1', '-log-level', 'warn',
];

function cli(addr: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work.path, env: { PATH: process.env['PATH'] ?? '', CONSUL_HTTP_ADDR: addr }, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function leaderIndex(): Promise<number> {
  return eventually(async () => {
    const names = await Promise.all(servers.map((s) => (s.proc.exitCode === null && s.proc.signalCode === null ? http(s.base, 'GET', '/v1/status/leader').then((r) => (r.status === 200 ? (r.json() as string) : ''), () => '') : Promise.resolve('-'))));
    const live = names.filter((n) => n !== '-');
    if (live[0] === '' || live.some((n) => n !== live[0])) return undefined;
    return S.indexOf(live[0]!.split(':')[0]!) + 1;
  }, 'a leader agreed on by the live servers', 200).then((i) => i - 1);
}

const raw = async (a: AgentProcess, key: string, query = ''): Promise<string | number> => {
  const r = await http(a.base, 'GET', `/v1/kv/${key}?raw${query}`);
  return r.status === 200 ? r.text : r.status;
};

beforeAll(async () => {
  servers.push(...(await Promise.all(S.map((ip, i) => startAgentProcess(serverArgs(i), `${ip}:8500`, { waitForLeader: false })))));
  client = await startAgentProcess(
    ['-data-dir', dirs[3]!.path, '-bind', C, '-client', C, '-node', 'ops-client', '-retry-join', S[0]!, '-retry-interval', '1s', '-dns-port', '-1', '-log-level', 'warn'],
    `${C}:8500`,
    { waitForLeader: false },
  );
  await leaderIndex();
}, 120_000);

afterAll(async () => {
  for (const a of [...servers, client]) await a?.kill9();
  for (const d of [...dirs, work]) d.remove();
});

describe('snapshot save and restore on a cluster', () => {
  it('saves from a follower and restores the whole cluster through Raft', async () => {
    const leader = await leaderIndex();
    const [f1, f2] = [0, 1, 2].filter((i) => i !== leader) as [number, number];
    for (const [k, v] of [['snap/a', 'one'], ['snap/b', 'two']]) expect((await http(servers[leader]!.base, 'PUT', `/v1/kv/${k}`, v)).text).toBe('true');

    const save = cli(`${S[f1]}:8500`, 'snapshot', 'save', 'backup.snap');
    expect(save.status, save.stderr).toBe(0);
    expect(save.stdout).toMatch(/^Saved and verified snapshot to index \d+\n$/);
    expect(existsSync(join(work.path, 'backup.snap'))).toBe(true);

    // The state moves on after the snapshot...
    expect((await http(servers[leader]!.base, 'PUT', '/v1/kv/snap/a', 'changed')).text).toBe('true');
    expect((await http(servers[leader]!.base, 'DELETE', '/v1/kv/snap/b')).text).toBe('true');
    expect((await http(servers[leader]!.base, 'PUT', '/v1/kv/snap/c', 'after')).text).toBe('true');

    // ...and is put back by a restore sent to the other follower.
    const restore = cli(`${S[f2]}:8500`, 'snapshot', 'restore', 'backup.snap');
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toBe('Restored snapshot\n');
    for (const s of servers) {
      await eventually(async () => (await raw(s, 'snap/a', '&stale')) === 'one', `the restored value on ${s.base}`);
      expect(await raw(s, 'snap/b', '&stale')).toBe('two');
      expect(await raw(s, 'snap/c', '&stale')).toBe(404);
      expect(await raw(s, 'snap/a')).toBe('one'); // a default read (through the leader) too
    }
    expect(await raw(client, 'snap/b')).toBe('two');

    // Writes go on after the restore, through a follower and the client.
    expect((await http(servers[f1]!.base, 'PUT', '/v1/kv/snap/d', 'later')).text).toBe('true');
    expect((await http(client.base, 'PUT', '/v1/kv/snap/e', 'client')).text).toBe('true');
    for (const s of servers) await eventually(async () => (await raw(s, 'snap/e', '&stale')) === 'client', `the later write on ${s.base}`);

    // A follower killed -9 and restarted from its data dir still has the restored state.
    await servers[f2]!.kill9();
    servers[f2] = await startAgentProcess(serverArgs(f2), `${S[f2]}:8500`, { waitForLeader: false });
    await eventually(async () => (await raw(servers[f2]!, 'snap/e', '&stale')) === 'client', 'the restarted follower to catch up', 150);
    expect(await raw(servers[f2]!, 'snap/a', '&stale')).toBe('one');
    expect(await raw(servers[f2]!, 'snap/b', '&stale')).toBe('two');
    expect(await raw(servers[f2]!, 'snap/c', '&stale')).toBe(404);
    expect(await raw(servers[f2]!, 'snap/d', '&stale')).toBe('later');
  }, 120_000);
});

describe('sessions on a cluster', () => {
  it('invalidates the sessions of a client agent killed -9 (serfHealth): lock released, delete-behavior key deleted', async () => {
    await eventually(async () => (await http(servers[0]!.base, 'GET', '/v1/catalog/node/ops-client')).status === 200, 'the client node in the catalog');
    const create = async (body: object): Promise<string> => {
      const r = await http(client.base, 'PUT', '/v1/session/create', JSON.stringify(body));
      expect(r.status, r.text).toBe(200);
      return r.json().ID as string;
    };
    const lockSession = await create({ Name: 'lock-holder' });
    const ephSession = await create({ Name: 'ephemeral', Behavior: 'delete' });
    const info = (await http(servers[1]!.base, 'GET', `/v1/session/info/${lockSession}`)).json();
    expect(info[0]).toMatchObject({ Node: 'ops-client', NodeChecks: ['serfHealth'], Behavior: 'release' });
    expect((await http(client.base, 'PUT', `/v1/kv/ops/lock?acquire=${lockSession}`, 'held')).text).toBe('true');
    expect((await http(client.base, 'PUT', `/v1/kv/ops/eph?acquire=${ephSession}`, 'mine')).text).toBe('true');
    expect((await http(servers[0]!.base, 'GET', '/v1/kv/ops/lock')).json()[0].Session).toBe(lockSession);

    await client.kill9();
    // The leader sees the member fail, marks its serfHealth critical and invalidates both sessions.
    await eventually(async () => (await http(servers[0]!.base, 'GET', `/v1/session/info/${lockSession}`)).json().length === 0, 'the lock session to be invalidated', 300);
    expect((await http(servers[0]!.base, 'GET', `/v1/session/info/${ephSession}`)).json()).toEqual([]);
    const lock = (await http(servers[1]!.base, 'GET', '/v1/kv/ops/lock')).json()[0];
    expect(lock.Session).toBeUndefined();
    expect(Buffer.from(lock.Value, 'base64').toString()).toBe('held');
    expect((await http(servers[2]!.base, 'GET', '/v1/kv/ops/eph')).status).toBe(404);
    const checks = (await http(servers[0]!.base, 'GET', '/v1/health/node/ops-client')).json();
    expect(checks.find((c: { CheckID: string }) => c.CheckID === 'serfHealth').Status).toBe('critical');
  }, 90_000);

  it('expires session TTLs after a leader change', async () => {
    const leader = await leaderIndex();
    const follower = [0, 1, 2].find((i) => i !== leader)!;
    const r = await http(servers[follower]!.base, 'PUT', '/v1/session/create', JSON.stringify({ Name: 'ttl', TTL: '10s', Behavior: 'delete' }));
    expect(r.status, r.text).toBe(200);
    const id = r.json().ID as string;
    expect((await http(servers[follower]!.base, 'PUT', `/v1/kv/ops/ttl?acquire=${id}`, 'x')).text).toBe('true');
    const created = Date.now();

    await servers[leader]!.kill9();
    const next = await eventually(async () => {
      const l = await leaderIndex();
      return l !== leader ? l + 1 : undefined;
    }, 'a new leader', 100).then((i) => i - 1);
    expect(servers[next]!.proc.signalCode).toBeNull();
    // Still there right after the election (the new leader restarted its timer)...
    expect((await http(servers[follower]!.base, 'GET', `/v1/session/info/${id}`)).json().length).toBe(1);
    // ...and gone once the TTL (x2, as Consul) ran out on the new leader.
    await eventually(async () => (await http(servers[follower]!.base, 'GET', `/v1/session/info/${id}`)).json().length === 0, 'the TTL to expire on the new leader', 450);
    const waited = Date.now() - created;
    expect(waited).toBeGreaterThanOrEqual(19_000);
    expect((await http(servers[follower]!.base, 'GET', '/v1/kv/ops/ttl')).status).toBe(404);
  }, 90_000);
});
