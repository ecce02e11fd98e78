import { Catalog } from '@proconsul/catalog';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { raftApplierFor } from '../testing/catalog-raft.js';
import { MemberStatus, type AgentMember, type LanMembership, type MembershipEvent } from './lan.js';
import { MemberReconciler } from './reconcile.js';

/** A membership we drive by hand: the seam between gossip and the leader. */
class FakeMembership implements LanMembership {
  list: AgentMember[] = [];
  listeners = new Set<(e: MembershipEvent) => void>();
  members(): AgentMember[] {
    return this.list;
  }
  localMember(): AgentMember {
    return this.list[0]!;
  }
  onMember(l: (e: MembershipEvent) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(e: MembershipEvent): void {
    for (const l of this.listeners) l(e);
  }
}

const member = (name: string, status: number, role = 'node', addr = '10.0.0.2'): AgentMember => ({
  Name: name, Addr: addr, Port: 8301, Status: status,
  Tags: { role, id: `00000000-0000-0000-0000-${Buffer.from(name).toString('hex').padStart(12, '0').slice(-12)}`, build: '1.17.0:proconsul-0.1.0', segment: '', port: '8300', raft_vsn: '3', dc: 'dc1' },
  ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4,
});

async function setup() {
  const catalog = new Catalog();
  const applier = await raftApplierFor(catalog);
  const membership = new FakeMembership();
  const r = new MemberReconciler({ catalog, applier, membership, selfName: 'self', logger: pino({ level: 'silent' }), now: () => 1_000_000 });
  const serf = (node: string) => catalog.nodeChecks(node).value.find((c) => c.CheckID === 'serfHealth');
  return { catalog, applier, membership, r, serf };
}

describe('MemberReconciler', () => {
  it('registers alive members with a passing serfHealth (servers with the consul service), once', async () => {
    const { catalog, applier, membership, r, serf } = await setup();
    membership.list = [member('self', MemberStatus.alive, 'consul'), member('web1', MemberStatus.alive), member('srv2', MemberStatus.alive, 'consul', '10.0.0.3')];
    r.start();
    await r.idle();
    expect(catalog.node('self').value).toBeNull(); // the local node is the Leader's own business
    expect(serf('web1')).toMatchObject({ Status: 'passing', Output: 'Agent alive and reachable', Name: 'Serf Health Status' });
    expect(catalog.node('web1').value!.Node).toMatchObject({ Address: '10.0.0.2', Meta: { 'consul-network-segment': '', 'consul-version': '1.17.0' } });
    expect(Object.keys(catalog.node('web1').value!.Services)).toEqual([]);
    expect(catalog.node('srv2').value!.Services['consul']).toMatchObject({ Port: 8300, Meta: { raft_version: '3', version: '1.17.0', serf_protocol_current: '2' } });
    const index = applier.lastIndex;
    r.reconcileAll();
    await r.idle();
    expect(applier.lastIndex).toBe(index); // nothing changed: no writes
    await r.stop();
  });

  it('marks a failed member critical, deregisters one that left or was reaped, and nodes no member knows', async () => {
    const { catalog, applier, membership, r, serf } = await setup();
    membership.list = [member('a', MemberStatus.alive), member('bb', MemberStatus.alive)];
    r.start();
    await r.idle();
    membership.emit({ type: 'member-failed', member: member('a', MemberStatus.failed) });
    await r.idle();
    expect(serf('a')).toMatchObject({ Status: 'critical', Output: 'Agent not live or unreachable' });
    membership.emit({ type: 'member-join', member: member('a', MemberStatus.alive) });
    await r.idle();
    expect(serf('a')?.Status).toBe('passing');
    membership.emit({ type: 'member-leave', member: member('a', MemberStatus.left) });
    membership.emit({ type: 'member-reap', member: member('bb', MemberStatus.failed) });
    await r.idle();
    expect(catalog.node('a').value).toBeNull();
    expect(catalog.node('bb').value).toBeNull();
    // A node registered by an earlier leader whose member is gone entirely (reaped while no leader ran).
    membership.list = [];
    await applier.apply({
      Type: 'Register', Node: 'ghost', Address: '10.0.0.9', Check: { CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'critical' },
    });
    expect(catalog.node('ghost').value).not.toBeNull();
    r.reconcileAll();
    await r.idle();
    expect(catalog.node('ghost').value).toBeNull();
    await r.stop();
    membership.emit({ type: 'member-join', member: member('late', MemberStatus.alive) });
    await r.idle();
    expect(catalog.node('late').value).toBeNull(); // stopped: no more writes
  });
});
