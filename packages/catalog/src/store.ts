import type { AutopilotRecord } from './autopilot.js';
/**
 * The tables of the catalog and their index bookkeeping. Writes (`catalog-writes.ts`,
 * `kv-writes.ts`, `session-writes.ts`, `txn.ts`) change them through these helpers, which
 * also record which watch keys the current command touched; `Catalog` reads them.
 */
import { AclStore } from './acl-store.js';
import { ConfigEntryStore } from './config-entry-store.js';
import { ConnectIndex } from './connect-index.js';
import { CoordinateTable } from './coordinates.js';
import { ConnectCAStore } from './connect-ca.js';
import { KVStore } from './kv-store.js';
import { PreparedQueryStore } from './prepared-query.js';
import { PeeringStore } from './peering-store.js';
import type { CheckRecord, NodeRecord, ServiceRecord, SessionRecord } from './records.js';
import type { TableName } from './types.js';
import { SetIndex } from './set-index.js';
import { VirtualIPTable } from './virtual-ips.js';
import { lower, sortedValues } from './util.js';
import { serviceWatchKey } from './watch.js';

export const TABLES: TableName[] = ['nodes', 'services', 'checks', 'kvs', 'tombstones', 'sessions'];

export class CatalogStore {
  appliedIndex = 0;
  /** Latest `Now` (ms) seen in a command. */
  nowMs = 0;
  readonly tables: Record<TableName, number> = { nodes: 0, services: 0, checks: 0, kvs: 0, tombstones: 0, sessions: 0 };
  /** Lowercased service name -> max index of its instances, their checks and nodes. */
  readonly serviceIndexes = new Map<string, number>();
  /** Lowercased node name -> node (changed through setNode/deleteNodeRecord, which keep nodeKeyById). */
  readonly nodeTable = new Map<string, NodeRecord>();
  /** Lowercased node ID -> lowercased name of the node with that ID. */
  private readonly nodeKeyById = new Map<string, string>();
  /** Lowercased node name -> lowercased service ID -> instance. */
  readonly serviceTable = new Map<string, Map<string, ServiceRecord>>();
  /** Lowercased service name -> "node\0id" (lowercased) -> instance. */
  readonly servicesByName = new Map<string, Map<string, ServiceRecord>>();
  /** Proxies and Connect-native instances by the service they serve (connect-index.ts); derived. */
  readonly connect = new ConnectIndex();
  /** Lowercased node name -> lowercased check ID -> check. */
  readonly checkTable = new Map<string, Map<string, CheckRecord>>();
  /** Session ID -> session (changed through setSession/deleteSession, which keep sessionsOfNode). */
  readonly sessionTable = new Map<string, SessionRecord>();
  /** Lowercased node name -> IDs of the sessions on it. */
  private readonly sessionsOfNode = new SetIndex();
  readonly kv = new KVStore();
  /** Autopilot's configuration once set (AutopilotSet); null: the defaults. */
  autopilot: AutopilotRecord | null = null;
  /** Tokens, policies and roles (acl-store.ts). */
  readonly acl = new AclStore();
  /** Prepared queries (prepared-query.ts). */
  readonly queries = new PreparedQueryStore();
  /** Config entries (config-entry-store.ts). */
  readonly configEntries = new ConfigEntryStore();
  /** Cluster peerings and what peers export here (peering-store.ts). */
  readonly peerings = new PeeringStore();
  /** Network coordinates of nodes (coordinates.ts). */
  readonly coordinates = new CoordinateTable();
  /** The Connect CA's config, roots and provider state (connect-ca.ts). */
  readonly connectCA = new ConnectCAStore();
  /** Virtual IPs of mesh services (virtual-ips.ts). */
  readonly virtualIPs = new VirtualIPTable();
  /** KV key -> end of its lock-delay (ms, in the time of the commands' `Now`). */
  readonly lockDelays = new Map<string, number>();
  /** Watch keys touched by the command being applied. */
  readonly touched = new Set<string>();
  private sortedNodesCache: NodeRecord[] | undefined;
  private readonly instancesCache = new Map<string, ServiceRecord[]>();

  /** Empties every table (before a restore). */
  clear(): void {
    this.appliedIndex = 0;
    this.nowMs = 0;
    for (const t of TABLES) this.tables[t] = 0;
    this.serviceIndexes.clear();
    this.nodeTable.clear();
    this.nodeKeyById.clear();
    this.autopilot = null;
    this.serviceTable.clear();
    this.servicesByName.clear();
    this.connect.clear();
    this.checkTable.clear();
    this.sessionTable.clear();
    this.sessionsOfNode.clear();
    this.lockDelays.clear();
    this.touched.clear();
    this.kv.load([], [], 0, 0);
    this.acl.clear();
    this.queries.clear();
    this.configEntries.clear();
    this.peerings.clear();
    this.coordinates.clear();
    this.connectCA.clear();
    this.virtualIPs.clear();
    this.nodesChanged();
    this.instancesCache.clear();
  }

  bumpTable(table: TableName, idx: number): void {
    this.tables[table] = Math.max(this.tables[table], idx);
    this.touched.add(table);
  }

  bumpService(nameKey: string, idx: number): void {
    this.serviceIndexes.set(nameKey, Math.max(this.serviceIndexes.get(nameKey) ?? 0, idx));
    this.instancesCache.delete(nameKey);
    this.touched.add(serviceWatchKey(nameKey));
  }

  /** A node or node-level check changed: every service on the node reads it. */
  bumpNodeServices(nodeKey: string, idx: number): void {
    const services = this.serviceTable.get(nodeKey);
    if (!services) return;
    for (const s of services.values()) this.bumpService(lower(s.Service), idx);
  }

  setNode(nodeKey: string, rec: NodeRecord): void {
    const old = this.nodeTable.get(nodeKey);
    if (old) this.#forgetNodeId(nodeKey, old);
    this.nodeTable.set(nodeKey, rec);
    if (rec.ID !== '') this.nodeKeyById.set(lower(rec.ID), nodeKey);
  }

  deleteNodeRecord(nodeKey: string): void {
    const old = this.nodeTable.get(nodeKey);
    if (!old) return;
    this.#forgetNodeId(nodeKey, old);
    this.nodeTable.delete(nodeKey);
  }

  #forgetNodeId(nodeKey: string, rec: NodeRecord): void {
    const idKey = lower(rec.ID);
    if (rec.ID !== '' && this.nodeKeyById.get(idKey) === nodeKey) this.nodeKeyById.delete(idKey);
  }

  /** The node that has this ID (case-insensitive), if any. */
  nodeById(id: string): NodeRecord | undefined {
    const key = id === '' ? undefined : this.nodeKeyById.get(lower(id));
    return key === undefined ? undefined : this.nodeTable.get(key);
  }

  setSession(rec: SessionRecord): void {
    this.deleteSession(rec.ID);
    this.sessionTable.set(rec.ID, rec);
    this.sessionsOfNode.add(lower(rec.Node), rec.ID);
  }

  deleteSession(id: string): void {
    const rec = this.sessionTable.get(id);
    if (!rec) return;
    this.sessionTable.delete(id);
    this.sessionsOfNode.delete(lower(rec.Node), id);
  }

  /** The sessions on a node (lowercased name), in no particular order. */
  sessionsOn(nodeKey: string): SessionRecord[] {
    return this.sessionsOfNode.get(nodeKey).map((id) => this.sessionTable.get(id)!);
  }

  /** Adds an instance to the by-name index (no index bookkeeping). */
  indexInstance(nodeKey: string, rec: ServiceRecord): void {
    const nameKey = lower(rec.Service);
    let byName = this.servicesByName.get(nameKey);
    if (!byName) this.servicesByName.set(nameKey, (byName = new Map()));
    const key = `${nodeKey}\0${lower(rec.ID)}`;
    const old = byName.get(key);
    if (old) this.connect.remove(key, old);
    byName.set(key, rec);
    this.connect.add(key, rec);
  }

  /** Removes an instance from the by-name index (no index bookkeeping). */
  unindexInstance(nodeKey: string, rec: ServiceRecord): void {
    const nameKey = lower(rec.Service);
    const byName = this.servicesByName.get(nameKey);
    const key = `${nodeKey}\0${lower(rec.ID)}`;
    byName?.delete(key);
    this.connect.remove(key, rec);
    if (byName?.size === 0) this.servicesByName.delete(nameKey);
  }

  /** Drops the derived views (after a rolled-back transaction put records back). */
  resetCaches(): void {
    this.sortedNodesCache = undefined;
    this.instancesCache.clear();
  }

  /** The node table changed (invalidates the sorted view). */
  nodesChanged(): void {
    this.sortedNodesCache = undefined;
  }

  /** Max index of the given tables (0 when never written). */
  tableIndex(...tables: TableName[]): number {
    let max = 0;
    for (const t of tables) max = Math.max(max, this.tables[t]);
    return max;
  }

  /** Index of one service name; falls back to the tables for a name never seen. */
  serviceIndex(name: string): number {
    return this.serviceIndexes.get(lower(name)) ?? this.tableIndex('nodes', 'services', 'checks');
  }

  sortedNodes(): NodeRecord[] {
    this.sortedNodesCache ??= sortedValues(this.nodeTable);
    return this.sortedNodesCache;
  }

  /** Instances of a service, by node then ID. */
  sortedInstances(nameKey: string): ServiceRecord[] {
    let list = this.instancesCache.get(nameKey);
    if (!list) {
      const byName = this.servicesByName.get(nameKey);
      list = byName ? sortedValues(byName) : [];
      this.instancesCache.set(nameKey, list);
    }
    return list;
  }

  nodeChecksSorted(nodeKey: string): CheckRecord[] {
    const checks = this.checkTable.get(nodeKey);
    return checks ? sortedValues(checks) : [];
  }

  nodeServicesSorted(nodeKey: string): ServiceRecord[] {
    const services = this.serviceTable.get(nodeKey);
    return services ? sortedValues(services) : [];
  }

  /** A node by name, else by node ID. */
  findNode(nameOrID: string): NodeRecord | undefined {
    return this.nodeTable.get(lower(nameOrID)) ?? this.nodeById(nameOrID);
  }
}
