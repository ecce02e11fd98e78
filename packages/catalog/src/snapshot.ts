/**
 * The whole catalog state as a plain, JSON-serialisable object. `Catalog.restore` of a
 * `Catalog.snapshot()` gives a catalog whose every query (and next snapshot) is identical.
 */
import type { KVRecord } from './kv-store.js';
import type { CheckRecord, NodeRecord, ServiceRecord, SessionRecord } from './records.js';
import type { TableName } from './types.js';

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
}
