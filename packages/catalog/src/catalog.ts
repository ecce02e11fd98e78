/**
 * The catalog state machine: nodes, services, checks, KV, sessions. `apply(index, command)`
 * is the only way to change it and is deterministic (no clock, no randomness, no I/O):
 * every replica that applies the same log holds the same state. Reads return Consul's
 * JSON shapes with the index for `X-Consul-Index` and the watch keys to block on.
 *
 * Names of nodes, service names, service IDs and check IDs match case-insensitively, as in
 * Consul's state store (its memdb indexes are lowercased); KV keys are case-sensitive.
 */
import type { AclStore } from './acl-store.js';
import { ACL_WATCH_KEY } from './acl-types.js';
import { checkStatus, deregister, register } from './catalog-writes.js';
import { configEntryVirtualIP, setManualVirtualIPs } from './virtual-ip-writes.js';
import { gatewayEntryBefore, gatewayEntryVirtualIPError, gatewayEntryWritten } from './terminating-gateway-vips.js';
import { applyPeeringDelete, applyPeeringImport } from './peering-virtual-ips.js';
import type { ServiceVirtualIP } from './virtual-ips.js';
import type { ApplyResult, Command, TxnOp, TxnResponse } from './commands.js';
import { kvApply } from './kv-writes.js';
import { autopilotSet, type AutopilotRecord } from './autopilot.js';
import { PREPARED_QUERIES_WATCH_KEY, type PreparedQueryStore } from './prepared-query.js';
import type { PreparedQuery } from './prepared-query-types.js';
import { COORDINATES_WATCH_KEY, type CoordinateEntry } from './coordinates.js';
import { CONNECT_CA_WATCH_KEY, type ConnectCAStore } from './connect-ca.js';
import { CONFIG_ENTRIES_WATCH_KEY } from './config-entry-store.js';
import type { ConfigEntry } from './config-entry-types.js';
import { resolveExportedServices, type ResolvedExportedService } from './config-entry/exported-services.js';
import type { ConfigEntryView } from './discovery-chain/compile.js';
import {
  toCatalogNode,
  toHealthCheck,
  toKVEntry,
  toNodeService,
  toServiceNode,
  toSession,
} from './records.js';
import { invalidateSession, sessionCreate } from './session-writes.js';
import { isObj } from './shape-check.js';
import { restoreSnapshot, streamSnapshot, takeSnapshot, type CatalogSnapshot, type SnapshotStream } from './snapshot.js';
import { CatalogStore } from './store.js';
import { applyTxn, isReadOnlyTxn, readTxn } from './txn.js';
import type {
  CatalogNode,
  CheckStatus,
  HealthCheck,
  Indexed,
  KVEntry,
  NodeService,
  NodeServiceList,
  NodeServices,
  ServiceEntry,
  ServiceNode,
  Session,
  TableName,
  WatchKey,
} from './types.js';
import { byString, fail, lower, ok } from './util.js';
import { WatchHub, kvWatchKey, serviceWatchKey } from './watch.js';
import { metaMatches, tagsMatch } from './filters.js';
import { checkConnectServiceNodes, connectServiceNodes } from './connect-reads.js';
import { checkIngressServiceNodes } from './gateway-reads.js';
import { gatewayServices, type GatewayService } from './gateway-services.js';
import { instanceEntries, type InstanceEntry } from './service-entries.js';
import { PEERINGS_WATCH_KEY } from './peering-store.js';
import type { ImportedInstance, ImportedServices, PeeringRecord } from './peering-types.js';
import { exportedInstances, exportedMeshProxies, type ExportingCluster } from './peering-export.js';
import { importedConnectEntries, importedNode, importedServiceEntries, importedServiceNodes, importedServices } from './peering-reads.js';

export { DEFAULT_LOCK_DELAY_NS, sessionTTLError } from './session-writes.js';

export interface CatalogOptions {
  /** Datacenter reported in Node objects. Default `dc1`. */
  datacenter?: string;
}

/** `?node-meta=k:v` filters: every pair must match. */
export interface NodeMetaFilter {
  nodeMeta?: Record<string, string>;
}

/** catalog/service and health/service filters. */
export interface ServiceFilter extends NodeMetaFilter {
  /** `?tag=` (repeatable): every tag must be present (case-insensitive, as Consul). */
  tags?: string[];
}

export interface HealthServiceFilter extends ServiceFilter {
  /** `?passing`: drop instances with any non-passing check (warning included), node checks included. */
  passing?: boolean;
}

/** Table sizes returned by `Catalog.stats()`. */
export interface CatalogStats {
  lastIndex: number;
  nodes: number;
  serviceInstances: number;
  serviceNames: number;
  checks: number;
  kvEntries: number;
  tombstones: number;
  sessions: number;
  watchers: number;
}

/** Health states of GET /v1/health/state/:state. */
export type HealthState = 'any' | CheckStatus;

export class Catalog {
  readonly datacenter: string;
  /** The tables; writes go through `apply` only. */
  private readonly st = new CatalogStore();
  private readonly hub = new WatchHub();

  constructor(options: CatalogOptions = {}) {
    this.datacenter = options.datacenter ?? 'dc1';
  }

  /** A catalog holding the state of `snapshot`. */
  static fromSnapshot(snapshot: CatalogSnapshot, options: CatalogOptions = {}): Catalog {
    const c = new Catalog(options);
    c.restore(snapshot);
    return c;
  }

  /** Index of the last applied command (0 before any). */
  /** The ACL tables, for reads only (writes are ACL commands through `apply`). */
  get acl(): Readonly<AclStore> {
    return this.st.acl;
  }

  get lastIndex(): number {
    return this.st.appliedIndex;
  }

  /** Latest `Now` (ms) carried by an applied command: the state machine's clock. */
  get now(): number {
    return this.st.nowMs;
  }

  /** Number of blocked waiters (for metrics). */
  get watchers(): number {
    return this.hub.size;
  }

  // ---------------------------------------------------------------- apply

  /**
   * Applies `command` at log index `index` (becomes CreateIndex/ModifyIndex of what it
   * writes). Never throws for a user-level failure: see `ApplyResult`. Throws only for a
   * programming error (an index lower than the last applied one).
   */
  apply(index: number, command: Command): ApplyResult {
    if (!Number.isSafeInteger(index) || index < 1) throw new Error(`invalid log index ${index}`);
    if (index < this.st.appliedIndex) {
      throw new Error(`log index ${index} is behind the last applied index ${this.st.appliedIndex}`);
    }
    this.st.appliedIndex = index;
    let result: ApplyResult;
    try {
      result = this.dispatch(index, command);
    } catch (err) {
      // Shape checks make this unreachable for known commands; never let a log entry crash a replica.
      result = fail(`Invalid command: ${(err as Error).message}`);
    } finally {
      this.flushWatches();
    }
    return result;
  }

  private dispatch(idx: number, command: Command): ApplyResult {
    if (!isObj(command)) return fail('Invalid command');
    if ('Now' in command && typeof command.Now === 'number' && Number.isFinite(command.Now)) {
      this.st.nowMs = Math.max(this.st.nowMs, command.Now);
    }
    switch (command.Type) {
      case 'ACLBootstrap':
      case 'ACLTokenSet':
      case 'ACLTokenDelete':
      case 'ACLPolicySet':
      case 'ACLPolicyDelete':
      case 'ACLRoleSet':
      case 'ACLRoleDelete':
      case 'ACLAuthMethodSet':
      case 'ACLAuthMethodDelete':
      case 'ACLBindingRuleSet':
      case 'ACLBindingRuleDelete': {
        const r = this.st.acl.apply(idx, command);
        if (r.ok) this.st.touched.add(ACL_WATCH_KEY);
        return r;
      }
      case 'Noop':
        return ok();
      case 'Register':
        return register(this.st, idx, command);
      case 'Deregister':
        return deregister(this.st, idx, command);
      case 'CheckStatus':
        return checkStatus(this.st, idx, command);
      case 'KV':
        return kvApply(this.st, idx, command);
      case 'SessionCreate':
        return sessionCreate(this.st, idx, command);
      case 'SessionDestroy':
        invalidateSession(this.st, command.ID, idx);
        return ok();
      case 'Txn':
        return applyTxn(this.st, idx, command, this.datacenter);
      case 'TombstoneReap':
        if (typeof command.Index !== 'number') return fail('Invalid Index: expected a number');
        this.st.kv.reapTombstones(command.Index, idx);
        return ok();
      case 'AutopilotSet':
        return autopilotSet(this.st, idx, command);
      case 'PreparedQuery': {
        const r = this.st.queries.apply(idx, command, (id) => this.st.sessionTable.has(id));
        if (r.ok) this.st.touched.add(PREPARED_QUERIES_WATCH_KEY);
        return r;
      }
      case 'ConfigEntry': {
        const vipError = gatewayEntryVirtualIPError(this.st, command);
        if (vipError) return vipError;
        const before = gatewayEntryBefore(this.st, command);
        const r = this.st.configEntries.apply(idx, command);
        if (r.ok) {
          this.st.touched.add(CONFIG_ENTRIES_WATCH_KEY);
          configEntryVirtualIP(this.st, idx, command);
          gatewayEntryWritten(this.st, idx, before, command);
        }
        return r;
      }
      case 'ServiceVirtualIPSet':
        return setManualVirtualIPs(this.st, idx, command);
      case 'PeeringWrite':
        return this.st.peerings.apply(idx, command, (key) => this.st.touched.add(key));
      case 'PeeringDelete':
        return applyPeeringDelete(this.st, idx, command);
      case 'PeeringImport':
        return applyPeeringImport(this.st, idx, command);
      case 'CoordinateBatchUpdate':
        this.st.touched.add(COORDINATES_WATCH_KEY);
        return this.st.coordinates.apply(idx, command, (node) => this.st.nodeTable.has(lower(node)));
      case 'ConnectCA': {
        const r = this.st.connectCA.apply(idx, command);
        // A leaf's serial and index are read by no blocking query (CALeafSetIndex writes only its index).
        if (r.ok && command.Op !== 'leaf-increment-index') this.st.touched.add(CONNECT_CA_WATCH_KEY);
        return r;
      }
      case 'Batch':
        if (!Array.isArray(command.Commands)) return fail('Invalid Commands: expected an array');
        return { ok: true, results: command.Commands.map((c) => this.dispatch(idx, c)) };
      default:
        return fail(`Invalid command type ${JSON.stringify((command as { Type?: unknown }).Type)}`);
    }
  }

  private flushWatches(): void {
    const kvKeys = this.st.kv.drainChanged();
    if (kvKeys.length > 0) this.st.touched.add('kvs');
    this.st.tables.kvs = this.st.kv.kvsIndex;
    this.st.tables.tombstones = this.st.kv.tombstonesIndex;
    if (this.st.touched.size > 0 || kvKeys.length > 0) this.hub.notify(this.st.touched, kvKeys);
    this.st.touched.clear();
  }

  // ------------------------------------------------------------- indexes

  /** Max index of the given tables (0 when never written). */
  tableIndex(...tables: TableName[]): number {
    return this.st.tableIndex(...tables);
  }

  /** Index of one service name: its instances, their checks and nodes; falls back to the tables. */
  serviceIndex(name: string): number {
    return this.st.serviceIndex(name);
  }

  /** Runs a transaction made only of read verbs (txn.ts `readTxn`), without the log. */
  readTxn(ops: TxnOp[]): { index: number; response: TxnResponse } {
    return readTxn(this.st, ops, this.datacenter);
  }

  /** True when every op of a txn body is a read verb (so it may skip the log). */
  static isReadOnlyTxn(ops: TxnOp[]): boolean {
    return isReadOnlyTxn(ops);
  }

  private indexed<T>(index: number, value: T, watch: WatchKey[]): Indexed<T> {
    return { index: Math.max(1, index), value, watch };
  }

  // ------------------------------------------------------------- catalog

  /** GET /v1/catalog/nodes: nodes sorted by name. */
  nodes(filter: NodeMetaFilter = {}): Indexed<CatalogNode[]> {
    const out = this.st.sortedNodes()
      .filter((n) => metaMatches(n.Meta, filter.nodeMeta))
      .map((n) => toCatalogNode(n, this.datacenter));
    return this.indexed(this.tableIndex('nodes'), out, ['nodes']);
  }

  /** GET /v1/catalog/node/:node: `null` for an unknown node. */
  node(name: string): Indexed<NodeServices | null> {
    const index = this.tableIndex('nodes', 'services');
    const n = this.st.nodeTable.get(lower(name));
    if (!n) return this.indexed(index, null, ['nodes', 'services']);
    const services = Object.fromEntries(this.st.nodeServicesSorted(lower(n.Node)).map((s): [string, NodeService] => [s.ID, toNodeService(s)]));
    return this.indexed(index, { Node: toCatalogNode(n, this.datacenter), Services: services }, ['nodes', 'services']);
  }

  /** GET /v1/catalog/node-services/:node: `{Node:null,Services:null}` for an unknown node. */
  nodeServiceList(name: string): Indexed<NodeServiceList> {
    const index = this.tableIndex('nodes', 'services');
    const n = this.st.nodeTable.get(lower(name));
    if (!n) return this.indexed(index, { Node: null, Services: null }, ['nodes', 'services']);
    const services = this.st.nodeServicesSorted(lower(n.Node)).map(toNodeService);
    return this.indexed(index, { Node: toCatalogNode(n, this.datacenter), Services: services }, ['nodes', 'services']);
  }

  /** GET /v1/catalog/services: service name -> deduplicated tags of all its instances. */
  services(filter: NodeMetaFilter = {}): Indexed<Record<string, string[]>> {
    const out: [string, string[]][] = [];
    const names = [...this.st.servicesByName.keys()].sort(byString);
    for (const nameKey of names) {
      const instances = this.st.sortedInstances(nameKey).filter((s) =>
        metaMatches(this.st.nodeTable.get(lower(s.Node))?.Meta ?? null, filter.nodeMeta),
      );
      if (instances.length === 0) continue;
      const tags = new Set<string>();
      for (const s of instances) for (const t of s.Tags) tags.add(t);
      out.push([instances[0]!.Service, [...tags]]);
    }
    return this.indexed(this.tableIndex('nodes', 'services'), Object.fromEntries(out), ['nodes', 'services']);
  }

  /** GET /v1/catalog/service/:service (`?tag=`, `?node-meta=`). */
  serviceNodes(service: string, filter: ServiceFilter = {}): Indexed<ServiceNode[]> {
    const nameKey = lower(service);
    const out: ServiceNode[] = [];
    for (const s of this.st.sortedInstances(nameKey)) {
      const n = this.st.nodeTable.get(lower(s.Node));
      if (!n || !metaMatches(n.Meta, filter.nodeMeta) || !tagsMatch(s.Tags, filter.tags)) continue;
      out.push(toServiceNode(n, s, this.datacenter));
    }
    return this.indexed(this.serviceIndex(nameKey), out, [serviceWatchKey(nameKey)]);
  }

  /** The instances of a service with their node and checks (node-level checks included). */
  private serviceEntries(service: string, filter: HealthServiceFilter): InstanceEntry[] {
    return instanceEntries(this.st, this.st.sortedInstances(lower(service)), filter);
  }

  /** GET /v1/catalog/connect/:service: its proxies and Connect-native instances (connect-reads.ts). */
  connectServiceNodes(service: string, filter: ServiceFilter = {}): Indexed<ServiceNode[]> {
    return connectServiceNodes(this.st, this.datacenter, service, filter);
  }

  /** GET /v1/health/connect/:service: as health/service, over the connect-capable instances. */
  checkConnectServiceNodes(service: string, filter: HealthServiceFilter = {}): Indexed<ServiceEntry[]> {
    return checkConnectServiceNodes(this.st, this.datacenter, service, filter);
  }

  /** VirtualIPForService: the virtual IP of a service name (imported from `peer` when given), '' when it has none. */
  virtualIPForService(service: string, peer = ''): string {
    return this.st.virtualIPs.ipOf(service, peer);
  }

  /** The virtual IP entry of a service name (its manual addresses too), if any. */
  serviceVirtualIP(service: string): ServiceVirtualIP | undefined {
    return this.st.virtualIPs.get(service);
  }

  /** GET /v1/catalog/gateway-services/:gateway: the services a gateway fronts (gateway-services.ts). */
  gatewayServices(gateway: string): Indexed<GatewayService[]> {
    return gatewayServices(this.st, gateway);
  }

  /** GET /v1/health/ingress/:service: the ingress gateways' instances that front it (gateway-reads.ts). */
  checkIngressServiceNodes(service: string, filter: HealthServiceFilter = {}): Indexed<ServiceEntry[]> {
    return checkIngressServiceNodes(this.st, this.datacenter, service, filter);
  }

  // -------------------------------------------------------------- health

  /** GET /v1/health/service/:service (`?passing`, `?tag=`, `?node-meta=`). */
  checkServiceNodes(service: string, filter: HealthServiceFilter = {}): Indexed<ServiceEntry[]> {
    const out = this.serviceEntries(service, filter).map((e) => ({
      Node: toCatalogNode(e.node, this.datacenter),
      Service: toNodeService(e.service),
      Checks: e.checks.map(toHealthCheck),
    }));
    return this.indexed(this.serviceIndex(service), out, [serviceWatchKey(service)]);
  }

  /** GET /v1/health/checks/:service: only checks bound to instances of the service. */
  serviceChecks(service: string, filter: NodeMetaFilter = {}): Indexed<HealthCheck[]> {
    const out: HealthCheck[] = [];
    for (const e of this.serviceEntries(service, { nodeMeta: filter.nodeMeta })) {
      for (const c of e.checks) if (c.ServiceID !== '') out.push(toHealthCheck(c));
    }
    return this.indexed(this.serviceIndex(service), out, [serviceWatchKey(service)]);
  }

  /** GET /v1/health/node/:node (name or node ID): node-level and service checks; `[]` if unknown. */
  nodeChecks(nameOrID: string): Indexed<HealthCheck[]> {
    const n = this.st.findNode(nameOrID);
    const out = n ? this.st.nodeChecksSorted(lower(n.Node)).map(toHealthCheck) : [];
    return this.indexed(this.tableIndex('checks'), out, ['checks', 'nodes']);
  }

  /** GET /v1/health/state/:state: `any` or one status; sorted by node then check ID. */
  checksInState(state: HealthState | string, filter: NodeMetaFilter = {}): Indexed<HealthCheck[]> {
    const out: HealthCheck[] = [];
    for (const n of this.st.sortedNodes()) {
      if (!metaMatches(n.Meta, filter.nodeMeta)) continue;
      for (const c of this.st.nodeChecksSorted(lower(n.Node))) {
        if (state === 'any' || c.Status === state) out.push(toHealthCheck(c));
      }
    }
    const watch: WatchKey[] = filter.nodeMeta ? ['checks', 'nodes'] : ['checks'];
    return this.indexed(this.tableIndex('checks'), out, watch);
  }

  // ------------------------------------------------------------------ KV

  /**
   * GET /v1/kv/:key. Index: the entry's ModifyIndex, or (missing key, served as 404) the
   * max of the kvs and tombstones tables.
   */
  kvGet(key: string): Indexed<KVEntry | null> {
    const e = this.st.kv.get(key);
    if (e) return this.indexed(e.ModifyIndex, toKVEntry(e), [kvWatchKey(key)]);
    return this.indexed(this.tableIndex('kvs', 'tombstones'), null, [kvWatchKey(key)]);
  }

  /** Index of a KV prefix read: max ModifyIndex under it, tombstones included; else the table index. */
  kvPrefixIndex(prefix: string): number {
    const table = this.tableIndex('kvs', 'tombstones');
    if (prefix === '') return table;
    return this.st.kv.prefixIndex(prefix) || table;
  }

  /** GET /v1/kv/:prefix?recurse: entries in key order (`[]` = the HTTP layer's 404). */
  kvList(prefix: string): Indexed<KVEntry[]> {
    const out = [...this.st.kv.list(prefix)].map((e) => toKVEntry(e));
    return this.indexed(this.kvPrefixIndex(prefix), out, [kvWatchKey(prefix)]);
  }

  /**
   * GET /v1/kv/:prefix?keys[&separator=s]: key names; with a separator each key is cut just
   * after the first separator following the prefix, then duplicates are removed.
   */
  kvKeys(prefix: string, separator?: string): Indexed<string[]> {
    const out: string[] = [];
    let last: string | undefined;
    for (const e of this.st.kv.list(prefix)) {
      let k = e.Key;
      if (separator) {
        const at = k.indexOf(separator, prefix.length);
        if (at >= 0) k = k.slice(0, at + separator.length);
      }
      if (k !== last) out.push(k);
      last = k;
    }
    return this.indexed(this.kvPrefixIndex(prefix), out, [kvWatchKey(prefix)]);
  }

  /**
   * End (ms, in the commands' `Now` time) of the lock-delay of a key; 0 when none. The
   * leader may check it before proposing an acquire (Consul does); apply checks it too.
   */
  kvLockDelayUntil(key: string): number {
    const until = this.st.lockDelays.get(key) ?? 0;
    return until > this.st.nowMs ? until : 0;
  }

  // ------------------------------------------------------------ sessions

  /** GET /v1/session/info/:id: `[session]`, or `[]` when unknown. */
  sessionInfo(id: string): Indexed<Session[]> {
    const s = this.st.sessionTable.get(id);
    return this.indexed(this.tableIndex('sessions'), s ? [toSession(s)] : [], ['sessions']);
  }

  /** GET /v1/session/list: all sessions sorted by ID. */
  sessionList(): Indexed<Session[]> {
    const out = [...this.st.sessionTable.values()].sort((a, b) => byString(a.ID, b.ID)).map(toSession);
    return this.indexed(this.tableIndex('sessions'), out, ['sessions']);
  }

  /** GET /v1/session/node/:node: the node's sessions sorted by ID. */
  sessionsForNode(node: string): Indexed<Session[]> {
    const key = lower(node);
    const out = this.st.sessionsOn(key)
      .sort((a, b) => byString(a.ID, b.ID))
      .map(toSession);
    return this.indexed(this.tableIndex('sessions'), out, ['sessions']);
  }

  // ------------------------------------------------- lookups for the agent

  /** One node, or undefined. */
  getNode(name: string): CatalogNode | undefined {
    const n = this.st.nodeTable.get(lower(name));
    return n ? toCatalogNode(n, this.datacenter) : undefined;
  }

  /** One service instance of a node, or undefined. */
  getService(node: string, serviceID: string): NodeService | undefined {
    const s = this.st.serviceTable.get(lower(node))?.get(lower(serviceID));
    return s ? toNodeService(s) : undefined;
  }

  /** One check of a node, or undefined. */
  getCheck(node: string, checkID: string): HealthCheck | undefined {
    const c = this.st.checkTable.get(lower(node))?.get(lower(checkID));
    return c ? toHealthCheck(c) : undefined;
  }

  /** One session, or undefined (session renew: 404 when undefined). */
  getSession(id: string): Session | undefined {
    const s = this.st.sessionTable.get(id);
    return s ? toSession(s) : undefined;
  }

  /** Sizes of the tables, for metrics gauges (`consul.state.nodes`, `consul.kv.entries`...). */
  stats(): CatalogStats {
    let services = 0;
    let checks = 0;
    for (const m of this.st.serviceTable.values()) services += m.size;
    for (const m of this.st.checkTable.values()) checks += m.size;
    return {
      lastIndex: this.st.appliedIndex,
      nodes: this.st.nodeTable.size,
      serviceInstances: services,
      serviceNames: this.st.servicesByName.size,
      checks,
      kvEntries: this.st.kv.size,
      tombstones: this.st.kv.tombstoneList().length,
      sessions: this.st.sessionTable.size,
      watchers: this.hub.size,
    };
  }

  // ------------------------------------------- endpoint-named aliases

  /** Alias of `lastIndex`. */
  get index(): number {
    return this.st.appliedIndex;
  }

  /** Alias of `node` (GET /v1/catalog/node/:node). */
  nodeServices(name: string): Indexed<NodeServices | null> {
    return this.node(name);
  }

  /** Alias of `getNode`. */
  nodeByName(name: string): CatalogNode | undefined {
    return this.getNode(name);
  }

  /** Alias of `nodeChecks` (GET /v1/health/node/:node). */
  healthNode(nameOrID: string): Indexed<HealthCheck[]> {
    return this.nodeChecks(nameOrID);
  }

  /** Alias of `serviceChecks` (GET /v1/health/checks/:service). */
  healthChecks(service: string, filter: NodeMetaFilter = {}): Indexed<HealthCheck[]> {
    return this.serviceChecks(service, filter);
  }

  /** Alias of `checkServiceNodes` (GET /v1/health/service/:service). */
  healthService(service: string, filter: HealthServiceFilter = {}): Indexed<ServiceEntry[]> {
    return this.checkServiceNodes(service, filter);
  }

  /** Alias of `checksInState` (GET /v1/health/state/:state). */
  healthState(state: HealthState | string, filter: NodeMetaFilter = {}): Indexed<HealthCheck[]> {
    return this.checksInState(state, filter);
  }

  /** Autopilot's configuration: null until one is set (then the defaults apply). */
  autopilotConfig(): Indexed<AutopilotRecord | null> {
    const r = this.st.autopilot;
    return this.indexed(r?.ModifyIndex ?? 0, r ? { ...r } : null, ['autopilot']);
  }

  /** The prepared-query table, for resolution (execute, explain, DNS); writes go through `apply`. */
  get preparedQueries(): Readonly<PreparedQueryStore> {
    return this.st.queries;
  }

  /** GET /v1/query: every prepared query, in ID order. */
  preparedQueryList(): Indexed<PreparedQuery[]> {
    return this.indexed(this.st.queries.index, structuredClone(this.st.queries.list()), [PREPARED_QUERIES_WATCH_KEY]);
  }

  /** GET /v1/query/:id: the query with this ID, or null. */
  preparedQueryGet(id: string): Indexed<PreparedQuery | null> {
    const q = this.st.queries.get(id);
    return this.indexed(this.st.queries.index, q ? structuredClone(q) : null, [PREPARED_QUERIES_WATCH_KEY]);
  }

  /** GET /v1/config/:kind/:name: the entry, or null; the index is the table's (Consul's ConfigEntry.Get). */
  configEntryGet(kind: string, name: string): Indexed<ConfigEntry | null> {
    const e = this.st.configEntries.get(kind, name);
    return this.indexed(this.st.configEntries.index, e ? structuredClone(e) : null, [CONFIG_ENTRIES_WATCH_KEY]);
  }

  /** GET /v1/config/:kind: the entries of a kind (all kinds when undefined), by kind then name. */
  configEntryList(kind?: string): Indexed<ConfigEntry[]> {
    return this.indexed(this.st.configEntries.index, structuredClone(this.st.configEntries.list(kind)), [CONFIG_ENTRIES_WATCH_KEY]);
  }

  /** A read over the config entries and the CA (GET /v1/discovery-chain compiles with both); the index is the table's. */
  discoveryChainRead<T>(read: (entries: ConfigEntryView, ca: Readonly<ConnectCAStore>) => T): Indexed<T> {
    return this.indexed(this.st.configEntries.index, read(this.st.configEntries, this.st.connectCA), [CONFIG_ENTRIES_WATCH_KEY, CONNECT_CA_WATCH_KEY]);
  }

  /** GET /v1/coordinate/nodes: every node's coordinates, by node name; the index is the table's. */
  coordinates(): Indexed<CoordinateEntry[]> {
    return this.indexed(this.st.coordinates.index, this.st.coordinates.list(), [COORDINATES_WATCH_KEY]);
  }

  /** GET /v1/coordinate/node/:node: that node's coordinates (one per segment; empty if none). */
  nodeCoordinates(node: string): Indexed<CoordinateEntry[]> {
    return this.indexed(this.st.coordinates.index, this.st.coordinates.forNode(node), [COORDINATES_WATCH_KEY]);
  }

  /** The Connect CA tables, for reads (writes are `ConnectCA` commands through `apply`). */
  get connectCA(): Readonly<ConnectCAStore> {
    return this.st.connectCA;
  }

  // ------------------------------------------------------------- peering

  /** The peerings (secrets included: the agent shapes what it serves), with the table's index. */
  peerings(): Indexed<PeeringRecord[]> {
    return this.indexed(this.st.peerings.index, this.st.peerings.list(), [PEERINGS_WATCH_KEY]);
  }

  /** A peering by its local name (case-insensitive) or, with `byId`, by this cluster's ID for it. */
  peering(nameOrId: string, byId = false): PeeringRecord | undefined {
    return byId ? this.st.peerings.byId(nameOrId) : this.st.peerings.get(nameOrId);
  }

  /** What the peering named `peer` imported, by service name. */
  importedServiceMap(peer: string): ImportedServices {
    return this.st.peerings.importsOf(peer).services;
  }

  /** GET /v1/catalog/services?peer=. */
  importedServices(peer: string, filter: NodeMetaFilter = {}): Indexed<Record<string, string[]>> {
    return importedServices(this.st, peer, filter);
  }

  /** GET /v1/catalog/service/:service?peer=. */
  importedServiceNodes(peer: string, service: string, filter: ServiceFilter = {}): Indexed<ServiceNode[]> {
    return importedServiceNodes(this.st, peer, service, filter);
  }

  /** GET /v1/health/service/:service?peer=. */
  importedServiceEntries(peer: string, service: string, filter: HealthServiceFilter = {}): Indexed<ServiceEntry[]> {
    return importedServiceEntries(this.st, peer, service, filter);
  }

  /** GET /v1/health/connect/:service?peer=: the peer's proxies and Connect-native instances for it. */
  importedConnectEntries(peer: string, service: string, filter: HealthServiceFilter = {}): Indexed<ServiceEntry[]> {
    return importedConnectEntries(this.st, peer, service, filter);
  }

  /** GET /v1/catalog/node/:node?peer=: `null` when the peer exports nothing on that node. */
  importedNode(peer: string, node: string): Indexed<NodeServices | null> {
    return importedNode(this.st, peer, node);
  }

  /** A local service's instances as replicated to a peer: typical ones, with one overall check each (peering-export.ts). */
  exportedInstances(service: string): Indexed<ImportedInstance[]> {
    return exportedInstances(this.st, service);
  }

  /** The synthetic `<service>-sidecar-proxy` sent with an exported mesh service (peering-export.ts). */
  exportedMeshProxies(service: string, from: ExportingCluster): Indexed<ImportedInstance[]> | undefined {
    return exportedMeshProxies(this.st, service, from);
  }

  /**
   * GET /v1/exported-services: the exported-services entry with its wildcard expanded to the
   * typical services (Consul's ResolvedExportedServices); the index also covers the services
   * when the entry names `*`.
   */
  resolvedExportedServices(): Indexed<ResolvedExportedService[]> {
    const entry = this.st.configEntries.get('exported-services', 'default') as Record<string, unknown> | undefined;
    let index = this.st.configEntries.index;
    const watch: WatchKey[] = [CONFIG_ENTRIES_WATCH_KEY];
    const typical = (): string[] => {
      index = Math.max(index, this.tableIndex('services'));
      watch.push('services');
      const names: string[] = [];
      for (const nameKey of this.st.servicesByName.keys()) {
        const instances = this.st.sortedInstances(nameKey);
        if (instances.some((s) => !s.Kind)) names.push(instances[0]!.Service);
      }
      return names;
    };
    const value = resolveExportedServices(entry, typical);
    return this.indexed(index, value, watch);
  }

  /** A read of the Connect CA tables with their index and watch key (blocking queries). */
  connectCARead<T>(read: (ca: Readonly<ConnectCAStore>) => T): Indexed<T> {
    return this.indexed(this.st.connectCA.index, read(this.st.connectCA), [CONNECT_CA_WATCH_KEY]);
  }

  // ------------------------------------------------------------- watches

  /**
   * Resolves when a later apply (or restore) changes something under one of `keys` (take
   * them from a query result's `watch`), or when `signal` aborts. Never rejects.
   */
  watch(keys: readonly WatchKey[], signal?: AbortSignal): Promise<void> {
    return this.hub.wait(keys, signal);
  }

  /**
   * A blocking query: runs `query` until its index is greater than `minIndex` or `signal`
   * aborts (the caller aborts it at `wait` expiry), then returns the last result.
   * `minIndex` 0 returns at once, as Consul does.
   */
  async blockingQuery<T>(query: () => Indexed<T>, minIndex: number, signal?: AbortSignal): Promise<Indexed<T>> {
    for (;;) {
      const result = query();
      if (minIndex <= 0 || result.index > minIndex || signal?.aborted) return result;
      await this.hub.wait(result.watch, signal);
    }
  }

  // ------------------------------------------------------------ snapshot

  /** The whole state as a plain JSON-serialisable object (deep copy, deterministic order). */
  snapshot(): CatalogSnapshot {
    return takeSnapshot(this.st);
  }

  /**
   * The state at this index as a head and a stream of KV entries, valid while later commands
   * apply (copy-on-write): for a caller that encodes a large state in slices (the Raft snapshot).
   */
  snapshotStream(): SnapshotStream {
    return streamSnapshot(this.st);
  }

  /** Replaces the whole state with `snapshot` and wakes every watcher. */
  restore(snapshot: CatalogSnapshot): void {
    restoreSnapshot(this.st, snapshot);
    this.hub.notifyAll();
  }
}
