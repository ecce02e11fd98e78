import type { AutopilotRecord } from './autopilot.js';
/**
 * The whole catalog state as a plain object: JSON-serialisable, except KV Flags above
 * 2^53, which are bigints (v8.serialize and msgpack with 64-bit integers keep them).
 * `Catalog.restore` of a `Catalog.snapshot()` gives a catalog whose every query (and next
 * snapshot) is identical.
 */
import type { AclSnapshot } from './acl-types.js';
import type { ConfigEntrySnapshot } from './config-entry-types.js';
import type { CoordinateSnapshot } from './coordinates.js';
import type { ConnectCASnapshot } from './connect-ca.js';
import type { KVRecord } from './kv-store.js';
import type { PreparedQuery } from './prepared-query-types.js';
import type { PeeringSnapshot } from './peering-types.js';
import type { CheckRecord, NodeRecord, ServiceRecord, SessionRecord } from './records.js';
import { TABLES, type CatalogStore } from './store.js';
import type { TableName } from './types.js';
import { byString, lower, sortedValues } from './util.js';
import type { VirtualIPSnapshot } from './virtual-ips.js';

export const SNAPSHOT_VERSION = 1;

export interface CatalogSnapshot {
  Version: typeof SNAPSHOT_VERSION;
  /** Last applied log index. */
  Index: number;
  /** Latest `Now` seen in a command (ms), the state machine's notion of time. */
  Now: number;
  Tables: Record<TableName, number>;
  /** Lowercased service name -> its index. */
  ServiceIndexes: Record<string, number>;
  Nodes: NodeRecord[];
  Services: ServiceRecord[];
  Checks: CheckRecord[];
  KVs: KVRecord[];
  Tombstones: Array<[string, number]>;
  Sessions: SessionRecord[];
  /** KV key -> lock-delay end (ms). */
  LockDelays: Record<string, number>;
  /** Autopilot's configuration once set (absent in snapshots taken before it existed). */
  Autopilot?: AutopilotRecord | null;
  /** ACL tables; absent in snapshots taken before ACLs existed (restored as empty). */
  ACL?: AclSnapshot;
  /** Prepared queries; absent in snapshots taken before they existed (restored as none). */
  PreparedQueries?: { Index: number; Queries: PreparedQuery[] };
  /** Network coordinates; absent in snapshots taken before they existed (restored as empty). */
  Coordinates?: CoordinateSnapshot;
  /** The Connect CA tables; absent in snapshots taken before they existed (restored as empty). */
  ConnectCA?: ConnectCASnapshot;
  /** Config entries; absent in snapshots taken before they existed (restored as none). */
  ConfigEntries?: ConfigEntrySnapshot;
  /** Peerings and their imports; absent in snapshots taken before they existed (restored as none). */
  Peerings?: PeeringSnapshot;
  /** Virtual IPs of mesh services; absent in snapshots taken before they existed (restored as none). */
  VirtualIPs?: VirtualIPSnapshot;
}

const sortedEntries = <T>(m: Map<string, T>): Record<string, T> =>
  Object.fromEntries([...m.entries()].sort((a, b) => byString(a[0], b[0])));

/** The state as a snapshot (a deep copy: the caller may keep or change it). */
export function takeSnapshot(st: CatalogStore): CatalogSnapshot {
  const view = st.kv.view();
  try {
    return structuredClone({ ...snapshotHead(st), KVs: Array.from(view.keys, (k) => view.get(k)) });
  } finally {
    view.close();
  }
}

/**
 * A snapshot as a head (every table but KV, and the number of KV entries) followed by the KV
 * entries one by one. It stays exactly the state at `head.Index` while later commands apply:
 * the head holds its own copies or records that are never changed in place, and the entries
 * are read through a copy-on-write view (`KVStore.view`). So a large KV table is neither
 * copied nor encoded in one go: a caller encodes `entries()` in slices, between other work.
 */
export interface SnapshotStream {
  head: SnapshotHead;
  /** The KV entries in key order (`head.KVCount` of them); call once. Closes the view when done. */
  entries(): IterableIterator<KVRecord>;
  /** Releases the view (also when `entries()` was not read to the end). */
  close(): void;
}

export type SnapshotHead = Omit<CatalogSnapshot, 'KVs'> & { KVCount: number };

export function streamSnapshot(st: CatalogStore): SnapshotStream {
  const view = st.kv.view();
  return {
    head: { ...snapshotHead(st), KVCount: view.keys.size },
    *entries() {
      try {
        for (const k of view.keys) yield view.get(k);
      } finally {
        view.close();
      }
    },
    close: () => view.close(),
  };
}

/** The snapshot a stream's head and entries describe. */
export function snapshotFromStream(head: SnapshotHead, kvs: KVRecord[]): CatalogSnapshot {
  const { KVCount: _count, ...rest } = head;
  return { ...rest, KVs: kvs };
}

/** Every table but KV, sharing only records that are never changed in place. */
function snapshotHead(st: CatalogStore): Omit<CatalogSnapshot, 'KVs'> {
  const services: ServiceRecord[] = [];
  const checks: CheckRecord[] = [];
  for (const nodeKey of [...st.nodeTable.keys()].sort(byString)) {
    services.push(...st.nodeServicesSorted(nodeKey));
    checks.push(...st.nodeChecksSorted(nodeKey));
  }
  return {
    Version: SNAPSHOT_VERSION,
    Index: st.appliedIndex,
    Now: st.nowMs,
    Tables: { ...st.tables, kvs: st.kv.kvsIndex, tombstones: st.kv.tombstonesIndex },
    ServiceIndexes: sortedEntries(st.serviceIndexes),
    Nodes: [...st.sortedNodes()],
    Services: services,
    Checks: checks,
    Tombstones: st.kv.tombstoneList(),
    Sessions: sortedValues(st.sessionTable),
    LockDelays: sortedEntries(st.lockDelays),
    Autopilot: st.autopilot,
    // ACL links are renamed in place (acl-store.ts): copied.
    ACL: structuredClone(st.acl.snapshot()),
    // Prepared queries are few and may be updated in place: copied. Coordinates copy themselves.
    PreparedQueries: { Index: st.queries.index, Queries: structuredClone(st.queries.snapshot()) },
    Coordinates: st.coordinates.snapshot(),
    ConnectCA: st.connectCA.snapshot(),
    ConfigEntries: st.configEntries.snapshot(),
    Peerings: st.peerings.snapshot(),
    VirtualIPs: st.virtualIPs.snapshot(),
  };
}

export function restoreSnapshot(st: CatalogStore, snapshot: CatalogSnapshot): void {
  if (!snapshot || snapshot.Version !== SNAPSHOT_VERSION) {
    throw new Error(`unsupported catalog snapshot version ${String(snapshot?.Version)}`);
  }
  const snap = structuredClone(snapshot);
  st.clear();
  st.appliedIndex = snap.Index;
  st.nowMs = snap.Now;
  for (const t of TABLES) st.tables[t] = snap.Tables[t] ?? 0;
  for (const [k, v] of Object.entries(snap.ServiceIndexes)) st.serviceIndexes.set(k, v);
  for (const n of snap.Nodes) st.setNode(lower(n.Node), n);
  for (const s of snap.Services) {
    const nodeKey = lower(s.Node);
    const idKey = lower(s.ID);
    let m = st.serviceTable.get(nodeKey);
    if (!m) st.serviceTable.set(nodeKey, (m = new Map()));
    m.set(idKey, s);
    st.indexInstance(nodeKey, s);
  }
  for (const c of snap.Checks) {
    const nodeKey = lower(c.Node);
    let m = st.checkTable.get(nodeKey);
    if (!m) st.checkTable.set(nodeKey, (m = new Map()));
    m.set(lower(c.CheckID), c);
  }
  for (const s of snap.Sessions) st.setSession(s);
  for (const [k, v] of Object.entries(snap.LockDelays)) st.lockDelays.set(k, v);
  st.autopilot = snap.Autopilot ?? null;
  st.kv.load(snap.KVs, snap.Tombstones, snap.Tables.kvs ?? 0, snap.Tables.tombstones ?? 0);
  st.acl.restore(snap.ACL);
  st.queries.restore(snap.PreparedQueries?.Queries);
  st.queries.index = Math.max(st.queries.index, snap.PreparedQueries?.Index ?? 0);
  st.coordinates.restore(snap.Coordinates);
  st.connectCA.restore(snap.ConnectCA);
  st.configEntries.restore(snap.ConfigEntries);
  st.peerings.restore(snap.Peerings);
  st.virtualIPs.restore(snap.VirtualIPs);
}

/**
 * `snapshot` as restored by the log entry at `index` (PUT /v1/snapshot through Raft): no index
 * in it may lie ahead of that entry, so indexes above it are lowered to it, and every table
 * index becomes `index` so each blocking query wakes and sees the restored state.
 */
export function snapshotAtIndex(snapshot: CatalogSnapshot, index: number): CatalogSnapshot {
  const snap = structuredClone(snapshot);
  const clamp = (i: number): number => Math.min(i, index);
  const records: Array<{ CreateIndex: number; ModifyIndex: number }> = [
    ...snap.Nodes,
    ...snap.Services,
    ...snap.Checks,
    ...snap.KVs,
    ...snap.Sessions,
    ...(snap.Autopilot ? [snap.Autopilot] : []),
    ...(snap.ACL ? [...snap.ACL.Tokens, ...snap.ACL.Policies, ...snap.ACL.Roles, ...(snap.ACL.AuthMethods ?? []), ...(snap.ACL.BindingRules ?? [])] : []),
    ...(snap.PreparedQueries?.Queries ?? []),
    ...(snap.ConnectCA ? [...(snap.ConnectCA.Config ? [snap.ConnectCA.Config] : []), ...snap.ConnectCA.Roots, ...snap.ConnectCA.ProviderStates] : []),
    ...(snap.ConfigEntries?.Entries ?? []),
    ...(snap.Peerings?.Peerings ?? []),
    ...(snap.VirtualIPs?.Services ?? []),
  ];
  for (const r of records) {
    r.CreateIndex = clamp(r.CreateIndex);
    r.ModifyIndex = clamp(r.ModifyIndex);
  }
  snap.Tombstones = snap.Tombstones.map(([key, i]) => [key, clamp(i)]);
  for (const k of Object.keys(snap.ServiceIndexes)) snap.ServiceIndexes[k] = index;
  for (const k of Object.keys(snap.Tables) as TableName[]) snap.Tables[k] = index;
  if (snap.ACL) {
    snap.ACL.Index = index;
    snap.ACL.BootstrapIndex = clamp(snap.ACL.BootstrapIndex);
  }
  if (snap.PreparedQueries) snap.PreparedQueries.Index = index;
  if (snap.Coordinates) snap.Coordinates.Index = index;
  if (snap.ConnectCA) {
    snap.ConnectCA.RootsIndex = index;
    snap.ConnectCA.LeafIndex = index;
  }
  if (snap.ConfigEntries) snap.ConfigEntries.Index = index;
  if (snap.Peerings) {
    snap.Peerings.Index = index;
    for (const i of snap.Peerings.Imports) i.Index = index;
  }
  if (snap.VirtualIPs) snap.VirtualIPs.Index = index;
  snap.Index = index;
  return snap;
}
