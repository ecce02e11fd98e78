// What `proconsul snapshot inspect` counts in an archive's state: its records under the names
// of the Raft message types Consul's snapshot holds them as (structs.MessageType), each
// record's size being its own v8 encoding. A node, a service and a check are each a
// "Register" record; all coordinates together are one "CoordinateBatchUpdate"; every table
// index is an "Index" record.
import { serialize } from 'node:v8';
import type { CatalogSnapshot } from '@proconsul/catalog';

/** One row of the table: Consul's typeStats (and its JSON field names). */
export interface TypeStats {
  Name: string;
  Sum: number;
  Count: number;
}

export interface SnapshotStats {
  Stats: TypeStats[];
  TotalSize: number;
  /** With `kv`: the KV records grouped by key prefix. */
  StatsKV: TypeStats[] | null;
  TotalSizeKV: number;
}

export interface KvDetails {
  /** How many `/`-separated parts of a key make its group (Consul's -kvdepth, default 2). */
  depth: number;
  /** Only keys starting with this (Consul's -kvfilter). */
  filter: string;
}

class Tally {
  readonly rows = new Map<string, TypeStats>();
  total = 0;

  /** Counts one record of `size` bytes under `name`. */
  count(name: string, size: number): void {
    const row = this.rows.get(name) ?? { Name: name, Sum: 0, Count: 0 };
    row.Sum += size;
    row.Count++;
    this.rows.set(name, row);
    this.total += size;
  }

  /** Counts `record` at the size of its own encoding; returns that size. */
  add(name: string, record: unknown): number {
    const size = serialize(record).length;
    this.count(name, size);
    return size;
  }

  /** Largest first, then by name (Consul's sortTypeStats). */
  sorted(): TypeStats[] {
    return [...this.rows.values()].sort((a, b) => b.Sum - a.Sum || (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  }
}

/** `state`: a catalog snapshot as an archive's state.bin holds it. */
export function snapshotStats(state: unknown, kv?: KvDetails): SnapshotStats {
  if (typeof state !== 'object' || state === null || !('Tables' in state)) throw new Error('the state is not a catalog snapshot');
  const snap = state as CatalogSnapshot;
  const types = new Tally();
  const keys = new Tally();
  const each = (name: string, records: readonly unknown[] | undefined): void => {
    for (const r of records ?? []) types.add(name, r);
  };
  each('Register', snap.Nodes);
  each('Register', snap.Services);
  each('Register', snap.Checks);
  for (const r of snap.KVs ?? []) {
    const size = types.add('KVS', r);
    if (!kv || !r.Key.startsWith(kv.filter)) continue;
    keys.count(r.Key.split('/').slice(0, Math.max(kv.depth, 0)).join('/'), size);
  }
  each('Tombstone', snap.Tombstones);
  each('Session', snap.Sessions);
  each('PreparedQuery', snap.PreparedQueries?.Queries);
  each('ACLToken', snap.ACL?.Tokens);
  each('ACLPolicy', snap.ACL?.Policies);
  each('ACLRole', snap.ACL?.Roles);
  if (snap.Coordinates && snap.Coordinates.Entries.length > 0) types.add('CoordinateBatchUpdate', snap.Coordinates.Entries);
  if (snap.Autopilot) types.add('Autopilot', snap.Autopilot);
  // Consul's message type names of the CA tables (structs.ConnectCA*Type).
  each('ConnectCA', snap.ConnectCA?.Roots);
  each('ConnectCAProviderState', snap.ConnectCA?.ProviderStates);
  if (snap.ConnectCA?.Config) types.add('ConnectCAConfig', snap.ConnectCA.Config);
  // The virtual IP tables (fsm/snapshot_ce.go): one FreeVirtualIP record per freed address, plus the counter's.
  each('ServiceVirtualIP', snap.VirtualIPs?.Services);
  each('FreeVirtualIP', snap.VirtualIPs ? [...snap.VirtualIPs.Free, ...(snap.VirtualIPs.Counter > 0 ? [snap.VirtualIPs.Counter] : [])] : []);
  each('Index', Object.entries(snap.Tables ?? {}));
  each('Index', Object.entries(snap.ServiceIndexes ?? {}).map(([name, index]) => [`service.${name}`, index]));
  // Consul prints no key table when no key matched (generateKVStats' nil).
  return { Stats: types.sorted(), TotalSize: types.total, StatsKV: keys.rows.size > 0 ? keys.sorted() : null, TotalSizeKV: keys.total };
}
