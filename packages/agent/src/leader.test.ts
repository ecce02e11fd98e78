import { Catalog, DEFAULT_AUTOPILOT } from '@proconsul/catalog';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { raftApplierFor } from './testing/catalog-raft.js';
import { MemberStatus, type AgentMember } from './gossip/index.js';
import { Leader, type LeaderOptions } from './leader.js';

async function setup(extra: Partial<LeaderOptions> = {}) {
  const catalog = new Catalog();
  const applier = await raftApplierFor(catalog);
  let t = 1_000_000;
  const opts: LeaderOptions = {
    catalog,
    applier,
    nodeName: 'n1',
    nodeId: '11111111-2222-3333-4444-555555555555',
    address: '127.0.1.40',
    taggedAddresses: { lan: '127.0.1.40', lan_ipv4: '127.0.1.40', wan: '127.0.1.40', wan_ipv4: '127.0.1.40' },
    serverPort: 8300,
    nodeMeta: {},
    logger: pino({ level: 'silent' }),
    now: () => t,
    sessionCheckMs: 5,
    ...extra,
  };
  const leader = new Leader(opts);
  return { catalog, applier, leader, opts, advance: (ms: number) => (t += ms) };
}

describe('Leader', () => {
  it('registers the node, the consul service and a passing serfHealth once', async () => {
    const { catalog, applier, leader } = await setup();
    await leader.establish();
    expect(catalog.services().value).toEqual({ consul: [] });
    expect(catalog.nodeChecks('n1').value.map((c) => [c.CheckID, c.Status, c.Output])).toEqual([
      ['serfHealth', 'passing', 'Agent alive and reachable'],
    ]);
    const index = applier.lastIndex;
    leader.stop();
    await leader.establish(); // already registered: no new write
    expect(applier.lastIndex).toBe(index);
    leader.stop();
  });

  it("writes the agent config's autopilot settings when the state has none, and never over a stored one", async () => {
    const mine = { ...DEFAULT_AUTOPILOT, LastContactThresholdMs: 500, MaxTrailingLogs: 100 };
    const { catalog, applier, leader, opts } = await setup({ autopilot: mine });
    await leader.establish();
    leader.stop();
    const stored = catalog.autopilotConfig().value!;
    expect(stored).toMatchObject({ ...mine, CreateIndex: stored.ModifyIndex });
    expect(stored.CreateIndex).toBeGreaterThan(0);
    // Another leader with other settings (a server whose config file differs) leaves it as it is.
    const other = new Leader({ ...opts, autopilot: { ...DEFAULT_AUTOPILOT, MaxTrailingLogs: 7 } });
    const before = applier.lastIndex;
    await other.establish();
    other.stop();
    expect(catalog.autopilotConfig().value).toEqual(stored);
    expect(applier.lastIndex).toBe(before);
  });

  it('destroys a session once twice its TTL passed without renewal', async () => {
    const { catalog, applier, leader, advance } = await setup();
    await leader.establish();
    const id = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    await applier.apply({ Type: 'SessionCreate', Session: { ID: id, Node: 'n1', TTL: '10s', NodeChecks: ['serfHealth'] } });
    leader.touchSession(id, '10s');
    advance(15_000);
    await new Promise((r) => setTimeout(r, 30));
    expect(catalog.getSession(id)).toBeDefined(); // within TTL x 2
    leader.touchSession(id, '10s'); // a renewal restarts the timer
    advance(19_000);
    await new Promise((r) => setTimeout(r, 30));
    expect(catalog.getSession(id)).toBeDefined();
    advance(2_000);
    for (let i = 0; i < 50 && catalog.getSession(id); i++) await new Promise((r) => setTimeout(r, 10));
    expect(catalog.getSession(id)).toBeUndefined();
    leader.stop();
  });

  it('reaps KV tombstones once their TTL passed, in one write per bucket', async () => {
    const { catalog, applier, leader, advance } = await setup();
    await leader.establish();
    await applier.apply({ Type: 'KV', Verb: 'set', Key: 'app/a', Value: 'eA==' });
    await applier.apply({ Type: 'KV', Verb: 'delete', Key: 'app/a' });
    await applier.apply({ Type: 'KV', Verb: 'set', Key: 'app/b', Value: 'eA==' });
    await applier.apply({ Type: 'KV', Verb: 'delete', Key: 'app/b' });
    expect(catalog.stats().tombstones).toBe(2);
    await new Promise((r) => setTimeout(r, 30)); // the leader notices the new tombstones
    advance(10 * 60_000);
    await new Promise((r) => setTimeout(r, 30));
    expect(catalog.stats().tombstones).toBe(2); // still inside Consul's 15-minute TTL
    advance(6 * 60_000);
    for (let i = 0; i < 50 && catalog.stats().tombstones > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(catalog.stats().tombstones).toBe(0);
    leader.stop();
  });
});

describe('Leader reconciling gossip members', () => {
  const member = (Status: number): AgentMember => ({
    Name: 'client-1', Addr: '127.0.1.41', Port: 8301, Status, Tags: { role: 'node', dc: 'dc1' },
    ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4,
  });

  it('reconciles on a member event at once, not at the next periodic pass', async () => {
    let members = [member(MemberStatus.alive)];
    // The periodic pass is an hour away: only the event can make the change.
    const { catalog, leader } = await setup({ sessionCheckMs: 3_600_000, members: () => members, datacenter: 'dc1' });
    await leader.leadershipChanged(true);
    expect(catalog.getNode('client-1')).toBeDefined();
    members = [member(MemberStatus.left)];
    await leader.memberChanged();
    expect(catalog.getNode('client-1')).toBeUndefined();
    leader.close();
  });

  it('an event during a pass gets a pass of its own that reads the members afresh', async () => {
    let members = [member(MemberStatus.alive)];
    const { catalog, leader } = await setup({ sessionCheckMs: 3_600_000, members: () => members, datacenter: 'dc1' });
    await leader.leadershipChanged(true);
    members = [member(MemberStatus.left)];
    const first = leader.memberChanged(); // this pass reads "left" and deregisters
    members = [member(MemberStatus.alive)]; // the agent is back before that pass is done
    await Promise.all([first, leader.memberChanged()]);
    expect(catalog.nodeChecks('client-1').value.map((c) => [c.CheckID, c.Status])).toEqual([['serfHealth', 'passing']]);
    leader.close();
  });

  it('does nothing on a member event while not leading', async () => {
    const { catalog, leader } = await setup({ sessionCheckMs: 3_600_000, members: () => [member(MemberStatus.alive)], datacenter: 'dc1' });
    await leader.memberChanged();
    expect(catalog.getNode('client-1')).toBeUndefined();
  });
});

describe('Leader establishing leadership', () => {
  it('tries again while still the leader when the barrier fails, and not once leadership is lost', async () => {
    let barriers = 0;
    const failFirst = 2;
    const { catalog, leader } = await setup({
      establishRetryMs: 20,
      barrier: async () => {
        if (++barriers <= failFirst) throw new Error('raft: no cluster leader within 10000 ms');
      },
    });
    await leader.leadershipChanged(true);
    expect(catalog.node('n1').value).toBeNull(); // the first barrier failed
    for (let i = 0; i < 100 && !catalog.node('n1').value; i++) await new Promise((r) => setTimeout(r, 10));
    expect(barriers).toBe(failFirst + 1);
    expect(catalog.nodeChecks('n1').value.map((c) => [c.CheckID, c.Status])).toEqual([['serfHealth', 'passing']]);
    leader.close();

    // Leadership lost while a retry waits: the retry does not run.
    let tries = 0;
    const lost = await setup({
      establishRetryMs: 20,
      barrier: async () => {
        tries++;
        throw new Error('barrier timed out');
      },
    });
    await lost.leader.leadershipChanged(true);
    await lost.leader.leadershipChanged(false);
    await new Promise((r) => setTimeout(r, 80));
    expect(tries).toBe(1);
    lost.leader.close();
  });
});
