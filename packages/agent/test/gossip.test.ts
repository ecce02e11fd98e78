// LAN gossip between real agent processes on 127.0.64.x (each on its own address, gossip on
// 8301): membership, join/leave/force-leave, user events on every agent, -retry-join, and
// encryption with cluster-wide key rotation. `-dev` agents are each their own server, which is
// fine here: everything tested is gossip-level. The `proconsul` CLI is run as a user runs it.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentEntry, repoRoot, startAgent, tempDir, waitFor, type AgentProcess } from '@proconsul/testing';

const CLI = resolve(repoRoot, 'packages/cli/bin/proconsul.js');
const started: AgentProcess[] = [];

async function agent(ip: string, node: string, extraArgs: string[] = [], dev = true): Promise<AgentProcess> {
  const a = await startAgent({ ip, nodeName: node, extraArgs, dev });
  started.push(a);
  return a;
}

afterAll(async () => {
  await Promise.all(started.map((a) => a.stop()));
});

interface Member { Name: string; Addr: string; Port: number; Tags: Record<string, string>; Status: number; ProtocolCur: number; DelegateCur: number }
interface Event { ID: string; Name: string; Payload: string | null; LTime: number; NodeFilter: string }

async function req(a: AgentProcess, method: string, path: string, body?: string): Promise<{ status: number; text: string; json: () => any; headers: Headers }> {
  const r = await fetch(`${a.url}${path}`, { method, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(20_000) });
  const text = await r.text();
  return { status: r.status, text, json: () => JSON.parse(text), headers: r.headers };
}
const members = async (a: AgentProcess): Promise<Member[]> => (await req(a, 'GET', '/v1/agent/members')).json();
const statusOf = async (a: AgentProcess, name: string): Promise<number | undefined> => (await members(a)).find((m) => m.Name === name)?.Status;

function cli(a: AgentProcess, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'] ?? '', CONSUL_HTTP_ADDR: a.httpAddr }, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      res({ code, stdout, stderr });
    });
  });
}

describe('LAN membership, events and leave across three agents', () => {
  it('joins by HTTP, CLI and -retry-join; lists members as Consul; spreads events; detects failure; force-leaves; leaves', async () => {
    const a = await agent('127.0.64.1', 'g-one');
    const b = await agent('127.0.64.2', 'g-two');
    // The third finds the cluster by itself: -retry-join every second.
    const c = await agent('127.0.64.3', 'g-three', ['-retry-join', '127.0.64.1', '-retry-interval', '1s']);

    expect((await req(b, 'PUT', '/v1/agent/join/127.0.64.1')).status).toBe(200);
    for (const x of [a, b, c]) {
      await waitFor(async () => (await members(x)).filter((m) => m.Status === 1).length === 3, `3 alive members at ${x.nodeName}`);
    }
    // Every -dev agent is a server in bootstrap mode: gossip joins them, Raft does not (Consul's
    // "Two nodes are in bootstrap mode" refusal), so each keeps its own one-server Raft.
    await new Promise((r) => setTimeout(r, 1500)); // a few leader reconcile rounds
    for (const [x, ip] of [[a, '127.0.64.1'], [b, '127.0.64.2'], [c, '127.0.64.3']] as const) {
      expect((await req(x, 'GET', '/v1/status/peers')).json()).toEqual([`${ip}:8300`]);
    }
    const one = (await members(c)).find((m) => m.Name === 'g-one')!;
    expect(one).toMatchObject({ Addr: '127.0.64.1', Port: 8301, Status: 1, ProtocolCur: 2, DelegateCur: 4 });
    expect(one.Tags).toMatchObject({ role: 'consul', dc: 'dc1', port: '8300', vsn: '2', vsn_min: '2', vsn_max: '3', raft_vsn: '3', bootstrap: '1', segment: '', acls: '0', wan_join_port: '8302' });
    expect(Object.keys(one.Tags)).toEqual([...Object.keys(one.Tags)].sort());
    const self = (await req(a, 'GET', '/v1/agent/self')).json();
    expect(self.Member).toEqual((await members(a)).find((m) => m.Name === 'g-one'));
    expect(self.Member.Tags.id).toBe(self.Config.NodeID);
    expect(self.Stats.serf_lan).toMatchObject({ members: '3', failed: '0', left: '0', encrypted: 'false' });
    // The leader reconciles every member into its catalog, each with a serfHealth check.
    const serfHealth = async (x: AgentProcess, node: string) =>
      ((await req(x, 'GET', `/v1/health/node/${node}`)).json() as Array<{ CheckID: string; Status: string }>).find((h) => h.CheckID === 'serfHealth')?.Status;
    await waitFor(async () => (await req(a, 'GET', '/v1/catalog/nodes')).json().map((n: { Node: string }) => n.Node).sort().join() === 'g-one,g-three,g-two', 'all members in the catalog');
    expect(await serfHealth(a, 'g-three')).toBe('passing');
    expect((await req(a, 'GET', '/v1/catalog/service/consul')).json().map((s: { Node: string }) => s.Node).sort()).toEqual(['g-one', 'g-three', 'g-two']);
    // ?segment: `_all` is the one pool; a named segment is not supported in CE.
    expect((await req(a, 'GET', '/v1/agent/members?segment=_all')).json()).toHaveLength(3);
    const seg = await req(a, 'GET', '/v1/agent/members?segment=alpha');
    expect([seg.status, seg.text]).toEqual([500, 'Network segments are not supported in this version of Consul']);
    expect((await req(a, 'GET', '/v1/agent/members?wan=1&segment=x')).status).toBe(400);
    // The servers of the LAN pool are flooded into the WAN pool as <node>.<dc> (Consul's FloodJoins).
    await waitFor(async () => (await req(a, 'GET', '/v1/agent/members?wan=1&segment=_all')).json().length === 3, 'three WAN members');
    expect((await req(a, 'GET', '/v1/agent/members?wan=1&segment=_all')).json().map((m: Member) => m.Name).sort()).toEqual(['g-one.dc1', 'g-three.dc1', 'g-two.dc1']);
    expect((await req(a, 'GET', '/v1/agent/members?filter=' + encodeURIComponent('Name == "g-two"'))).json().map((m: Member) => m.Name)).toEqual(['g-two']);

    // `proconsul members`: Consul's columns, servers sorted by name.
    const table = await cli(b, ['members']);
    expect(table.code).toBe(0);
    const rows = table.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/));
    expect(rows[0]).toEqual(['Node', 'Address', 'Status', 'Type', 'Build', 'Protocol', 'DC', 'Partition', 'Segment']);
    expect(rows.slice(1)).toEqual([
      ['g-one', '127.0.64.1:8301', 'alive', 'server', '1.17.0', '2', 'dc1', 'default', '<all>'],
      ['g-three', '127.0.64.3:8301', 'alive', 'server', '1.17.0', '2', 'dc1', 'default', '<all>'],
      ['g-two', '127.0.64.2:8301', 'alive', 'server', '1.17.0', '2', 'dc1', 'default', '<all>'],
    ]);
    expect((await cli(b, ['members', '-detailed'])).stdout).toMatch(/^g-one\s+127\.0\.64\.1:8301\s+alive\s+acls=0,bootstrap=1,build=1\.17\.0:proconsul-[\d.]+,dc=dc1,ft_fs=1,ft_si=1,id=[0-9a-f-]{36},port=8300,raft_vsn=3,role=consul,segment=,vsn=2,vsn_max=3,vsn_min=2,wan_join_port=8302$/m);

    // User events: fired on one agent, listed on every agent with the same Lamport time.
    const watch = req(c, 'GET', `/v1/event/list?name=deploy&index=${(await req(c, 'GET', '/v1/event/list?name=deploy')).headers.get('x-consul-index')}&wait=20s`);
    const fired = (await req(b, 'PUT', '/v1/event/fire/deploy', 'v1.2.3')).json() as Event;
    expect(fired.LTime).toBe(0);
    const woke = await watch;
    expect(woke.json().map((e: Event) => [e.ID, e.Payload])).toEqual([[fired.ID, Buffer.from('v1.2.3').toString('base64')]]);
    const lists = await Promise.all([a, b, c].map(async (x) => waitFor(async () => {
      const l = (await req(x, 'GET', '/v1/event/list?name=deploy')).json() as Event[];
      return l.length === 1 ? l : undefined;
    }, `deploy event at ${x.nodeName}`)));
    expect(new Set(lists.map((l) => `${l[0]!.ID}@${l[0]!.LTime}`)).size).toBe(1);
    expect(lists[0]![0]!.LTime).toBeGreaterThanOrEqual(1);
    // A node filter: only g-three keeps it; the CLI fires through the same endpoint.
    const ev = await cli(a, ['event', '-name', 'only-three', '-node', '^g-three$']);
    expect(ev.code).toBe(0);
    await waitFor(async () => (await req(c, 'GET', '/v1/event/list?name=only-three')).json().length === 1, 'filtered event at g-three');
    await waitFor(async () => (await req(c, 'GET', '/v1/event/list?name=deploy')).json().length === 1, 'g-three still has deploy');
    for (const x of [a, b]) expect((await req(x, 'GET', '/v1/event/list?name=only-three')).json()).toEqual([]);
    // Lamport time moved past the first event everywhere.
    const later = (await req(c, 'GET', '/v1/event/list?name=only-three')).json()[0] as Event;
    expect(later.LTime).toBeGreaterThan(lists[0]![0]!.LTime);

    // A crash is detected as failed (4); force-leave moves it to left (3) on every member.
    c.child.kill('SIGKILL');
    for (const x of [a, b]) await waitFor(async () => (await statusOf(x, 'g-three')) === 4, `g-three failed at ${x.nodeName}`);
    await waitFor(async () => (await serfHealth(a, 'g-three')) === 'critical', 'serfHealth critical for the failed member');
    expect((await cli(a, ['members', '-status', 'failed'])).stdout).toMatch(/^g-three\s+127\.0\.64\.3:8301\s+failed\s+server/m);
    const unknown = await req(a, 'PUT', '/v1/agent/force-leave/nobody');
    expect([unknown.status, unknown.text]).toEqual([500, "agent: No node found with name 'nobody'"]);
    expect((await cli(a, ['force-leave', 'g-three'])).code).toBe(0);
    for (const x of [a, b]) await waitFor(async () => (await statusOf(x, 'g-three')) === 3, `g-three left at ${x.nodeName}`);
    await waitFor(async () => (await req(a, 'GET', '/v1/catalog/node/g-three')).text === 'null', 'a member that left is deregistered');
    // -prune drops it from every member's list.
    expect((await req(a, 'PUT', '/v1/agent/force-leave/g-three?prune')).status).toBe(200);
    for (const x of [a, b]) await waitFor(async () => (await statusOf(x, 'g-three')) === undefined, `g-three pruned at ${x.nodeName}`);

    // A graceful leave: the answer comes after the intent was gossiped, then the process exits.
    const leave = await cli(b, ['leave']);
    expect([leave.code, leave.stdout.trim()]).toEqual([0, 'Graceful leave complete']);
    await waitFor(() => b.child.exitCode !== null, 'g-two exits after leave');
    expect(b.child.exitCode).toBe(0);
    await waitFor(async () => (await statusOf(a, 'g-two')) === 3, 'g-two left at g-one');
    expect((await members(a)).filter((m) => m.Status === 4)).toEqual([]); // a leave is never a failure
  }, 90_000);

  it('refuses a join nobody answers, with Consul\'s error shape; the CLI says which address failed', async () => {
    const a = await agent('127.0.64.5', 'g-lonely');
    const r = await req(a, 'PUT', '/v1/agent/join/127.0.64.6');
    expect(r.status).toBe(500);
    expect(r.text).toMatch(/^1 error occurred:\n\t\* Failed to join 127\.0\.64\.6: no gossip member answered at 127\.0\.64\.6:8301/);
    const wan = await req(a, 'PUT', '/v1/agent/join/127.0.64.6?wan=1');
    expect(wan.status).toBe(500);
    const j = await cli(a, ['join', '127.0.64.6']);
    expect(j.code).toBe(1);
    expect(j.stderr).toContain("Error joining address '127.0.64.6'");
    expect(j.stderr.trimEnd().split('\n').pop()).toBe('Failed to join any nodes.');
    expect((await members(a)).map((m) => m.Name)).toEqual(['g-lonely']);
  }, 40_000);

  it('exits 1 when -join finds nobody at start, and when -retry-join runs out of -retry-max attempts', () => {
    const run = (ip: string, args: string[]) =>
      spawnSync(process.execPath, [agentEntry, '-dev', '-bind', ip, '-client', ip, '-http-port', '0', '-dns-port', '-1', ...args], { encoding: 'utf8', timeout: 30_000 });
    const join = run('127.0.64.7', ['-join', '127.0.64.8']);
    expect(join.status).toBe(1);
    expect(join.stderr).toMatch(/Error starting agent: no gossip member answered at 127\.0\.64\.8:8301/);
    const t0 = Date.now();
    const retry = run('127.0.64.9', ['-retry-join', '127.0.64.10', '-retry-interval', '300ms', '-retry-max', '3']);
    expect(retry.status).toBe(1);
    expect(retry.stderr).toContain('agent: max join retry exhausted, exiting');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600); // three attempts, two intervals between them
  }, 60_000);
});

describe('a server and a client agent', () => {
  it('lists the client as Consul does, filters events by service and tag, and keeps keyring operations on servers', async () => {
    const dirs = [tempDir('proconsul-gsrv-'), tempDir('proconsul-gcli-')];
    try {
      const srv = await agent('127.0.64.41', 'c-server', ['-server', '-bootstrap', '-data-dir', dirs[0]!.path], false);
      const cl = await agent('127.0.64.42', 'c-client', ['-data-dir', dirs[1]!.path, '-retry-join', '127.0.64.41', '-retry-interval', '1s'], false);
      await waitFor(async () => (await members(srv)).filter((m) => m.Status === 1).length === 2, 'client joined');
      const client = (await members(srv)).find((m) => m.Name === 'c-client')!;
      expect(Object.keys(client.Tags).sort()).toEqual(['acls', 'build', 'dc', 'id', 'role', 'segment', 'vsn', 'vsn_max', 'vsn_min']);
      expect(client.Tags.role).toBe('node');
      const table = (await cli(srv, ['members'])).stdout.trimEnd().split('\n').map((l) => l.split(/\s+/));
      expect(table.slice(1).map((r) => [r[0], r[3], r[8]])).toEqual([['c-server', 'server', '<all>'], ['c-client', 'client', '<default>']]);
      expect((await req(cl, 'GET', '/v1/agent/members?wan=1')).text).toBe('null');
      const ring = await req(cl, 'GET', '/v1/operator/keyring');
      expect([ring.status, ring.text]).toEqual([500, 'keyring operations must run against a server node']);

      // Only the client runs web tagged v1: an event filtered on them is kept there, not on the server.
      expect((await req(cl, 'PUT', '/v1/agent/service/register', JSON.stringify({ Name: 'web', Tags: ['v1'], Port: 80 }))).status).toBe(200);
      const fired = (await req(srv, 'PUT', '/v1/event/fire/deploy-web?service=web&tag=v1', 'go')).json() as Event;
      await waitFor(async () => (await req(cl, 'GET', '/v1/event/list?name=deploy-web')).json().length === 1, 'filtered event at the client');
      expect((await req(cl, 'GET', '/v1/event/list?name=deploy-web')).json()[0].ID).toBe(fired.ID);
      await req(cl, 'PUT', '/v1/event/fire/from-client'); // and the other way round
      await waitFor(async () => (await req(srv, 'GET', '/v1/event/list?name=from-client')).json().length === 1, 'client event at the server');
      expect((await req(srv, 'GET', '/v1/event/list?name=deploy-web')).json()).toEqual([]);
    } finally {
      await Promise.all(started.splice(0).map((a) => a.stop()));
      for (const d of dirs) d.remove();
    }
  }, 90_000);
});

describe('the member snapshot in the data dir', () => {
  it('lets a restarted server rejoin by itself, but not after a graceful leave (rejoin_after_leave off)', async () => {
    const dir = tempDir('proconsul-snapshot-');
    try {
      const a = await agent('127.0.64.31', 's-dev');
      const s = await agent('127.0.64.32', 's-durable', ['-server', '-bootstrap', '-data-dir', dir.path], false);
      expect((await req(s, 'PUT', '/v1/agent/join/127.0.64.31')).status).toBe(200);
      await waitFor(async () => (await statusOf(a, 's-durable')) === 1, 's-durable alive at s-dev');
      // SIGTERM: a server does not leave (leave_on_terminate is off), so it shows as failed...
      await s.stop();
      // What the first run wrote and said, for a failure below (s-dev also reconnects to a failed
      // member on its own after 10 s, which would hide a snapshot without it).
      const snapshot = readFileSync(join(dir.path, 'serf', 'local.snapshot'), 'utf8');
      const firstRun = `snapshot: ${snapshot}\nfirst run:\n${s.output()}`;
      expect(JSON.parse(snapshot).alive, firstRun).toHaveProperty('s-dev');
      await waitFor(async () => (await statusOf(a, 's-durable')) === 4, 's-durable failed at s-dev');
      // ...and, restarted with no join flag at all, it finds the cluster from its snapshot.
      await s.restart();
      await waitFor(async () => (await statusOf(a, 's-durable')) === 1, 's-durable rejoined from its snapshot', 20_000);
      expect((await members(s)).map((m) => m.Name).sort()).toEqual(['s-dev', 's-durable']);
      expect(s.output(), firstRun).toContain('Attempting re-join to previously known nodes');
      // After a graceful leave the snapshot says so: a restart stays out of the cluster.
      expect((await req(s, 'PUT', '/v1/agent/leave')).status).toBe(200);
      await waitFor(() => s.child.exitCode !== null, 's-durable exits after leave');
      await waitFor(async () => (await statusOf(a, 's-durable')) === 3, 's-durable left at s-dev');
      await s.restart();
      expect((await members(s)).map((m) => m.Name)).toEqual(['s-durable']);
      expect(s.output()).toContain('ignoring previously known members: this agent left the cluster');
      expect(await statusOf(a, 's-durable')).toBe(3);
    } finally {
      dir.remove();
    }
  }, 90_000);
});

describe('gossip encryption (-encrypt) and the keyring across the cluster', () => {
  it('keeps out agents without the key, and rotates keys with proconsul keyring on every member, persisted in the data dir', async () => {
    const k1 = randomBytes(16).toString('base64'); // AES-128
    const k2 = randomBytes(32).toString('base64'); // AES-256
    const dir = tempDir('proconsul-keyring-');
    try {
      const a = await agent('127.0.64.21', 'k-one', ['-encrypt', k1]);
      const b = await agent('127.0.64.22', 'k-two', ['-encrypt', k1, '-join', '127.0.64.21']);
      const s = await agent('127.0.64.23', 'k-durable', ['-server', '-bootstrap', '-data-dir', dir.path, '-encrypt', k1, '-retry-join', '127.0.64.21', '-retry-interval', '1s'], false);
      await waitFor(async () => (await members(a)).filter((m) => m.Status === 1).length === 3, 'three encrypted members');

      // No key, or another key: the join is refused and nobody learns of the intruder.
      const plain = await agent('127.0.64.24', 'k-plain');
      const wrong = await agent('127.0.64.25', 'k-wrong', ['-encrypt', randomBytes(32).toString('base64')]);
      for (const x of [plain, wrong]) {
        const r = await req(x, 'PUT', '/v1/agent/join/127.0.64.21');
        expect(r.status).toBe(500);
        expect(r.text).toContain('Failed to join 127.0.64.21');
      }
      const outsider = await req(plain, 'GET', '/v1/operator/keyring');
      expect(outsider.status).toBe(500);
      // A server's keyring operations cover its WAN pool (`<node>.<dc>`) first, then the LAN pool.
      expect(outsider.text).toBe(
        '4 errors occurred:\n\t* WAN error: 1/1 nodes reported failure\n\t* k-plain.dc1: Keyring is empty (encryption not enabled)\n' +
          '\t* dc1 (LAN) error: 1/1 nodes reported failure\n\t* k-plain: Keyring is empty (encryption not enabled)\n\n',
      );
      await plain.stop();
      await wrong.stop();
      expect((await members(a)).map((m) => m.Name).sort()).toEqual(['k-durable', 'k-one', 'k-two']);

      const list = async (x: AgentProcess) => (await req(x, 'GET', '/v1/operator/keyring')).json();
      expect((await req(a, 'GET', '/v1/agent/self')).json().Stats.serf_lan.encrypted).toBe('true');
      // The three servers are flooded into the WAN pool, whose keyring starts from the same key.
      await waitFor(async () => (await req(a, 'GET', '/v1/agent/members?wan=1')).json().filter((m: Member) => m.Status === 1).length === 3, 'three WAN members');
      expect(await list(b)).toEqual([
        { WAN: true, Datacenter: 'dc1', Segment: '', Keys: { [k1]: 3 }, PrimaryKeys: { [k1]: 3 }, NumNodes: 3 },
        { WAN: false, Datacenter: 'dc1', Segment: '', Keys: { [k1]: 3 }, PrimaryKeys: { [k1]: 3 }, NumNodes: 3 },
      ]);
      // Rotation: install everywhere, use everywhere, remove the old key everywhere.
      expect((await cli(a, ['keyring', '-install', k2])).code).toBe(0);
      expect((await list(b))[0].Keys).toEqual({ [k1]: 3, [k2]: 3 });
      const removePrimary = await cli(a, ['keyring', '-remove', k1]);
      expect(removePrimary.code).toBe(1);
      expect(removePrimary.stderr).toContain('k-two: Removing the primary key is not allowed');
      expect((await cli(a, ['keyring', '-use', k2])).code).toBe(0);
      expect((await cli(b, ['keyring', '-remove', k1])).code).toBe(0);
      const after = await cli(a, ['keyring', '-list']);
      expect(after.stdout).toBe(`==> Gathering installed encryption keys...\n\nWAN:\n  ${k2} [3/3]\n\ndc1 (LAN):\n  ${k2} [3/3]\n`);
      expect((await list(s)).map((r: { PrimaryKeys: unknown }) => r.PrimaryKeys)).toEqual([{ [k2]: 3 }, { [k2]: 3 }]);
      expect((await req(b, 'GET', '/v1/operator/keyring?relay-factor=2')).json()[0].Keys).toEqual({ [k2]: 3 });
      expect((await req(b, 'GET', '/v1/operator/keyring?relay-factor=6')).status).toBe(400);
      expect((await req(s, 'GET', '/v1/operator/keyring?local-only=true')).json()).toEqual([{ WAN: false, Datacenter: 'dc1', Segment: '', Keys: { [k2]: 1 }, PrimaryKeys: { [k2]: 1 }, NumNodes: 1 }]);
      expect((await req(s, 'POST', '/v1/operator/keyring?local-only=true', JSON.stringify({ Key: k2 }))).status).toBe(400);
      const bad = await req(a, 'POST', '/v1/operator/keyring', JSON.stringify({ Key: randomBytes(20).toString('base64') }));
      expect([bad.status, bad.text]).toEqual([400, 'Invalid key: key size must be 16, 24 or 32 bytes']);

      // The cluster still talks under the new key only: an event reaches everyone.
      await req(a, 'PUT', '/v1/event/fire/rotated');
      for (const x of [a, b, s]) await waitFor(async () => (await req(x, 'GET', '/v1/event/list?name=rotated')).json().length === 1, `event at ${x.nodeName}`);

      // The durable server restarts with the old -encrypt flag, but its keyring file has k2: it rejoins.
      await s.stop();
      await waitFor(async () => (await statusOf(a, 'k-durable')) !== 1, 'k-durable gone');
      await s.restart();
      await waitFor(async () => (await statusOf(a, 'k-durable')) === 1, 'k-durable rejoined under k2', 20_000);
      expect(s.output()).toContain('-encrypt is ignored');
    } finally {
      dir.remove();
    }
  }, 120_000);
});
