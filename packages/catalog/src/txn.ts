/**
 * PUT /v1/txn: KV, Node, Service and Check operations evaluated in order against the live
 * tables, KV under its journal and the catalog under a `CatalogUndo`; if any fails, both roll
 * everything back and `Errors` lists every failed op (with its `OpIndex`), as Consul does.
 * Read-only transactions skip the log.
 */
import { CatalogUndo } from './catalog-undo.js';
import type { ApplyResult, TxnCheckOp, TxnCommand, TxnError, TxnKVOp, TxnNodeOp, TxnOp, TxnResponse, TxnResult, TxnServiceOp } from './commands.js';
import type { KVRecord } from './kv-store.js';
import { kvOp } from './kv-writes.js';
import { toKVEntry } from './records.js';
import { isObj, kvShapeError, txnCatalogShapeError } from './shape-check.js';
import type { CatalogStore } from './store.js';
import { txnCheck, txnNode, txnService, type CatalogTxn, type OpOutcome } from './txn-catalog.js';

const WRITE_VERBS = new Set(['set', 'cas', 'lock', 'unlock', 'delete', 'delete-tree', 'delete-cas']);

export function applyTxn(st: CatalogStore, idx: number, c: TxnCommand, datacenter: string): ApplyResult {
  const ops = Array.isArray(c.Ops) ? c.Ops : [];
  const undo = new CatalogUndo(st);
  const t: CatalogTxn = { st, idx, datacenter, undo };
  st.kv.begin();
  let outcome: { results: TxnResult[]; errors: TxnError[] };
  const rollback = (): void => {
    undo.restore();
    st.kv.rollback();
  };
  try {
    outcome = runTxnOps(ops, (kv) => txnKVOp(st, idx, kv), t);
  } catch (err) {
    rollback();
    throw err;
  }
  const { results, errors } = outcome;
  if (errors.length > 0) {
    rollback();
    return { ok: false, error: errors[0]!.What, txn: { Results: null, Errors: errors } };
  }
  st.kv.commit();
  return { ok: true, txn: { Results: results, Errors: null } };
}

/** Runs every op (Consul's txnDispatch): results in order, and every failure with its index. */
function runTxnOps(ops: TxnOp[], kv: (op: TxnKVOp) => OpOutcome, t: CatalogTxn): { results: TxnResult[]; errors: TxnError[] } {
  const results: TxnResult[] = [];
  const errors: TxnError[] = [];
  ops.forEach((op, i) => {
    const outcome = runOp(op, kv, t);
    if ('error' in outcome) errors.push({ OpIndex: i, What: outcome.error });
    else results.push(...outcome.results);
  });
  return { results, errors };
}

function runOp(op: TxnOp, kv: (op: TxnKVOp) => OpOutcome, t: CatalogTxn): OpOutcome {
  const o = isObj(op) ? (op as Record<string, unknown>) : {};
  const present = (v: unknown): boolean => v !== undefined && v !== null;
  if (present(o['KV'])) {
    const shape = isObj(o['KV']) ? kvShapeError(o['KV']) : 'Invalid KV: expected an object';
    return shape ? { error: shape } : kv(o['KV'] as unknown as TxnKVOp);
  }
  const kind = (['Node', 'Service', 'Check'] as const).find((k) => present(o[k]));
  if (kind === undefined) return { error: 'no operation specified' };
  const shape = txnCatalogShapeError(kind, o[kind]);
  if (shape) return { error: shape };
  const catalogOp = o[kind] as { Verb: string };
  if (!t.undo && catalogOp.Verb !== 'get') return { error: `cannot ${catalogOp.Verb} ${kind} in a read-only transaction` };
  if (kind === 'Node') return txnNode(t, o[kind] as TxnNodeOp);
  if (kind === 'Service') return txnService(t, o[kind] as TxnServiceOp);
  return txnCheck(t, o[kind] as TxnCheckOp);
}

function kvOutcome(entries: KVRecord[], withValue: boolean): OpOutcome {
  return { results: entries.map((e) => ({ KV: toKVEntry(e, withValue) })) };
}

function txnKVOp(st: CatalogStore, idx: number, op: TxnKVOp): OpOutcome {
  const { Verb: verb, Key: key } = op;
  const q = JSON.stringify(key);
  if (!WRITE_VERBS.has(verb)) return txnKVReadOp(st, op);
  const r = kvOp(st, idx, verb, key, op.Value, op.Flags, op.Index, op.Session);
  if ('error' in r) return { error: `failed to ${verb} key ${q}: ${r.error}` };
  if (!r.value) {
    switch (verb) {
      case 'cas':
        return { error: `failed to set key ${q}, index is stale` };
      case 'lock':
        return { error: `failed to lock key ${q}, lock is already held` };
      case 'unlock':
        return { error: `failed to unlock key ${q}, lock isn't held, or is held by another session` };
      default:
        return { error: `failed to delete key ${q}, index is stale` };
    }
  }
  return kvOutcome(r.entry ? [r.entry] : [], false);
}

function txnKVReadOp(st: CatalogStore, op: TxnKVOp): OpOutcome {
  const key = op.Key;
  const q = JSON.stringify(key);
  const e = st.kv.get(key);
  switch (op.Verb) {
    case 'get':
      return e ? kvOutcome([e], true) : { error: `key ${q} doesn't exist` };
    case 'get-or-empty':
      return kvOutcome([e ?? { Key: key, Flags: 0, Value: null, LockIndex: 0, Session: '', CreateIndex: 0, ModifyIndex: 0 }], true);
    case 'get-tree':
      return kvOutcome([...st.kv.list(key)], true);
    case 'check-index':
      if (!e) return { error: `key ${q} doesn't exist` };
      if (e.ModifyIndex !== (op.Index ?? 0)) return { error: `current modify index ${e.ModifyIndex} != ${op.Index ?? 0}` };
      return kvOutcome([e], false);
    case 'check-session':
      if (!e) return { error: `key ${q} doesn't exist` };
      if (e.Session !== (op.Session ?? '')) return { error: `current session ${JSON.stringify(e.Session)} != ${JSON.stringify(op.Session ?? '')}` };
      return kvOutcome([e], false);
    case 'check-not-exists':
      return e ? { error: `key ${q} exists` } : kvOutcome([], false);
    default:
      return { error: `unknown KV verb ${JSON.stringify(op.Verb)}` };
  }
}

/**
 * Runs a transaction made only of read verbs (KV get, get-or-empty, get-tree, check-*; Node,
 * Service and Check get), without the log. A write verb is reported as an error of that op.
 */
export function readTxn(st: CatalogStore, ops: TxnOp[], datacenter: string): { index: number; response: TxnResponse } {
  const kv = (op: TxnKVOp): OpOutcome =>
    WRITE_VERBS.has(op.Verb) ? { error: `cannot ${op.Verb} key ${JSON.stringify(op.Key)} in a read-only transaction` } : txnKVReadOp(st, op);
  const { results, errors } = runTxnOps(ops, kv, { st, idx: 0, datacenter });
  const index = Math.max(1, st.tableIndex('kvs', 'tombstones', 'nodes', 'services', 'checks'));
  return {
    index,
    response: errors.length > 0 ? { Results: null, Errors: errors } : { Results: results, Errors: null },
  };
}

/** True when every op of a txn body is a read verb (so it may skip the log). */
export function isReadOnlyTxn(ops: TxnOp[]): boolean {
  return ops.every((op) => {
    if (!isObj(op)) return false;
    if ('KV' in op) return isObj(op.KV) && !WRITE_VERBS.has(op.KV.Verb);
    const inner = 'Node' in op ? op.Node : 'Service' in op ? op.Service : 'Check' in op ? op.Check : undefined;
    return isObj(inner) && inner.Verb === 'get';
  });
}
