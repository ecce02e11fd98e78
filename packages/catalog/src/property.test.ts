// Property tests: random command histories against invariants the HTTP layer relies on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import { snapshotFromStream } from './snapshot.js';
import type { Command, KVCommand, TxnKVOp, TxnOp } from './commands.js';
import type { Indexed } from './types.js';

const nodeName = fc.constantFrom('a', 'b', 'C', 'c');
const serviceName = fc.constantFrom('web', 'db', 'Web');
const serviceID = fc.constantFrom('s1', 's2', 'web');
const checkID = fc.constantFrom('serfHealth', 'c1', 'c2');
const status = fc.constantFrom('passing', 'warning', 'critical', '', 'bogus');
const key = fc.constantFrom('a', 'a/b', 'a/c', 'ab', 'b', 'b/x/y', '');
const sessionID = fc.constantFrom('s-1', 's-2', 's-3');
const value = fc.option(fc.constantFrom('', 'aGk=', 'eA=='), { nil: undefined });
const smallIndex = fc.integer({ min: 0, max: 40 });
const now = fc.integer({ min: 0, max: 100_000 });

const register: fc.Arbitrary<Command> = fc.record(
  {
    Type: fc.constant('Register' as const),
    Node: nodeName,
    Address: fc.constantFrom('10.0.0.1', '10.0.0.2', ''),
    NodeMeta: fc.option(fc.constantFrom({ rack: 'r1' }, { rack: 'r2' }), { nil: undefined }),
    SkipNodeUpdate: fc.boolean(),
    Service: fc.option(
      fc.record({ ID: serviceID, Service: serviceName, Port: fc.constantFrom(0, 80), Tags: fc.constantFrom<string[]>(['x'], ['x', 'y'], []) }),
      { nil: undefined },
    ),
    Checks: fc.option(fc.array(fc.record({ CheckID: checkID, Name: fc.constant('n'), Status: status, ServiceID: fc.constantFrom('', 's1', 'web') }), { maxLength: 2 }), {
      nil: undefined,
    }),
    Now: now,
  },
  { requiredKeys: ['Type', 'Node', 'Address', 'Now'] },
);

const deregister: fc.Arbitrary<Command> = fc.record(
  { Type: fc.constant('Deregister' as const), Node: nodeName, ServiceID: serviceID, CheckID: checkID, Now: now },
  { requiredKeys: ['Type', 'Node', 'Now'] },
);

const checkStatus: fc.Arbitrary<Command> = fc.record({
  Type: fc.constant('CheckStatus' as const),
  Node: nodeName,
  CheckID: checkID,
  Status: status,
  Now: now,
});

const kvVerb = fc.constantFrom('set', 'cas', 'lock', 'unlock', 'delete', 'delete-cas', 'delete-tree') as fc.Arbitrary<KVCommand['Verb']>;
const kvCommand: fc.Arbitrary<KVCommand> = fc.record({
  Type: fc.constant('KV' as const),
  Verb: kvVerb,
  Key: key,
  Value: value,
  Flags: fc.constantFrom(0, 7),
  Index: smallIndex,
  Session: sessionID,
  Now: now,
});

const sessionCreate: fc.Arbitrary<Command> = fc.record({
  Type: fc.constant('SessionCreate' as const),
  Session: fc.record(
    {
      ID: sessionID,
      Node: nodeName,
      Behavior: fc.constantFrom('release', 'delete') as fc.Arbitrary<'release' | 'delete'>,
      LockDelay: fc.constantFrom(0, 1_000_000_000),
      NodeChecks: fc.constantFrom<string[]>([], ['serfHealth'], ['c1']),
    },
    { requiredKeys: ['ID', 'Node'] },
  ),
  Now: now,
});

const sessionDestroy: fc.Arbitrary<Command> = fc.record({ Type: fc.constant('SessionDestroy' as const), ID: sessionID, Now: now });

const txnOp: fc.Arbitrary<TxnOp> = fc.record({
  KV: fc.record({
    Verb: fc.constantFrom('set', 'cas', 'lock', 'unlock', 'get', 'get-or-empty', 'get-tree', 'check-index', 'check-session', 'check-not-exists', 'delete', 'delete-tree', 'delete-cas'),
    Key: key,
    Value: value,
    Flags: fc.constantFrom(0, 3),
    Index: smallIndex,
    Session: sessionID,
  }),
}) as fc.Arbitrary<TxnOp>;
const catalogVerb = fc.constantFrom('set', 'cas', 'get', 'delete', 'delete-cas') as fc.Arbitrary<'set'>;
const catalogTxnOp: fc.Arbitrary<TxnOp> = fc.oneof(
  fc.record({
    Node: fc.record({
      Verb: catalogVerb,
      Node: fc.record(
        { Node: nodeName, Address: fc.constantFrom('10.0.0.1', '10.0.0.9'), Meta: fc.option(fc.constant({ rack: 'r1' }), { nil: undefined }), ModifyIndex: smallIndex },
        { requiredKeys: ['Node'] },
      ),
    }),
  }),
  fc.record({
    Service: fc.record({
      Verb: catalogVerb,
      Node: nodeName,
      Service: fc.record(
        { ID: serviceID, Service: serviceName, Port: fc.constantFrom(0, 81), Tags: fc.constantFrom<string[]>([], ['y']), ModifyIndex: smallIndex },
        { requiredKeys: ['Service'] },
      ),
    }),
  }),
  fc.record({
    Check: fc.record({
      Verb: catalogVerb,
      Check: fc.record(
        { Node: nodeName, CheckID: checkID, Name: fc.constant('n'), Status: status, ServiceID: fc.constantFrom('', 's1', 'web'), ModifyIndex: smallIndex },
        { requiredKeys: ['Node', 'CheckID'] },
      ),
    }),
  }),
);
const mixedTxnOp = fc.oneof(txnOp, catalogTxnOp);
const txn: fc.Arbitrary<Command> = fc.record({ Type: fc.constant('Txn' as const), Ops: fc.array(mixedTxnOp, { minLength: 1, maxLength: 4 }), Now: now });

const coordinateBatch: fc.Arbitrary<Command> = fc.record({
  Type: fc.constant('CoordinateBatchUpdate' as const),
  Coordinates: fc.array(
    fc.record({
      Node: nodeName,
      Segment: fc.constantFrom('', 'alpha'),
      // `+ 0` turns -0 into 0: the snapshot round trip below goes through JSON, which has no -0.
      Coord: fc.record({ Vec: fc.array(fc.double({ min: -1, max: 1, noNaN: true }).map((x) => x + 0), { minLength: 8, maxLength: 8 }), Error: fc.double({ min: 0, max: 1.5, noNaN: true }), Adjustment: fc.double({ min: -0.01, max: 0.01, noNaN: true }).map((x) => x + 0), Height: fc.double({ min: 0, max: 0.01, noNaN: true }) }),
    }),
    { maxLength: 3 },
  ),
});

const baseCommand = fc.oneof(
  { weight: 3, arbitrary: register },
  { weight: 1, arbitrary: deregister },
  { weight: 2, arbitrary: checkStatus },
  { weight: 4, arbitrary: kvCommand as fc.Arbitrary<Command> },
  { weight: 2, arbitrary: sessionCreate },
  { weight: 1, arbitrary: sessionDestroy },
  { weight: 2, arbitrary: txn },
  { weight: 1, arbitrary: coordinateBatch },
);
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 10, arbitrary: baseCommand },
  { weight: 1, arbitrary: fc.record({ Type: fc.constant('Batch' as const), Commands: fc.array(baseCommand, { maxLength: 3 }) }) },
);
const history = fc.array(command, { maxLength: 40 });

// A dense catalog-only history: two nodes, two services each, checks moving between node
// level and services, so that rare interleavings come up often.
const denseCheck = fc.record({
  CheckID: fc.constantFrom('c1', 'c2'),
  Name: fc.constant('n'),
  Status: fc.constantFrom('passing', 'warning', 'critical'),
  ServiceID: fc.constantFrom('', 's1', 's2'),
});
const denseCommand: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    Type: fc.constant('Register' as const),
    Node: fc.constantFrom('a', 'b'),
    Address: fc.constantFrom('10.0.0.1', '10.0.0.2'),
    SkipNodeUpdate: fc.boolean(),
    Service: fc.option(
      fc.oneof(
        fc.record({ ID: fc.constant('s1'), Service: fc.constant('web'), Tags: fc.constantFrom<string[]>([], ['y']) }),
        fc.record({ ID: fc.constant('s2'), Service: fc.constant('db'), Port: fc.constantFrom(0, 5) }),
      ),
      { nil: undefined },
    ),
    Checks: fc.array(denseCheck, { maxLength: 1 }),
  }),
  fc.record(
    { Type: fc.constant('Deregister' as const), Node: fc.constantFrom('a', 'b'), ServiceID: fc.constantFrom('s1', 's2'), CheckID: fc.constantFrom('c1', 'c2') },
    { requiredKeys: ['Type', 'Node'] },
  ),
  fc.record({
    Type: fc.constant('CheckStatus' as const),
    Node: fc.constantFrom('a', 'b'),
    CheckID: fc.constantFrom('c1', 'c2'),
    Status: fc.constantFrom('passing', 'warning', 'critical'),
  }),
);
const denseHistory = fc.array(denseCommand, { maxLength: 30 });

// A dense KV + session history on one node: locks, releases, session invalidation (destroy,
// check turning critical), lock-delay, transactions.
const denseKey = fc.constantFrom('a', 'a/b', 'b');
const denseSession = fc.constantFrom('s1', 's2');
const denseKVCommand: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    Type: fc.constant('KV' as const),
    Verb: kvVerb,
    Key: denseKey,
    Value: value,
    Index: fc.integer({ min: 0, max: 12 }),
    Session: denseSession,
    Now: fc.integer({ min: 0, max: 3000 }),
  }),
  fc.record({
    Type: fc.constant('SessionCreate' as const),
    Session: fc.record({
      ID: denseSession,
      Node: fc.constant('a'),
      Behavior: fc.constantFrom('release', 'delete') as fc.Arbitrary<'release' | 'delete'>,
      LockDelay: fc.constantFrom(0, 1_000_000_000),
      NodeChecks: fc.constant<string[]>(['serfHealth']),
    }),
  }),
  fc.record({ Type: fc.constant('SessionDestroy' as const), ID: denseSession, Now: fc.integer({ min: 0, max: 3000 }) }),
  fc.record({
    Type: fc.constant('CheckStatus' as const),
    Node: fc.constant('a'),
    CheckID: fc.constant('serfHealth'),
    Status: fc.constantFrom('passing', 'critical'),
    Now: fc.integer({ min: 0, max: 3000 }),
  }),
  fc.record({
    Type: fc.constant('Txn' as const),
    Ops: fc.array(
      fc.record({
        KV: fc.record({
          Verb: fc.constantFrom('set', 'cas', 'lock', 'unlock', 'delete', 'delete-tree', 'check-index', 'get') as fc.Arbitrary<TxnKVOp['Verb']>,
          Key: denseKey,
          Index: fc.integer({ min: 0, max: 12 }),
          Session: denseSession,
        }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  }),
);
const denseKVHistory = fc
  .array(denseKVCommand, { maxLength: 30 })
  .map((cmds): Command[] => [{ Type: 'Register', Node: 'a', Address: '10.0.0.1', Check: { CheckID: 'serfHealth', Name: 's', Status: 'passing' } }, ...cmds]);

/** Every read the HTTP layer serves, keyed by a name. */
function reads(c: Catalog): Record<string, Indexed<unknown>> {
  const out: Record<string, Indexed<unknown>> = {
    nodes: c.nodes(),
    nodesMeta: c.nodes({ nodeMeta: { rack: 'r1' } }),
    services: c.services(),
    stateAny: c.checksInState('any'),
    stateCritical: c.checksInState('critical'),
    sessions: c.sessionList(),
    kvAll: c.kvList(''),
    kvKeys: c.kvKeys('', '/'),
  };
  for (const n of ['a', 'b', 'c']) {
    out[`node:${n}`] = c.node(n);
    out[`nodeServices:${n}`] = c.nodeServiceList(n);
    out[`healthNode:${n}`] = c.nodeChecks(n);
    out[`sessionsNode:${n}`] = c.sessionsForNode(n);
  }
  for (const s of ['web', 'db']) {
    out[`catalogService:${s}`] = c.serviceNodes(s);
    out[`catalogServiceTag:${s}`] = c.serviceNodes(s, { tags: ['y'] });
    out[`health:${s}`] = c.checkServiceNodes(s);
    out[`healthPassing:${s}`] = c.checkServiceNodes(s, { passing: true });
    out[`healthChecks:${s}`] = c.serviceChecks(s);
  }
  for (const k of ['a', 'a/', 'a/b', 'b', 'b/x/', 'zzz']) {
    out[`kvGet:${k}`] = c.kvGet(k);
    out[`kvList:${k}`] = c.kvList(k);
    out[`kvKeys:${k}`] = c.kvKeys(k, '/');
  }
  for (const id of ['s-1', 's-2']) out[`session:${id}`] = c.sessionInfo(id);
  return out;
}

function values(c: Catalog): Record<string, unknown> {
  return Object.fromEntries(Object.entries(reads(c)).map(([k, v]) => [k, v.value]));
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('catalog properties', () => {
  it('restore(snapshot()) is identical, also through JSON', () => {
    fc.assert(
      fc.property(history, (cmds) => {
        const c = new Catalog();
        cmds.forEach((cmd, i) => c.apply(i + 1, cmd));
        const snap = c.snapshot();
        const copy = Catalog.fromSnapshot(JSON.parse(JSON.stringify(snap)));
        expect(copy.snapshot()).toEqual(snap);
        expect(values(copy)).toEqual(values(c));
        expect(Object.fromEntries(Object.entries(reads(copy)).map(([k, v]) => [k, v.index]))).toEqual(
          Object.fromEntries(Object.entries(reads(c)).map(([k, v]) => [k, v.index])),
        );
        // Both go on identically.
        c.apply(cmds.length + 1, { Type: 'Deregister', Node: 'a' });
        copy.apply(cmds.length + 1, { Type: 'Deregister', Node: 'a' });
        expect(copy.snapshot()).toEqual(c.snapshot());
      }),
      { numRuns: 200 },
    );
  });

  it('a snapshot stream stays the state at its index while later commands (txns, restores) apply', () => {
    fc.assert(
      fc.property(history, history, fc.array(fc.array(txnOp, { minLength: 1, maxLength: 4 }), { maxLength: 3 }), fc.boolean(), (before, after, txns, restore) => {
        const c = new Catalog();
        before.forEach((cmd, i) => c.apply(i + 1, cmd));
        const expected = c.snapshot();
        const stream = c.snapshotStream();
        let i = before.length;
        const entries = stream.entries();
        const kvs = [entries.next()].filter((r) => !r.done).map((r) => r.value);
        for (const cmd of after) c.apply(++i, cmd);
        for (const ops of txns) c.apply(++i, { Type: 'Txn', Ops: ops });
        if (restore) c.restore(new Catalog().snapshot());
        for (const e of entries) kvs.push(e);
        expect(kvs.length).toBe(stream.head.KVCount);
        expect(structuredClone(snapshotFromStream(stream.head, kvs))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same log gives the same state', () => {
    fc.assert(
      fc.property(history, (cmds) => {
        const a = new Catalog();
        const b = new Catalog();
        cmds.forEach((cmd, i) => {
          expect(a.apply(i + 1, structuredClone(cmd))).toEqual(b.apply(i + 1, structuredClone(cmd)));
        });
        expect(a.snapshot()).toEqual(b.snapshot());
      }),
      { numRuns: 100 },
    );
  });

  it.each([
    ['any history', history, 300],
    ['dense catalog history', denseHistory, 200],
    ['dense KV and session history', denseKVHistory, 200],
  ] as const)('indexes (%s): >= 1, <= the applied index, never backwards, and moved (with a wake-up) whenever a read changed', async (_name, gen, numRuns) => {
    await fc.assert(
      fc.asyncProperty(gen, async (cmds) => {
        const c = new Catalog();
        // Index 1 is a no-op: X-Consul-Index is floored at 1, so index 1 cannot signal a change.
        c.apply(1, { Type: 'Noop' });
        let before = reads(c);
        for (const [j, cmd] of cmds.entries()) {
          const i = j + 1;
          const woken = new Set<string>();
          for (const [name, r] of Object.entries(before)) void c.watch(r.watch).then(() => woken.add(name));
          c.apply(i + 1, cmd);
          await settle();
          const after = reads(c);
          for (const [name, r] of Object.entries(after)) {
            const old = before[name]!;
            expect(r.index, name).toBeGreaterThanOrEqual(1);
            expect(r.index, name).toBeLessThanOrEqual(Math.max(1, c.lastIndex));
            if (!name.startsWith('kvGet:')) expect(r.index, name).toBeGreaterThanOrEqual(old.index);
            if (JSON.stringify(r.value) !== JSON.stringify(old.value)) {
              expect(r.index, `${name} changed at ${i + 1} without a new index`).toBeGreaterThan(old.index);
              expect(woken.has(name), `${name} changed at ${i + 1} without waking its watchers`).toBe(true);
            }
          }
          before = after;
        }
        c.restore(c.snapshot()); // wakes and drops every leftover waiter
        await settle();
        expect(c.watchers).toBe(0);
      }),
      { numRuns },
    );
  });

  it('a failed txn changes nothing; a successful one equals its writes applied one by one', () => {
    fc.assert(
      fc.property(history, fc.array(txnOp, { minLength: 1, maxLength: 5 }), (cmds, ops) => {
        const c = new Catalog();
        cmds.forEach((cmd, i) => c.apply(i + 1, cmd));
        const idx = cmds.length + 1;
        const before = c.snapshot();
        const r = c.apply(idx, { Type: 'Txn', Ops: ops, Now: before.Now });
        if (!r.ok) {
          expect(r.txn?.Results).toBeNull();
          expect(r.txn?.Errors?.length).toBeGreaterThan(0);
          expect({ ...c.snapshot(), Index: before.Index }).toEqual(before);
          return;
        }
        expect(r.txn?.Errors).toBeNull();
        const seq = Catalog.fromSnapshot(before);
        for (const op of ops) {
          if (!('KV' in op) || ['get', 'get-or-empty', 'get-tree', 'check-index', 'check-session', 'check-not-exists'].includes(op.KV.Verb)) continue;
          const one = seq.apply(idx, { Type: 'KV', ...op.KV, Verb: op.KV.Verb as KVCommand['Verb'], Now: before.Now });
          expect(one.ok).toBe(true);
        }
        expect({ ...seq.snapshot(), Index: idx }).toEqual(c.snapshot());
      }),
      { numRuns: 200 },
    );
  });

  it('a txn of KV, Node, Service and Check ops that fails at its end changes nothing, reads included', () => {
    fc.assert(
      fc.property(history, fc.array(mixedTxnOp, { minLength: 1, maxLength: 6 }), (cmds, ops) => {
        const c = new Catalog();
        cmds.forEach((cmd, i) => c.apply(i + 1, cmd));
        const before = c.snapshot();
        const readsBefore = reads(c);
        const failing: TxnOp = { Node: { Verb: 'get', Node: { Node: 'never-registered' } } };
        const r = c.apply(cmds.length + 1, { Type: 'Txn', Ops: [...ops, failing], Now: before.Now });
        expect(r.ok).toBe(false);
        expect({ ...c.snapshot(), Index: before.Index }).toEqual(before);
        expect(reads(c)).toEqual(readsBefore);
      }),
      { numRuns: 300 },
    );
  });

  it('KV set/cas/delete/delete-cas/delete-tree follow a reference model', () => {
    type Entry = { value: string | null; flags: number; create: number; modify: number };
    const op = fc.record({
      Verb: fc.constantFrom('set', 'cas', 'delete', 'delete-cas', 'delete-tree') as fc.Arbitrary<KVCommand['Verb']>,
      Key: key,
      Value: value,
      Flags: fc.constantFrom(0, 9),
      Index: smallIndex,
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const c = new Catalog();
        const model = new Map<string, Entry>();
        ops.forEach((o, i) => {
          const idx = i + 1;
          const cur = model.get(o.Key);
          let expected = true;
          const write = (): void => {
            model.set(o.Key, { value: o.Value ? o.Value : null, flags: o.Flags, create: cur?.create ?? idx, modify: idx });
          };
          switch (o.Verb) {
            case 'set':
              write();
              break;
            case 'cas':
              expected = o.Index === 0 ? !cur : cur?.modify === o.Index;
              if (expected) write();
              break;
            case 'delete':
              model.delete(o.Key);
              break;
            case 'delete-cas':
              expected = !cur || cur.modify === o.Index;
              if (cur && expected) model.delete(o.Key);
              break;
            case 'delete-tree':
              for (const k of [...model.keys()]) if (k.startsWith(o.Key)) model.delete(k);
              break;
          }
          expect(c.apply(idx, { Type: 'KV', ...o })).toEqual({ ok: true, value: expected });
          const want = [...model.entries()]
            .sort((x, y) => (x[0] < y[0] ? -1 : 1))
            .map(([k, e]) => ({ LockIndex: 0, Key: k, Flags: e.flags, Value: e.value, CreateIndex: e.create, ModifyIndex: e.modify }));
          expect(c.kvList('').value).toEqual(want);
        });
      }),
      { numRuns: 200 },
    );
  });
});
