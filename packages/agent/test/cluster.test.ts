// The tutorials' cluster on one machine: three servers on 127.0.65.51-53 with
// -bootstrap-expect 3 and -retry-join, real processes. One leader; reads and writes through any
// server; a leader killed with -9 is replaced and writes resume; it rejoins from its data dir;
// and after kill -9 of all three under load every acknowledged write is there.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, http, RUN_JS, sleep, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const CLI_JS = resolve(RUN_JS, '../../../cli/dist/bin.js');
const IPS = ['127.0.65.51', '127.0.65.52', '127.0.65.53'];
const dirs = IPS.map(() => tempDir('proconsul-cluster-'));
const args = (i: number): string[] => [
  '-server', '-bootstrap-expect', '3', '-data-dir', dirs[i]!.path, '-bind', IPS[i]!, '-client', IPS[i]!, '-node', `server-${i + 1}`,
  '-retry-join', IPS[(i + 1) % 3]!, '-retry-interval', '1s', '-dns-port', '-1', '-log-level', 'warn',
];
const agents: (AgentProcess | undefined)[] = [];

/** Starts server i; ready once its HTTP API answers (it may not know a leader yet). */
async function start(i: number): Promise<AgentProcess> {
  const a = await startAgentProcess(args(i), `${IPS[i]}:8500`, { waitForLeader: false });
  agents[i] = a;
  return a;
}

async function leaderOf(a: AgentProcess): Promise<string> {
  const r = await http(a.base, 'GET', '/v1/status/leader');
  return r.status === 200 ? (r.json() as string) : '';
}

/** Waits until every given server names the same leader; returns its index in IPS. */
async function agreedLeader(live: number[]): Promise<number> {
  return eventually(async () => {
    const names = await Promise.all(live.map((i) => leaderOf(agents[i]!).catch(() => '')));
    if (names[0] === '' || names.some((n) => n !== names[0])) return undefined;
    return IPS.indexOf(names[0]!.split(':')[0]!) + 1;
  }, `a leader agreed on by servers ${live.join(',')}`, 150, 100).then((i) => i - 1);
}

afterAll(async () => {
  for (const a of agents) await a?.kill9();
  for (const d of dirs) d.remove();
});

describe('three servers with -bootstrap-expect 3', () => {
  it('elect one leader, serve reads and writes through any server, and survive the leader dying', async () => {
    await Promise.all(IPS.map((_, i) => start(i)));
    const leader = await agreedLeader([0, 1, 2]);
    const peers = (await http(agents[0]!.base, 'GET', '/v1/status/peers')).json();
    expect([...peers].sort()).toEqual(IPS.map((ip) => `${ip}:8300`));

    // The Raft configuration and autopilot's health, as the leader sees them, from any server.
    const conf = (await http(agents[(leader + 1) % 3]!.base, 'GET', '/v1/operator/raft/configuration')).json();
    expect(conf.Servers.map((s: { Node: string }) => s.Node).sort()).toEqual(['server-1', 'server-2', 'server-3']);
    expect(conf.Servers.filter((s: { Leader: boolean }) => s.Leader).map((s: { Address: string }) => s.Address)).toEqual([`${IPS[leader]}:8300`]);
    expect(conf.Servers.every((s: { Voter: boolean }) => s.Voter)).toBe(true);
    const health = await eventually(async () => {
      const r = await http(agents[0]!.base, 'GET', '/v1/operator/autopilot/health');
      return r.status === 200 ? r.json() : undefined;
    }, 'autopilot to report a healthy cluster');
    expect(health).toMatchObject({ Healthy: true, FailureTolerance: 1 });
    // The CLI of the tutorials: members and list-peers.
    const cli = (...argv: string[]): string =>
      execFileSync(process.execPath, [CLI_JS, ...argv, `-http-addr=${IPS[0]}:8500`], { encoding: 'utf8' });
    const peersTable = cli('operator', 'raft', 'list-peers').trim().split('\n');
    expect(peersTable.length).toBe(4);
    expect(peersTable.filter((l) => /\bleader\b/.test(l)).length).toBe(1);
    expect(peersTable.filter((l) => /\bfollower\b/.test(l)).length).toBe(2);
    expect(cli('members').trim().split('\n').filter((l) => /\balive\b/.test(l)).length).toBe(3);

    // A write through a follower is forwarded; a default read through the other follower sees it.
    const [f1, f2] = [0, 1, 2].filter((i) => i !== leader);
    const put = await http(agents[f1!]!.base, 'PUT', '/v1/kv/cluster/a', 'one');
    expect(put.text).toBe('true');
    const read = await http(agents[f2!]!.base, 'GET', '/v1/kv/cluster/a?raw');
    expect(read.text).toBe('one');
    expect(read.headers.get('x-consul-knownleader')).toBe('true');
    // A write's response carries that write's own index, also through a follower.
    const reg = await http(agents[f1!]!.base, 'PUT', '/v1/catalog/register', JSON.stringify({ Node: 'ext-1', Address: '10.9.9.9' }));
    const regIndex = Number(reg.headers.get('x-consul-index'));
    const node = (await http(agents[f2!]!.base, 'GET', '/v1/catalog/node/ext-1')).json();
    expect(node.Node.ModifyIndex).toBe(regIndex);
    // A stale read is answered by the follower itself, once it has applied the write.
    await eventually(async () => (await http(agents[f2!]!.base, 'GET', '/v1/kv/cluster/a?raw&stale')).text === 'one', 'stale read on a follower');
    const stale = await http(agents[f2!]!.base, 'GET', '/v1/kv/cluster/a?stale');
    expect(Number(stale.headers.get('x-consul-lastcontact'))).toBeGreaterThanOrEqual(0);
    // The catalog lists the three servers' nodes and the consul service on each.
    await eventually(async () => (await http(agents[f1!]!.base, 'GET', '/v1/catalog/service/consul')).json().length === 3, 'consul service on 3 nodes');

    // kill -9 the leader: the others elect a new one and writes resume through them.
    const acked = new Map<string, string>([['cluster/a', 'one']]);
    const killedAt = Date.now();
    await agents[leader]!.kill9();
    const survivors = [0, 1, 2].filter((i) => i !== leader);
    let firstWriteMs = -1;
    await eventually(async () => {
      const r = await http(agents[survivors[0]!]!.base, 'PUT', '/v1/kv/cluster/after-kill', 'two').catch(() => undefined);
      if (r?.text !== 'true') return false;
      firstWriteMs = Date.now() - killedAt;
      return true;
    }, 'a write after the leader was killed', 150, 50);
    acked.set('cluster/after-kill', 'two');
    const newLeader = await agreedLeader(survivors);
    expect(newLeader).not.toBe(leader);
    console.log(`cluster: leader kill -9 -> first successful write after ${firstWriteMs} ms`);

    // The killed server restarts from its data dir, catches up and follows.
    await start(leader);
    await agreedLeader([0, 1, 2]);
    await eventually(async () => (await http(agents[leader]!.base, 'GET', '/v1/kv/cluster/after-kill?raw&stale')).text === 'two', 'the restarted server to catch up');

    // Writers through every server while all three are killed: every acknowledged write survives.
    let stop = false;
    const writers = [0, 1, 2].map(async (i) => {
      for (let n = 0; !stop; n++) {
        const key = `cluster/w${i}/${n}`;
        const r = await http(agents[i]!.base, 'PUT', `/v1/kv/${key}`, `v${n}`).catch(() => undefined);
        if (!r) return;
        if (r.text === 'true') acked.set(key, `v${n}`);
      }
    });
    await sleep(1_500);
    await Promise.all(agents.map((a) => a!.kill9()));
    stop = true;
    await Promise.all(writers);
    await Promise.all(IPS.map((_, i) => start(i)));
    await agreedLeader([0, 1, 2]);
    const all = await eventually(async () => {
      const r = await http(agents[0]!.base, 'GET', '/v1/kv/cluster/?recurse');
      return r.status === 200 ? (r.json() as { Key: string; Value: string }[]) : undefined;
    }, 'the cluster to answer after a full restart');
    const stored = new Map(all.map((e) => [e.Key, Buffer.from(e.Value, 'base64').toString()]));
    for (const [k, v] of acked) expect(stored.get(k), k).toBe(v);
    console.log(`cluster: ${acked.size} acknowledged writes checked after kill -9 of all three servers`);
    expect(acked.size).toBeGreaterThan(10);

    // `operator raft transfer-leader -id=<ID>` hands leadership to that server.
    const before = await agreedLeader([0, 1, 2]);
    const target = [0, 1, 2].find((i) => i !== before)!;
    const servers = (await http(agents[0]!.base, 'GET', '/v1/operator/raft/configuration')).json().Servers as Array<{ Node: string; ID: string }>;
    const targetId = servers.find((s) => s.Node === `server-${target + 1}`)!.ID;
    expect(cli('operator', 'raft', 'transfer-leader', `-id=${targetId}`)).toBe('Success\n');
    expect(await agreedLeader([0, 1, 2])).toBe(target);

    // A graceful leave of the leader: leadership moves at once, the server leaves the Raft
    // configuration and its node leaves the catalog.
    const old = await agreedLeader([0, 1, 2]);
    const rest = [0, 1, 2].filter((i) => i !== old);
    expect((await http(agents[old]!.base, 'PUT', '/v1/agent/leave')).status).toBe(200);
    const next = await agreedLeader(rest);
    expect(next).not.toBe(old);
    await eventually(async () => {
      const c = (await http(agents[rest[0]!]!.base, 'GET', '/v1/operator/raft/configuration')).json();
      return c.Servers.length === 2 && !c.Servers.some((s: { Node: string }) => s.Node === `server-${old + 1}`);
    }, 'the leaving server to be removed from the Raft configuration');
    await eventually(async () => !(await http(agents[rest[0]!]!.base, 'GET', '/v1/catalog/nodes')).json().some((n: { Node: string }) => n.Node === `server-${old + 1}`), 'its node to leave the catalog');
    expect((await http(agents[rest[1]!]!.base, 'PUT', '/v1/kv/cluster/after-leave', 'x')).text).toBe('true');
  }, 240_000);
});

describe('a wiped server', () => {
  it('rejoins under a new ID, replaces its old Raft entry and receives the state as a snapshot', async () => {
    const ips = ['127.0.65.81', '127.0.65.82', '127.0.65.83'];
    const ds = ips.map(() => tempDir('proconsul-wiped-'));
    // Compact the log at once past the threshold (Consul's default interval is 120 s).
    const cfg = tempDir('proconsul-wiped-cfg-');
    writeFileSync(join(cfg.path, 'raft.json'), JSON.stringify({ raft_snapshot_interval: '1s' }));
    const a = (i: number): string[] => [
      '-server', '-bootstrap-expect', '3', '-data-dir', ds[i]!.path, '-bind', ips[i]!, '-client', ips[i]!, '-node', `wiped-${i + 1}`,
      '-config-file', join(cfg.path, 'raft.json'),
      '-retry-join', ips[(i + 1) % 3]!, '-retry-interval', '1s', '-dns-port', '-1', '-log-level', 'warn',
    ];
    const procs: AgentProcess[] = [];
    try {
      for (let i = 0; i < 3; i++) procs[i] = await startAgentProcess(a(i), `${ips[i]}:8500`, { waitForLeader: false });
      const leaderIp = await eventually(async () => {
        const l = (await http(procs[0]!.base, 'GET', '/v1/status/leader')).json() as string;
        return l ? l.split(':')[0] : undefined;
      }, 'a leader');
      const victim = ips.findIndex((ip) => ip !== leaderIp);
      // Enough writes that the leader compacts its log (snapshot threshold 16,384 entries).
      const writer = procs[ips.indexOf(leaderIp!)]!;
      for (let batch = 0; batch < 170; batch++) {
        await Promise.all(Array.from({ length: 100 }, (_, k) => http(writer.base, 'PUT', `/v1/kv/wiped/${batch}/${k}`, `${batch}-${k}`)));
      }
      const oldId = (await http(procs[victim]!.base, 'GET', '/v1/agent/self')).json().Config.NodeID;
      await procs[victim]!.kill9();
      ds[victim]!.remove();
      procs[victim] = await startAgentProcess(a(victim), `${ips[victim]}:8500`, { waitForLeader: false });
      const newId = (await http(procs[victim]!.base, 'GET', '/v1/agent/self')).json().Config.NodeID;
      expect(newId).not.toBe(oldId);
      await eventually(async () => {
        const c = (await http(writer.base, 'GET', '/v1/operator/raft/configuration')).json();
        const ids = c.Servers.map((s: { ID: string }) => s.ID);
        return ids.length === 3 && ids.includes(newId) && !ids.includes(oldId) && c.Servers.every((s: { Voter: boolean }) => s.Voter);
      }, 'the new ID to replace the old one as a voter', 300);
      await eventually(async () => (await http(procs[victim]!.base, 'GET', '/v1/kv/wiped/169/99?raw&stale')).text === '169-99', 'the wiped server to hold the state', 300);
      const keys = (await http(procs[victim]!.base, 'GET', '/v1/kv/wiped/?keys&stale')).json();
      expect(keys.length).toBe(17000);
      // It caught up from a snapshot: its log starts after one.
      const raft = (await http(procs[victim]!.base, 'GET', '/v1/agent/self')).json().Stats.raft;
      expect(Number(raft.last_snapshot_index)).toBeGreaterThan(0);
      // hashicorp/raft's Stats(): the terms of the last entry and of the snapshot.
      expect(Number(raft.last_snapshot_term)).toBeGreaterThan(0);
      expect(Number(raft.last_log_term)).toBeGreaterThanOrEqual(Number(raft.last_snapshot_term));
      expect(Number(raft.last_log_term)).toBeLessThanOrEqual(Number(raft.term));
      expect(raft).toMatchObject({ num_peers: '2', protocol_version: '3', snapshot_version_min: '0', snapshot_version_max: '1' });
    } finally {
      for (const p of procs) await p?.kill9();
      for (const d of ds) d.remove();
      cfg.remove();
    }
  }, 180_000);
});
