/**
 * Session writes: create (the node and linked checks must exist, checks not critical) and
 * invalidation. An invalidated session's locks are released (`release`: Session cleared,
 * ModifyIndex bumped, LockIndex kept) or their keys deleted (`delete`); either way the
 * keys enter their lock-delay, measured from the commands' `Now`.
 */
import type { ApplyResult, SessionCreateCommand } from './commands.js';
import { parseGoDuration } from './duration.js';
import { sessionShapeError } from './shape-check.js';
import { PREPARED_QUERIES_WATCH_KEY } from './prepared-query.js';
import type { CatalogStore } from './store.js';
import { fail, lower } from './util.js';

/** Consul's default session lock-delay: 15 s, in nanoseconds. */
export const DEFAULT_LOCK_DELAY_NS = 15_000_000_000;

/** Consul's text (Session.Apply) for a TTL that does not parse; undefined for one that does, or none. */
export function sessionTTLError(ttl: string): string | undefined {
  if (ttl === '') return undefined;
  try {
    parseGoDuration(ttl);
    return undefined;
  } catch (err) {
    return `Session TTL '${ttl}' invalid: ${(err as Error).message}`;
  }
}

export function sessionCreate(st: CatalogStore, idx: number, c: SessionCreateCommand): ApplyResult {
  const s = c.Session;
  const shape = sessionShapeError(s);
  if (shape) return fail(shape);
  if (!s.ID) return fail('Missing session ID');
  if (st.sessionTable.has(s.ID)) return fail(`Session ID "${s.ID}" is already in use`);
  const behavior = s.Behavior || 'release';
  if (behavior !== 'release' && behavior !== 'delete') return fail(`Invalid Behavior setting '${String(behavior)}'`);
  const ttl = s.TTL ?? '';
  const ttlError = sessionTTLError(ttl);
  if (ttlError) return fail(ttlError);
  const nodeKey = lower(s.Node ?? '');
  const node = st.nodeTable.get(nodeKey);
  if (!node) return fail('Missing node registration');
  const checks = st.checkTable.get(nodeKey);
  const linked = [...(s.NodeChecks ?? []), ...(s.ServiceChecks ?? []).map((sc) => sc.ID)];
  for (const id of linked) {
    const ch = checks?.get(lower(id));
    if (!ch) return fail(`Missing check '${id}' registration`);
    if (ch.Status === 'critical') return fail(`Check '${id}' is in critical state`);
  }
  st.setSession({
    ID: s.ID,
    Name: s.Name ?? '',
    Node: node.Node,
    LockDelay: s.LockDelay ?? DEFAULT_LOCK_DELAY_NS,
    Behavior: behavior,
    TTL: ttl,
    NodeChecks: s.NodeChecks ? [...s.NodeChecks] : null,
    ServiceChecks: s.ServiceChecks ? s.ServiceChecks.map((sc) => ({ ID: sc.ID, Namespace: sc.Namespace ?? '' })) : null,
    CreateIndex: idx,
    ModifyIndex: idx,
  });
  st.bumpTable('sessions', idx);
  return { ok: true, id: s.ID };
}

export function invalidateSessionsOfCheck(st: CatalogStore, nodeKey: string, checkID: string, idx: number): void {
  const id = lower(checkID);
  for (const s of st.sessionsOn(nodeKey)) {
    const linked = (s.NodeChecks ?? []).some((c) => lower(c) === id) || (s.ServiceChecks ?? []).some((c) => lower(c.ID) === id);
    if (linked) invalidateSession(st, s.ID, idx);
  }
}

/** Destroys a session: its locks are released or their keys deleted, and lock-delay starts. */
export function invalidateSession(st: CatalogStore, id: string, idx: number): void {
  const s = st.sessionTable.get(id);
  if (!s) return;
  st.deleteSession(id);
  st.bumpTable('sessions', idx);
  if (st.queries.deleteForSession(id, idx)) st.touched.add(PREPARED_QUERIES_WATCH_KEY);
  for (const [key, until] of [...st.lockDelays]) if (until <= st.nowMs) st.lockDelays.delete(key);
  const delayMs = s.LockDelay / 1e6;
  const held = st.kv.heldBy(id);
  for (const e of held) {
    if (s.Behavior === 'delete') st.kv.delete(e.Key, idx);
    else st.kv.put({ ...e, Session: '', ModifyIndex: idx }, idx);
    if (delayMs > 0) st.lockDelays.set(e.Key, st.nowMs + delayMs);
  }
}
