/**
 * What a transaction's Node, Service and Check operations change, saved before they change it,
 * so a transaction that fails puts the catalog back as it was (KV has its own journal,
 * `KVStore.begin`). Every such operation changes one node only: its record, services, checks
 * and coordinates, the sessions on it, the prepared queries bound to those sessions, the
 * virtual IPs its services took or gave back, and the index bookkeeping; a node is saved once,
 * before its first change. Records are never changed in place (records.ts), so saving them is
 * keeping references.
 */
import type { CoordinateEntry } from './coordinates.js';
import type { QueryEntry } from './prepared-query.js';
import type { CheckRecord, NodeRecord, ServiceRecord, SessionRecord } from './records.js';
import type { CatalogStore } from './store.js';
import type { TableName } from './types.js';
import type { VirtualIPSnapshot } from './virtual-ips.js';
import { lower } from './util.js';

interface SavedNode {
  node: NodeRecord | undefined;
  services: ServiceRecord[];
  checks: CheckRecord[];
  sessions: SessionRecord[];
  queries: QueryEntry[];
  coordinates: CoordinateEntry[];
}

interface SavedIndexes {
  tables: Record<TableName, number>;
  serviceIndexes: Map<string, number>;
  lockDelays: Map<string, number>;
  touched: Set<string>;
  coordinates: number;
  queries: number;
  virtualIPs: VirtualIPSnapshot;
}

export class CatalogUndo {
  private readonly nodes = new Map<string, SavedNode>();
  private indexes: SavedIndexes | undefined;

  constructor(private readonly st: CatalogStore) {}

  /** Call before an operation changes anything on the node (lowercased name). */
  saveNode(nodeKey: string): void {
    const st = this.st;
    this.indexes ??= {
      tables: { ...st.tables },
      serviceIndexes: new Map(st.serviceIndexes),
      lockDelays: new Map(st.lockDelays),
      touched: new Set(st.touched),
      coordinates: st.coordinates.index,
      queries: st.queries.index,
      virtualIPs: st.virtualIPs.save(),
    };
    if (this.nodes.has(nodeKey)) return;
    const sessions = st.sessionsOn(nodeKey);
    this.nodes.set(nodeKey, {
      node: st.nodeTable.get(nodeKey),
      services: [...(st.serviceTable.get(nodeKey)?.values() ?? [])],
      checks: [...(st.checkTable.get(nodeKey)?.values() ?? [])],
      sessions,
      queries: sessions.flatMap((s) => st.queries.boundTo(s.ID)),
      coordinates: st.coordinates.forNode(nodeKey),
    });
  }

  /** Puts every saved node and the index bookkeeping back. */
  restore(): void {
    const st = this.st;
    for (const [nodeKey, saved] of this.nodes) {
      for (const s of st.serviceTable.get(nodeKey)?.values() ?? []) st.unindexInstance(nodeKey, s);
      st.serviceTable.delete(nodeKey);
      st.checkTable.delete(nodeKey);
      for (const s of st.sessionsOn(nodeKey)) st.deleteSession(s.ID);
      st.coordinates.deleteNode(nodeKey, 0);
      if (saved.node) st.setNode(nodeKey, saved.node);
      else st.deleteNodeRecord(nodeKey);
      if (saved.services.length > 0) st.serviceTable.set(nodeKey, new Map(saved.services.map((s) => [lower(s.ID), s])));
      for (const s of saved.services) st.indexInstance(nodeKey, s);
      if (saved.checks.length > 0) st.checkTable.set(nodeKey, new Map(saved.checks.map((c) => [lower(c.CheckID), c])));
      for (const s of saved.sessions) st.setSession(s);
      st.queries.reinstate(saved.queries);
      st.coordinates.reinstate(saved.coordinates);
    }
    const ix = this.indexes;
    if (ix) {
      Object.assign(st.tables, ix.tables);
      replace(st.serviceIndexes, ix.serviceIndexes);
      replace(st.lockDelays, ix.lockDelays);
      st.touched.clear();
      for (const k of ix.touched) st.touched.add(k);
      st.coordinates.index = ix.coordinates;
      st.queries.index = ix.queries;
      st.virtualIPs.restore(ix.virtualIPs);
    }
    st.resetCaches();
  }
}

function replace<K, V>(target: Map<K, V>, from: Map<K, V>): void {
  target.clear();
  for (const [k, v] of from) target.set(k, v);
}
