import { afterEach, describe, expect, it } from 'vitest';
import { NotLeaderError, RaftTimeoutError } from '../src/index.js';
import { TestCluster } from './helpers.js';

let cluster: TestCluster | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

async function threeNodes(opts: { snapshotThreshold?: number; trailingLogs?: number; requestTimeoutMs?: number } = {}): Promise<TestCluster> {
  const c = await TestCluster.create();
  const ids = ['n1', 'n2', 'n3'];
  for (let i = 0; i < ids.length; i++) await c.addMember(ids[i], `127.0.6.${i + 1}`);
  for (const id of ids) await c.startNode(id, ids, opts);
  return c;
}

describe('RaftNode over TCP with real disks', () => {
  it('answers a read issued the moment a single voter sees itself leader (before the Ready that reports it)', async () => {
    // Regression: reads were failed with "not the leader (leader is <itself>)" when the Ready
    // carrying this node's own leadership was processed after the read was issued.
    for (let round = 0; round < 10; round++) {
      const c = (cluster = await TestCluster.create());
      await c.addMember('solo', '127.0.6.9');
      const node = await c.startNode('solo', ['solo']);
      while (!node.isLeader()) await new Promise((r) => setImmediate(r));
      await expect(node.readIndex('safe')).resolves.toBeGreaterThanOrEqual(0);
      await c.close();
      cluster = null;
    }
  });

  it('fails a proposal that cannot commit with RaftTimeoutError once requestTimeoutMs has passed', async () => {
    cluster = await threeNodes({ requestTimeoutMs: 400 });
    const leader = await cluster.waitLeader();
    await cluster.put('a', '1');
    for (const id of ['n1', 'n2', 'n3']) if (cluster.members.get(id)!.node !== leader) await cluster.stopNode(id);
    const t0 = Date.now();
    const err = await leader.propose({ k: 'a', v: '2' }).catch((e: unknown) => e);
    const waited = Date.now() - t0;
    expect(err).toBeInstanceOf(RaftTimeoutError);
    // Checked every tick (50 ms here), not by a timer per request.
    expect(waited).toBeGreaterThanOrEqual(390);
    expect(waited).toBeLessThan(2000);
  });

  it('elects a leader, replicates commands to every node and serves linearizable reads on followers', async () => {
    cluster = await threeNodes();
    const leader = await cluster.waitLeader();
    const r1 = await cluster.put('a', '1');
    const r2 = await cluster.put('a', '2');
    expect(r2.index).toBeGreaterThan(r1.index);
    expect(r2.result).toBe('1');
    for (const id of ['n1', 'n2', 'n3']) await cluster.waitApplied(id, r2.index);
    for (const m of cluster.members.values()) expect(m.sm.data.get('a')).toBe('2');
    const follower = cluster.running().find((n) => n !== leader)!;
    const err = await follower.propose({ k: 'no', v: 'no' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotLeaderError);
    // The follower names a leader other than itself (normally `leader`, unless an election intervened).
    expect(['n1', 'n2', 'n3'].filter((id) => id !== follower.id)).toContain((err as NotLeaderError).leader);
    const readAt = await follower.readIndex();
    expect(readAt).toBeGreaterThanOrEqual(r2.index);
    const st = leader.status();
    expect(st.leader).toBe(leader.id);
    expect(st.peers.map((p) => p.id).sort()).toEqual(['n1', 'n2', 'n3']);
    expect(st.peers.every((p) => p.voter)).toBe(true);
    expect(st.lastContactMs).toBe(0);
    expect(follower.status().lastContactMs).toBeLessThan(5000);
  });

  it('replaces a stopped leader and keeps committing; the old leader recovers its log from disk', async () => {
    cluster = await threeNodes();
    const old = await cluster.waitLeader();
    await cluster.put('k', 'before');
    await cluster.stopNode(old.id);
    const next = await cluster.waitLeader();
    expect(next.id).not.toBe(old.id);
    const r = await cluster.put('k', 'after');
    await cluster.startNode(old.id, undefined);
    await cluster.waitApplied(old.id, r.index);
    expect(cluster.members.get(old.id)!.sm.data.get('k')).toBe('after');
  });

  it('adds a non-voter, promotes it, removes a voter; a late joiner gets a snapshot', async () => {
    cluster = await threeNodes({ snapshotThreshold: 20, trailingLogs: 0 });
    let last = 0;
    for (let i = 0; i < 45; i++) last = (await cluster.put(`key${i}`, `v${i}`)).index;
    const leader = await cluster.waitLeader();
    expect(leader.status().snapshotIndex).toBeGreaterThan(0);
    await cluster.addMember('n4', '127.0.6.4');
    await cluster.startNode('n4', undefined, { snapshotThreshold: 20, trailingLogs: 0 });
    await leader.changeMembership({ type: 'addLearner', id: 'n4' });
    expect(leader.status().peers.find((p) => p.id === 'n4')).toEqual(expect.objectContaining({ voter: false }));
    await cluster.waitApplied('n4', last);
    expect(cluster.members.get('n4')!.node!.status().snapshotIndex).toBeGreaterThan(0); // it came as a snapshot
    expect(cluster.members.get('n4')!.sm.data.get('key0')).toBe('v0');
    expect(cluster.members.get('n4')!.sm.data.get('key44')).toBe('v44');
    await leader.changeMembership({ type: 'promote', id: 'n4' });
    expect(leader.status().peers.find((p) => p.id === 'n4')?.voter).toBe(true);
    const victim = ['n1', 'n2', 'n3'].find((id) => id !== leader.id)!;
    await leader.changeMembership({ type: 'remove', id: victim });
    expect(leader.status().peers.map((p) => p.id).sort()).toEqual(['n1', 'n2', 'n3', 'n4'].filter((id) => id !== victim));
    const r = await cluster.put('after', 'membership');
    await cluster.waitApplied('n4', r.index);
  });

  it('transfers leadership on request', async () => {
    cluster = await threeNodes();
    const leader = await cluster.waitLeader();
    await cluster.put('x', 'y');
    const target = ['n1', 'n2', 'n3'].find((id) => id !== leader.id)!;
    const deadline = Date.now() + 10_000;
    let ok = false;
    while (Date.now() < deadline && !ok) {
      const l = await cluster.waitLeader();
      if (l.id === target) ok = true;
      else {
        await l.transferLeadership(target);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(ok).toBe(true);
  });
});
