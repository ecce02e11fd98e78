/**
 * KV writes (Consul's KVSRequest ops): set, cas, lock (acquire), unlock (release), delete,
 * delete-cas, delete-tree. A plain set keeps the lock holder and LockIndex; a lost CAS or
 * lock is `value: false`, an unknown session an error.
 */
import type { ApplyResult, KVCommand } from './commands.js';
import type { KVRecord } from './kv-store.js';
import { kvShapeError } from './shape-check.js';
import type { CatalogStore } from './store.js';
import type { KVFlags } from './types.js';
import { fail, ok } from './util.js';

/** A bigint that fits a safe integer is stored as a number, so equal flags compare equal. */
function canonicalFlags(flags: KVFlags | undefined): KVFlags {
  if (flags === undefined) return 0;
  return typeof flags === 'bigint' && flags <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(flags) : flags;
}

export function kvApply(st: CatalogStore, idx: number, c: KVCommand): ApplyResult {
  const shape = kvShapeError(c as unknown as Record<string, unknown>);
  if (shape) return fail(shape);
  const outcome = kvOp(st, idx, c.Verb, c.Key, c.Value, c.Flags, c.Index, c.Session);
  if ('error' in outcome) return fail(outcome.error);
  return ok(outcome.value);
}

/**
 * One KV write at `idx`. `value` is the HTTP response's bool (false: a lost CAS or lock, or a
 * release by a non-holder); `error` an RPC-level failure (unknown session); `entry` what was
 * written, for txn results.
 */
export function kvOp(
  st: CatalogStore,
  idx: number,
  verb: string,
  key: string,
  value: string | null | undefined,
  flags: KVFlags | undefined,
  index: number | undefined,
  session: string | undefined,
): { value: boolean; entry?: KVRecord } | { error: string } {
  const existing = st.kv.get(key);
  const write = (over: Partial<KVRecord>): KVRecord => {
    const rec: KVRecord = {
      Key: key,
      Flags: canonicalFlags(flags),
      Value: value === undefined || value === '' ? null : value,
      LockIndex: existing?.LockIndex ?? 0,
      Session: existing?.Session ?? '',
      CreateIndex: existing?.CreateIndex ?? idx,
      ModifyIndex: idx,
      ...over,
    };
    st.kv.put(rec, idx);
    return rec;
  };
  switch (verb) {
    case 'set':
      return { value: true, entry: write({}) };
    case 'cas': {
      const want = index ?? 0;
      if (want === 0 ? existing !== undefined : existing?.ModifyIndex !== want) return { value: false };
      return { value: true, entry: write({}) };
    }
    case 'lock': {
      if (!session) return { error: 'Missing session' };
      if (!st.sessionTable.has(session)) return { error: `invalid session "${session}"` };
      if (existing && existing.Session === session) return { value: true, entry: write({}) };
      if (existing && existing.Session !== '') return { value: false };
      if (st.nowMs < (st.lockDelays.get(key) ?? 0)) return { value: false };
      return { value: true, entry: write({ LockIndex: (existing?.LockIndex ?? 0) + 1, Session: session }) };
    }
    case 'unlock': {
      if (!session) return { error: 'Missing session' };
      if (!existing || existing.Session !== session) return { value: false };
      return { value: true, entry: write({ Session: '' }) };
    }
    case 'delete':
      st.kv.delete(key, idx);
      return { value: true };
    case 'delete-cas':
      if (!existing) return { value: true };
      if (existing.ModifyIndex !== (index ?? 0)) return { value: false };
      st.kv.delete(key, idx);
      return { value: true };
    case 'delete-tree':
      st.kv.deleteTree(key, idx);
      return { value: true };
    default:
      return { error: `Invalid KV operation "${verb}"` };
  }
}
