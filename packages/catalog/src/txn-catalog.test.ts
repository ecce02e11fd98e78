import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import type { TxnOp } from './commands.js';
import { emptyPreparedQuery } from './prepared-query-types.js';

const NODE_ID = '40e4a748-2192-161a-0510-9bf59fe950b5';

function txn(c: Catalog, idx: number, ...ops: TxnOp[]) {
  return c.apply(idx, { Type: 'Txn', Ops: ops, Now: 1_000 });
}

describe('txn Node, Service and Check operations', () => {
  it('sets, reads and deletes a node, a service and a check with Consul result shapes', () => {
    const c = new Catalog({ datacenter: 'dc2' });
    const r = txn(
      c,
      5,
      { Node: { Verb: 'set', Node: { ID: NODE_ID, Node: 'n1', Address: '10.0.0.1', Meta: { rack: 'r1' } } } },
      { Service: { Verb: 'set', Node: 'n1', Service: { Service: 'web', Port: 80, Tags: ['a'], Weights: { Passing: 3, Warning: 1 } } } },
      { Check: { Verb: 'set', Check: { Node: 'n1', Name: 'web-alive', ServiceID: 'web', Status: 'passing', Definition: { HTTP: 'http://10.0.0.1/', Interval: '10s' } } } },
      { Node: { Verb: 'get', Node: { Node: 'N1' } } },
    );
    expect(r.txn?.Errors).toBeNull();
    expect(r.txn?.Results).toEqual([
      { Node: { ID: NODE_ID, Node: 'n1', Address: '10.0.0.1', Datacenter: 'dc2', TaggedAddresses: null, Meta: { rack: 'r1' }, CreateIndex: 5, ModifyIndex: 5 } },
      {
        Service: {
          ID: 'web', Service: 'web', Tags: ['a'], Address: '', Meta: {}, Port: 80, Weights: { Passing: 3, Warning: 1 }, EnableTagOverride: false,
          Proxy: { Mode: '', MeshGateway: {}, Expose: {} }, Connect: {}, PeerName: '', CreateIndex: 5, ModifyIndex: 5,
        },
      },
      {
        Check: {
          Node: 'n1', CheckID: 'web-alive', Name: 'web-alive', Status: 'passing', Notes: '', Output: '', ServiceID: 'web', ServiceName: 'web', ServiceTags: ['a'],
          Type: '', Interval: '', Timeout: '', ExposedPort: 0, Definition: { HTTP: 'http://10.0.0.1/', Interval: '10s' }, CreateIndex: 5, ModifyIndex: 5,
        },
      },
      { Node: { ID: NODE_ID, Node: 'n1', Address: '10.0.0.1', Datacenter: 'dc2', TaggedAddresses: null, Meta: { rack: 'r1' }, CreateIndex: 5, ModifyIndex: 5 } },
    ]);
    expect(c.checkServiceNodes('web').value.map((e) => e.Checks.map((ch) => ch.CheckID))).toEqual([['web-alive']]);
    expect(c.serviceIndex('web')).toBe(5);

    // get by node ID; reads of missing entries; deletes give no result.
    expect(c.readTxn([{ Node: { Verb: 'get', Node: { ID: NODE_ID, Node: 'whatever' } } }]).response.Results?.length).toBe(1);
    const missing = c.readTxn([
      { Node: { Verb: 'get', Node: { Node: 'nope' } } },
      { Service: { Verb: 'get', Node: 'n1', Service: { ID: 'db', Service: 'db' } } },
      { Check: { Verb: 'get', Check: { Node: 'n1', CheckID: 'zz' } } },
    ]);
    expect(missing.response.Errors).toEqual([
      { OpIndex: 0, What: 'node "nope" doesn\'t exist' },
      { OpIndex: 1, What: 'service "db" on node "n1" doesn\'t exist' },
      { OpIndex: 2, What: 'check "zz" on node "n1" doesn\'t exist' },
    ]);
    const del = txn(c, 6, { Service: { Verb: 'delete', Node: 'n1', Service: { ID: 'web', Service: 'web' } } }, { Check: { Verb: 'delete', Check: { Node: 'n1', CheckID: 'gone' } } });
    expect(del.txn).toEqual({ Results: [], Errors: null });
    // Deleting the service took its check with it, as a catalog deregistration does.
    expect(c.nodeChecks('n1').value).toEqual([]);
    expect(txn(c, 7, { Node: { Verb: 'delete', Node: { Node: 'n1' } } }).ok).toBe(true);
    expect(c.nodes().value).toEqual([]);
  });

  it('cas and delete-cas follow the ModifyIndex (0: must not exist) with Consul texts', () => {
    const c = new Catalog();
    expect(txn(c, 3, { Node: { Verb: 'cas', Node: { Node: 'n1', Address: '10.0.0.1', ModifyIndex: 0 } } }).ok).toBe(true);
    const stale = txn(
      c,
      4,
      { Node: { Verb: 'cas', Node: { Node: 'n1', Address: '10.0.0.2', ModifyIndex: 0 } } },
      { Node: { Verb: 'delete-cas', Node: { Node: 'n1', ModifyIndex: 2 } } },
      { Service: { Verb: 'cas', Node: 'n1', Service: { ID: 's1', Service: 'web', ModifyIndex: 9 } } },
      { Service: { Verb: 'delete-cas', Node: 'n1', Service: { ID: 's1', Service: 'web', ModifyIndex: 9 } } },
      { Check: { Verb: 'cas', Check: { Node: 'n1', CheckID: 'c1', ModifyIndex: 9 } } },
      { Check: { Verb: 'delete-cas', Check: { Node: 'n1', CheckID: 'c1', ModifyIndex: 0 } } },
      { Node: { Verb: 'cas', Node: { Node: 'n2', ModifyIndex: 7 } } },
    );
    expect(stale.txn?.Errors).toEqual([
      { OpIndex: 0, What: 'failed to set node "n1", index is stale' },
      { OpIndex: 1, What: 'failed to delete node "n1", index is stale' },
      { OpIndex: 2, What: 'failed to set service "s1" on node "n1", index is stale' },
      { OpIndex: 3, What: 'failed to delete service "s1" on node "n1", index is stale' },
      { OpIndex: 4, What: 'failed to set check "c1" on node "n1", index is stale' },
      { OpIndex: 5, What: 'failed to delete check "c1" on node "n1", index is stale' },
      { OpIndex: 6, What: 'failed to set node "n2", index is stale' },
    ]);
    const ok = txn(
      c,
      5,
      { Node: { Verb: 'cas', Node: { Node: 'n1', Address: '10.0.0.2', ModifyIndex: 3 } } },
      { Service: { Verb: 'cas', Node: 'n1', Service: { ID: 's1', Service: 'web', ModifyIndex: 0 } } },
    );
    expect(ok.txn?.Errors).toBeNull();
    expect(c.node('n1').value?.Node.Address).toBe('10.0.0.2');
    expect(c.node('n1').value?.Node.CreateIndex).toBe(3);
    expect(txn(c, 6, { Service: { Verb: 'delete-cas', Node: 'n1', Service: { ID: 's1', Service: 'web', ModifyIndex: 5 } } }).ok).toBe(true);
    expect(c.serviceNodes('web').value).toEqual([]);
  });

  it('refuses what Consul refuses: no node, a bad ID, a missing node or service, bad meta, an unknown verb', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'Register', Node: 'n1', Address: '10.0.0.1', ID: NODE_ID });
    const r = txn(
      c,
      2,
      { Node: { Verb: 'set', Node: { Node: '' } } },
      { Node: { Verb: 'set', Node: { Node: 'n2', ID: 'not-a-uuid' } } },
      { Node: { Verb: 'set', Node: { Node: 'n2', ID: NODE_ID } } },
      { Service: { Verb: 'set', Node: 'ghost', Service: { Service: 'web' } } },
      { Service: { Verb: 'set', Node: 'n1', Service: { ID: 'x' } as never } },
      { Service: { Verb: 'set', Node: 'n1', Service: { Service: 'web', Meta: { 'consul-x': 'y' } } } },
      { Check: { Verb: 'set', Check: { Node: 'ghost', CheckID: 'c' } } },
      { Check: { Verb: 'set', Check: { Node: 'n1', CheckID: 'c', ServiceID: 'nope' } } },
      { Check: { Verb: 'set', Check: { Node: 'n1', CheckID: 'c', Status: 'bogus' } } },
      { Node: { Verb: 'frob' as never, Node: { Node: 'n1' } } },
    );
    expect(r.txn?.Errors).toEqual([
      { OpIndex: 0, What: 'Must provide node' },
      { OpIndex: 1, What: 'Bad node ID: node ID "not-a-uuid" is not a valid UUID' },
      { OpIndex: 2, What: `failed inserting node: Error while renaming Node ID: "${NODE_ID}": node ID is in use by node n1 (10.0.0.1)` },
      { OpIndex: 3, What: 'Missing node registration' },
      { OpIndex: 4, What: 'Must provide service name with ID' },
      { OpIndex: 5, What: "Invalid Service Meta for node n1 and serviceID web: Couldn't load metadata pair ('consul-x', 'y'): Key prefix 'consul-' is reserved for internal use" },
      { OpIndex: 6, What: 'Missing node registration' },
      { OpIndex: 7, What: 'Missing service registration' },
      { OpIndex: 8, What: "Invalid check status: 'bogus'" },
      { OpIndex: 9, What: 'unknown Node verb "frob"' },
    ]);
    expect(c.readTxn([{ Node: { Verb: 'set', Node: { Node: 'n1' } } }]).response.Errors).toEqual([{ OpIndex: 0, What: 'cannot set Node in a read-only transaction' }]);
  });

  it('a failed transaction puts back nodes, services, checks, sessions, their locks and queries, and every index', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'Register', Node: 'n1', Address: '10.0.0.1', Service: { ID: 'web1', Service: 'web' }, Checks: [{ CheckID: 'alive', Name: 'alive', Status: 'passing' }] });
    c.apply(2, { Type: 'SessionCreate', Session: { ID: 'sess-1', Node: 'n1', NodeChecks: ['alive'], Behavior: 'delete', LockDelay: 15e9 }, Now: 1_000 });
    c.apply(3, { Type: 'KV', Verb: 'lock', Key: 'leader', Value: 'eA==', Session: 'sess-1', Now: 1_000 });
    const query = emptyPreparedQuery();
    query.Service.Service = 'web';
    const created = c.apply(4, { Type: 'PreparedQuery', Op: 'create', Query: { ...query, ID: 'f004177f-2c28-83b7-4229-eacc25fe55d1', Name: 'q', Session: 'sess-1' } });
    expect(created.ok).toBe(true);
    c.apply(5, { Type: 'CoordinateBatchUpdate', Coordinates: [{ Node: 'n1', Segment: '', Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 } }] });
    const before = c.snapshot();
    const webIndex = c.serviceIndex('web');

    // The critical check destroys the session (its lock key goes, its query too), the node delete takes
    // everything; the last op fails, so none of it may stay.
    const r = txn(
      c,
      6,
      { Check: { Verb: 'set', Check: { Node: 'n1', CheckID: 'alive', Name: 'alive', Status: 'critical' } } },
      { Service: { Verb: 'set', Node: 'n1', Service: { ID: 'web1', Service: 'api' } } },
      { KV: { Verb: 'set', Key: 'other', Value: 'eQ==' } },
      { Node: { Verb: 'delete', Node: { Node: 'n1' } } },
      { Node: { Verb: 'set', Node: { Node: 'n9', Address: '10.0.0.9' } } },
      { Node: { Verb: 'get', Node: { Node: 'nope' } } },
    );
    expect(r.ok).toBe(false);
    expect(r.txn?.Errors).toEqual([{ OpIndex: 5, What: 'node "nope" doesn\'t exist' }]);
    expect({ ...c.snapshot(), Index: before.Index }).toEqual(before);
    expect(c.serviceIndex('web')).toBe(webIndex);
    expect(c.serviceNodes('web').value.map((s) => s.ServiceID)).toEqual(['web1']);
    expect(c.serviceNodes('api').value).toEqual([]);
    expect(c.nodes().value.map((n) => n.Node)).toEqual(['n1']);
    expect(c.kvGet('leader').value?.Session).toBe('sess-1');
    expect(c.preparedQueryList().value.map((q) => q.Name)).toEqual(['q']);

    // The same without the failing op: applied whole.
    const applied = txn(c, 7, { Check: { Verb: 'set', Check: { Node: 'n1', CheckID: 'alive', Name: 'alive', Status: 'critical' } } });
    expect(applied.ok).toBe(true);
    expect(c.kvGet('leader').value).toBeNull();
    expect(c.sessionInfo('sess-1').value).toEqual([]);
    expect(c.preparedQueryList().value).toEqual([]);
  });
});
