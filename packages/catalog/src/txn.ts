/**
 * PUT /v1/txn for KV operations: every op is evaluated in order against the live KV table
 * under a journal; if any fails, the journal rolls everything back and `Errors` lists every
 * failed op (with its `OpIndex`), as Consul does. Read-only transactions skip the log.
 */
import type { ApplyResult, TxnCommand, TxnError, TxnOp, TxnResponse, TxnResult } from './commands.js';
import type { KVRecord } from './kv-store.js';
import { kvOp } from './kv-writes.js';
import { toKVEntry } from './records.js';
import { isObj, kvShapeError } from './shape-check.js';
import type { CatalogStore } from './store.js';

const WRITE_VERBS = new Set(['set', 'cas', 'lock', 'unlock', 'delete', 'delete-tree', 'delete-cas']);

/** Result of one KV operation inside a txn. */
type OpOutcome = { entries: KVRecord[]; withValue: boolean } | { error: string };

export function applyTxn(st: CatalogStore, idx: number, c: TxnCommand): ApplyResult {
  const ops = Array.isArray(c.Ops) ? c.Ops : [];
  st.kv.begin();
  let outcome: { results: TxnResult[]; errors: TxnError[] };
  try {
    outcome = runTxnOps(ops, (op) => txnOp(st, idx, op));
  } catch (err) {
    st.kv.rollback();
    throw err;
  }
  const { results, errors } = outcome;
  if (errors.length > 0) {
    st.kv.rollback();
    return { ok: false, error: errors[0]!.What, txn: { Results: null, Errors: errors } };
  }
  st.kv.commit();
  return { ok: true, txn: { Results: results, Errors: null } };
}

function runTxnOps(ops: TxnOp[], run: (op: TxnOp['KV']) => OpOutcome): { results: TxnResult[]; errors: TxnError[] } {
  const results: TxnResult[] = [];
  const errors: TxnError[] = [];
  ops.forEach((op, i) => {
    if (!isObj(op) || !isObj(op.KV)) {
      errors.push({ OpIndex: i, What: 'Invalid operation: only KV operations are supported' });
      return;
    }
    const shape = kvShapeError(op.KV as unknown as Record<string, unknown>);
    if (shape) {
      errors.push({ OpIndex: i, What: shape });
      return;
    }
    const outcome = run(op.KV);
    if ('error' in outcome) errors.push({ OpIndex: i, What: outcome.error });
    else for (const e of outcome.entries) results.push({ KV: toKVEntry(e, outcome.withValue) });
  });
  return { results, errors };
}

function txnOp(st: CatalogStore, idx: number, op: TxnOp['KV']): OpOutcome {
  const { Verb: verb, Key: key } = op;
  const q = JSON.stringify(key);
  if (!WRITE_VERBS.has(verb)) return txnReadOp(st, op);
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
  return { entries: r.entry ? [r.entry] : [], withValue: false };
}

function txnReadOp(st: CatalogStore, op: TxnOp['KV']): OpOutcome {
  const key = op.Key;
  const q = JSON.stringify(key);
  const e = st.kv.get(key);
  switch (op.Verb) {
    case 'get':
      return e ? { entries: [e], withValue: true } : { error: `key ${q} doesn't exist` };
    case 'get-or-empty':
      return {
        entries: [e ?? { Key: key, Flags: 0, Value: null, LockIndex: 0, Session: '', CreateIndex: 0, ModifyIndex: 0 }],
        withValue: true,
      };
    case 'get-tree':
      return { entries: [...st.kv.list(key)], withValue: true };
    case 'check-index':
      if (!e) return { error: `key ${q} doesn't exist` };
      if (e.ModifyIndex !== (op.Index ?? 0)) return { error: `current modify index ${e.ModifyIndex} != ${op.Index ?? 0}` };
      return { entries: [e], withValue: false };
    case 'check-session':
      if (!e) return { error: `key ${q} doesn't exist` };
      if (e.Session !== (op.Session ?? '')) return { error: `current session ${JSON.stringify(e.Session)} != ${JSON.stringify(op.Session ?? '')}` };
      return { entries: [e], withValue: false };
    case 'check-not-exists':
      return e ? { error: `key ${q} exists` } : { entries: [], withValue: false };
    default:
      return { error: `unknown KV verb ${JSON.stringify(op.Verb)}` };
  }
}

/**
 * Runs a transaction made only of read verbs (get, get-or-empty, get-tree, check-*),
 * without the log. A write verb is reported as an error of that op.
 */
export function readTxn(st: CatalogStore, ops: TxnOp[]): { index: number; response: TxnResponse } {
  const { results, errors } = runTxnOps(ops, (op) =>
    WRITE_VERBS.has(op.Verb) ? { error: `cannot ${op.Verb} key ${JSON.stringify(op.Key)} in a read-only transaction` } : txnReadOp(st, op),
  );
  const index = Math.max(1, st.tableIndex('kvs', 'tombstones'));
  return {
    index,
    response: errors.length > 0 ? { Results: null, Errors: errors } : { Results: results, Errors: null },
  };
}

/** True when every op of a txn body is a read verb (so it may skip the log). */
export function isReadOnlyTxn(ops: TxnOp[]): boolean {
  return ops.every((op) => op && op.KV && !WRITE_VERBS.has(op.KV.Verb));
}
