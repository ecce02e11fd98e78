import { Catalog } from '@proconsul/catalog';
import { describe, expect, it } from 'vitest';
import { MemberStatus, type AgentMember } from './gossip/index.js';
import { reconcileMembers } from './member-reconcile.js';
import { raftApplierFor } from './testing/catalog-raft.js';

const member = (name: string, Status: number): AgentMember => ({
  Name: name, Addr: '10.0.0.2', Port: 8301, Status, Tags: { role: 'node', dc: 'dc1' },
  ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4,
});

describe('reconcileMembers', () => {
  it('deregisters a node with a serfHealth check that gossip no longer knows, and leaves other nodes alone', async () => {
    const catalog = new Catalog({ datacenter: 'dc1' });
    const applier = await raftApplierFor(catalog);
    const o = { catalog, applier, datacenter: 'dc1', selfName: 'leader', now: () => 1_000 };
    await applier.apply({ Type: 'Register', Node: 'ghost', Address: '10.0.0.9', Check: { CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'critical' } });
    await applier.apply({ Type: 'Register', Node: 'external', Address: '10.0.0.8', Service: { Service: 'db' } });
    await applier.apply({ Type: 'Register', Node: 'leader', Address: '10.0.0.1', Check: { CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing' } });
    expect(await reconcileMembers([member('web', MemberStatus.alive)], o)).toBe(2);
    expect(catalog.nodes().value.map((n) => n.Node).sort()).toEqual(['external', 'leader', 'web']);
    expect(catalog.nodeChecks('web').value.map((c) => [c.CheckID, c.Status])).toEqual([['serfHealth', 'passing']]);
    expect(await reconcileMembers([member('web', MemberStatus.alive)], o)).toBe(0); // nothing left to change
  });

  it("never wipes the tagged addresses and meta a node's own agent registered", async () => {
    const catalog = new Catalog({ datacenter: 'dc1' });
    const raft = await raftApplierFor(catalog);
    const own = { Type: 'Register' as const, Node: 'web', Address: '10.0.0.2', TaggedAddresses: { lan: '10.0.0.2', wan: '192.0.2.2' }, NodeMeta: { rack: 'r1' } };
    // The agent's own registration lands between the leader's look at the catalog (no node yet)
    // and the leader's write.
    let raced = false;
    const applier = {
      apply: async (cmd: Parameters<typeof raft.apply>[0]) => {
        if (!raced) {
          raced = true;
          await raft.apply(own);
        }
        return raft.apply(cmd);
      },
    } as typeof raft;
    const o = { catalog, applier, datacenter: 'dc1', selfName: 'leader', now: () => 1_000 };
    expect(await reconcileMembers([member('web', MemberStatus.alive)], o)).toBe(1);
    expect(catalog.getNode('web')).toMatchObject({ Address: '10.0.0.2', TaggedAddresses: own.TaggedAddresses, Meta: own.NodeMeta });
    expect(catalog.nodeChecks('web').value.map((c) => [c.CheckID, c.Status])).toEqual([['serfHealth', 'passing']]);
    // A member at a new address: the address follows gossip, tagged addresses and meta stay.
    expect(await reconcileMembers([{ ...member('web', MemberStatus.alive), Addr: '10.0.0.3' }], o)).toBe(1);
    expect(catalog.getNode('web')).toMatchObject({ Address: '10.0.0.3', TaggedAddresses: own.TaggedAddresses, Meta: own.NodeMeta });
  });
});
