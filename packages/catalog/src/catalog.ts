/**
 * The catalog state machine: nodes, services, checks, KV, sessions. `apply(index, command)`
 * is the only way to change it and is deterministic (no clock, no randomness, no I/O):
 * every replica that applies the same log holds the same state. Reads return Consul's
 * JSON shapes with the index for `X-Consul-Index` and the watch keys to block on.
 *
 * Names of nodes, service names, service IDs and check IDs match case-insensitively, as in
 * Consul's state store (its memdb indexes are lowercased); KV keys are case-sensitive.
 */
import type {
  ApplyResult,
  CheckStatusCommand,
  Command,
  DeregisterCommand,
  KVCommand,
  RegisterCheckInput,
  RegisterCommand,
  SessionCreateCommand,
  TxnCommand,
  TxnError,
  TxnOp,
  TxnResponse,
  TxnResult,
} from './commands.js';
import { parseDurationMs } from './duration.js';
import { KVStore, type KVRecord } from './kv-store.js';
import {
  toCatalogNode,
  toHealthCheck,
  toKVEntry,
  toNodeService,
  toServiceNode,
  toSession,
  type CheckRecord,
  type NodeRecord,
  type ServiceRecord,
  type SessionRecord,
} from './records.js';
import { SNAPSHOT_VERSION, type CatalogSnapshot } from './snapshot.js';
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
import { isObj, kvShapeError, registerShapeError, sessionShapeError } from './shape-check.js';
import { isAnyAddress, isCheckStatus, validateNodeID } from './validate.js';
import { WatchHub, kvWatchKey, serviceWatchKey } from './watch.js';

/** Consul's default session lock-delay: 15 s, in nanoseconds. */
export const DEFAULT_LOCK_DELAY_NS = 15_000_000_000;

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

const ok = (value = true): ApplyResult => ({ ok: true, value });
const fail = (error: string): ApplyResult => ({ ok: false, error });
const lower = (s: string): string => s.toLowerCase();
const TABLES: TableName[] = ['nodes', 'services', 'checks', 'kvs', 'tombstones', 'sessions'];
const WRITE_VERBS = new Set(['set', 'cas', 'lock', 'unlock', 'delete', 'delete-tree', 'delete-cas']);

/** Same content, ignoring the raft indexes. */
function sameContent<T extends { CreateIndex: number; ModifyIndex: number }>(a: T, b: T): boolean {
  return JSON.stringify({ ...a, CreateIndex: 0, ModifyIndex: 0 }) === JSON.stringify({ ...b, CreateIndex: 0, ModifyIndex: 0 });
}

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function metaMatches(meta: Record<string, string> | null, filter: Record<string, string> | undefined): boolean {
  if (!filter) return true;
  for (const [k, v] of Object.entries(filter)) {
    if (!meta || meta[k] !== v) return false;
  }
  return true;
}

function tagsMatch(tags: string[], wanted: string[] | undefined): boolean {
  if (!wanted || wanted.length === 0) return true;
  const have = new Set(tags.map(lower));
  return wanted.every((t) => have.has(lower(t)));
}

/** Internal result of one KV operation inside a txn. */
type OpOutcome = { entries: KVRecord[]; withValue: boolean } | { error: string };

export class Catalog {
  readonly datacenter: string;
  private appliedIndex = 0;
  private nowMs = 0;
  private readonly tables: Record<TableName, number> = {
    nodes: 0,
    services: 0,
    checks: 0,
    kvs: 0,
    tombstones: 0,
    sessions: 0,
  };
  /** Lowercased service name -> max index of its instances, their checks and nodes. */
  private readonly serviceIndexes = new Map<string, number>();
  /** Lowercased node name -> node. */
  private readonly nodeTable = new Map<string, NodeRecord>();
  /** Lowercased node name -> lowercased service ID -> instance. */
  private readonly serviceTable = new Map<string, Map<string, ServiceRecord>>();
  /** Lowercased service name -> "node\0id" (lowercased) -> instance. */
  private readonly servicesByName = new Map<string, Map<string, ServiceRecord>>();
  /** Lowercased node name -> lowercased check ID -> check. */
  private readonly checkTable = new Map<string, Map<string, CheckRecord>>();
  private readonly sessionTable = new Map<string, SessionRecord>();
  private readonly kv = new KVStore();
  /** KV key -> end of its lock-delay (ms, in the time of the commands' `Now`). */
  private readonly lockDelays = new Map<string, number>();
  private readonly hub = new WatchHub();
  /** Watch keys touched by the command being applied. */
  private readonly touched = new Set<string>();
  private sortedNodesCache: NodeRecord[] | undefined;
  private readonly instancesCache = new Map<string, ServiceRecord[]>();

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
  get lastIndex(): number {
    return this.appliedIndex;
  }

  /** Latest `Now` (ms) carried by an applied command: the state machine's clock. */
  get now(): number {
    return this.nowMs;
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
    if (index < this.appliedIndex) {
      throw new Error(`log index ${index} is behind the last applied index ${this.appliedIndex}`);
    }
    this.appliedIndex = index;
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
      this.nowMs = Math.max(this.nowMs, command.Now);
    }
    switch (command.Type) {
      case 'Noop':
        return ok();
      case 'Register':
        return this.register(idx, command);
      case 'Deregister':
        return this.deregister(idx, command);
      case 'CheckStatus':
        return this.checkStatus(idx, command);
      case 'KV':
        return this.kvApply(idx, command);
      case 'SessionCreate':
        return this.sessionCreate(idx, command);
      case 'SessionDestroy':
        this.invalidateSession(command.ID, idx);
        return ok();
      case 'Txn':
        return this.txn(idx, command);
      case 'TombstoneReap':
        if (typeof command.Index !== 'number') return fail('Invalid Index: expected a number');
        this.kv.reapTombstones(command.Index, idx);
        return ok();
      case 'Batch':
        if (!Array.isArray(command.Commands)) return fail('Invalid Commands: expected an array');
        return { ok: true, results: command.Commands.map((c) => this.dispatch(idx, c)) };
      default:
        return fail(`Invalid command type ${JSON.stringify((command as { Type?: unknown }).Type)}`);
    }
  }

  private flushWatches(): void {
    const kvKeys = this.kv.drainChanged();
    if (kvKeys.length > 0) this.touched.add('kvs');
    this.tables.kvs = this.kv.kvsIndex;
    this.tables.tombstones = this.kv.tombstonesIndex;
    if (this.touched.size > 0 || kvKeys.length > 0) this.hub.notify(this.touched, kvKeys);
    this.touched.clear();
  }

  private bumpTable(table: TableName, idx: number): void {
    this.tables[table] = Math.max(this.tables[table], idx);
    this.touched.add(table);
  }

  private bumpService(nameKey: string, idx: number): void {
    this.serviceIndexes.set(nameKey, Math.max(this.serviceIndexes.get(nameKey) ?? 0, idx));
    this.instancesCache.delete(nameKey);
    this.touched.add(serviceWatchKey(nameKey));
  }

  /** A node or node-level check changed: every service on the node reads it. */
  private bumpNodeServices(nodeKey: string, idx: number): void {
    const services = this.serviceTable.get(nodeKey);
    if (!services) return;
    for (const s of services.values()) this.bumpService(lower(s.Service), idx);
  }

  // ------------------------------------------------------------ register

  private register(idx: number, c: RegisterCommand): ApplyResult {
    if (typeof c.Node !== 'string' || c.Node === '') return fail('Must provide node');
    const shape = registerShapeError(c as unknown as Record<string, unknown>);
    if (shape) return fail(shape);
    if (!c.SkipNodeUpdate && !c.Address) return fail('Must provide address if SkipNodeUpdate is not set');
    const nodeKey = lower(c.Node);
    const existingNode = this.nodeTable.get(nodeKey);
    const updateNode = !c.SkipNodeUpdate || existingNode === undefined;
    if (c.ID) {
      const bad = validateNodeID(c.ID);
      if (bad) return fail(bad);
      if (updateNode) {
        for (const n of this.nodeTable.values()) {
          if (lower(n.ID) === lower(c.ID) && lower(n.Node) !== nodeKey) {
            return fail(`Failed inserting node: Error while renaming Node ID: "${c.ID}": Node name ${n.Node} is reserved by node ${n.ID} with name ${n.Node}`);
          }
        }
      }
    }

    // Validate everything before changing anything: a registration is all or nothing.
    const nodeName = updateNode ? c.Node : existingNode!.Node;
    let service: ServiceRecord | undefined;
    if (c.Service) {
      const s = c.Service;
      if (!s.Service) return fail('Must provide service name with ID');
      if (s.Address && isAnyAddress(s.Address)) return fail('Invalid service address');
      service = {
        Node: nodeName,
        Kind: s.Kind ?? '',
        ID: s.ID || s.Service,
        Service: s.Service,
        Tags: s.Tags ? [...s.Tags] : [],
        Address: s.Address ?? '',
        TaggedAddresses: s.TaggedAddresses && Object.keys(s.TaggedAddresses).length > 0 ? { ...s.TaggedAddresses } : null,
        Meta: s.Meta ? { ...s.Meta } : {},
        Port: s.Port ?? 0,
        SocketPath: s.SocketPath ?? '',
        Weights: s.Weights ? { Passing: s.Weights.Passing, Warning: s.Weights.Warning } : { Passing: 1, Warning: 1 },
        EnableTagOverride: s.EnableTagOverride === true,
        Proxy: s.Proxy ? { ...s.Proxy } : null,
        Connect: s.Connect ? { ...s.Connect } : null,
        CreateIndex: idx,
        ModifyIndex: idx,
      };
    }
    const inputs: RegisterCheckInput[] = [...(c.Check ? [c.Check] : []), ...(c.Checks ?? [])];
    const checks: CheckRecord[] = [];
    for (const ch of inputs) {
      const checkID = ch.CheckID || ch.Name || '';
      const checkNode = ch.Node || c.Node;
      if (lower(checkNode) !== nodeKey) {
        return fail(`Node '${checkNode}' for check '${checkID}' doesn't match register request node '${c.Node}'`);
      }
      if (checkID === '') return fail('Missing check ID');
      const status = ch.Status || 'critical';
      if (!isCheckStatus(status)) return fail(`Invalid check status: '${status}'`);
      let bound: ServiceRecord | undefined;
      if (ch.ServiceID) {
        bound =
          service && lower(service.ID) === lower(ch.ServiceID)
            ? service
            : this.serviceTable.get(nodeKey)?.get(lower(ch.ServiceID));
        if (!bound) return fail('Missing service registration');
      }
      checks.push({
        Node: nodeName,
        CheckID: checkID,
        Name: ch.Name ?? '',
        Status: status,
        Notes: ch.Notes ?? '',
        Output: ch.Output ?? '',
        ServiceID: bound?.ID ?? '',
        ServiceName: bound?.Service ?? '',
        ServiceTags: bound ? [...bound.Tags] : [],
        Type: ch.Type ?? '',
        Interval: ch.Interval ?? '',
        Timeout: ch.Timeout ?? '',
        ExposedPort: ch.ExposedPort ?? 0,
        Definition: ch.Definition ? { ...ch.Definition } : {},
        CreateIndex: idx,
        ModifyIndex: idx,
      });
    }

    if (updateNode) {
      this.ensureNode(idx, {
        ID: c.ID || existingNode?.ID || '',
        Node: c.Node,
        Address: c.Address ?? '',
        TaggedAddresses: c.TaggedAddresses ? { ...c.TaggedAddresses } : null,
        Meta: c.NodeMeta ? { ...c.NodeMeta } : null,
        CreateIndex: idx,
        ModifyIndex: idx,
      });
    }
    if (service) this.ensureService(idx, nodeKey, service);
    for (const check of checks) this.ensureCheck(idx, nodeKey, check);
    return ok();
  }

  private ensureNode(idx: number, rec: NodeRecord): void {
    const key = lower(rec.Node);
    const old = this.nodeTable.get(key);
    if (old) {
      if (sameContent(old, rec)) return;
      rec.CreateIndex = old.CreateIndex;
    }
    this.nodeTable.set(key, rec);
    this.sortedNodesCache = undefined;
    this.bumpTable('nodes', idx);
    this.bumpNodeServices(key, idx);
  }

  private ensureService(idx: number, nodeKey: string, rec: ServiceRecord): void {
    const idKey = lower(rec.ID);
    let services = this.serviceTable.get(nodeKey);
    const old = services?.get(idKey);
    if (old) {
      if (sameContent(old, rec)) return;
      rec.CreateIndex = old.CreateIndex;
    }
    if (!services) {
      services = new Map();
      this.serviceTable.set(nodeKey, services);
    }
    services.set(idKey, rec);
    const instanceKey = `${nodeKey}\0${idKey}`;
    if (old && lower(old.Service) !== lower(rec.Service)) this.unindexInstance(old, instanceKey, idx);
    const nameKey = lower(rec.Service);
    let byName = this.servicesByName.get(nameKey);
    if (!byName) {
      byName = new Map();
      this.servicesByName.set(nameKey, byName);
    }
    byName.set(instanceKey, rec);
    this.bumpTable('services', idx);
    this.bumpService(nameKey, idx);

    // Checks bound to the instance carry its name and tags.
    const checks = this.checkTable.get(nodeKey);
    if (!checks) return;
    for (const [checkKey, ch] of checks) {
      if (lower(ch.ServiceID) !== idKey) continue;
      if (ch.ServiceName === rec.Service && JSON.stringify(ch.ServiceTags) === JSON.stringify(rec.Tags)) continue;
      checks.set(checkKey, { ...ch, ServiceName: rec.Service, ServiceTags: [...rec.Tags], ModifyIndex: idx });
      this.bumpTable('checks', idx);
    }
  }

  private unindexInstance(rec: ServiceRecord, instanceKey: string, idx: number): void {
    const nameKey = lower(rec.Service);
    const byName = this.servicesByName.get(nameKey);
    byName?.delete(instanceKey);
    if (byName && byName.size === 0) this.servicesByName.delete(nameKey);
    this.bumpService(nameKey, idx);
  }

  private ensureCheck(idx: number, nodeKey: string, rec: CheckRecord): void {
    const checkKey = lower(rec.CheckID);
    let checks = this.checkTable.get(nodeKey);
    const old = checks?.get(checkKey);
    if (old) {
      if (sameContent(old, rec)) return;
      rec.CreateIndex = old.CreateIndex;
    }
    if (!checks) {
      checks = new Map();
      this.checkTable.set(nodeKey, checks);
    }
    checks.set(checkKey, rec);
    this.checkChanged(idx, nodeKey, rec);
    if (old && old.ServiceID !== '' && lower(old.ServiceID) !== lower(rec.ServiceID)) this.checkChanged(idx, nodeKey, old);
    if (rec.Status === 'critical') this.invalidateSessionsOfCheck(nodeKey, rec.CheckID, idx);
  }

  /** Index bookkeeping after a check was written or deleted. */
  private checkChanged(idx: number, nodeKey: string, rec: CheckRecord): void {
    this.bumpTable('checks', idx);
    if (rec.ServiceID === '') {
      this.bumpNodeServices(nodeKey, idx);
      return;
    }
    const svc = this.serviceTable.get(nodeKey)?.get(lower(rec.ServiceID));
    this.bumpService(lower(svc?.Service ?? rec.ServiceName), idx);
  }

  // ---------------------------------------------------------- deregister

  private deregister(idx: number, c: DeregisterCommand): ApplyResult {
    if (typeof c.Node !== 'string' || c.Node === '') return fail('Must provide node');
    if (!(c.ServiceID === undefined || typeof c.ServiceID === 'string') || !(c.CheckID === undefined || typeof c.CheckID === 'string')) {
      return fail('Invalid ServiceID or CheckID: expected a string');
    }
    const nodeKey = lower(c.Node);
    if (!this.nodeTable.has(nodeKey)) return ok();
    if (c.ServiceID) this.deleteService(idx, nodeKey, lower(c.ServiceID));
    else if (c.CheckID) this.deleteCheck(idx, nodeKey, lower(c.CheckID));
    else this.deleteNode(idx, nodeKey);
    return ok();
  }

  private deleteService(idx: number, nodeKey: string, idKey: string): void {
    const services = this.serviceTable.get(nodeKey);
    const svc = services?.get(idKey);
    if (!services || !svc) return;
    const checks = this.checkTable.get(nodeKey);
    if (checks) {
      for (const [checkKey, ch] of [...checks]) if (lower(ch.ServiceID) === idKey) this.deleteCheck(idx, nodeKey, checkKey);
    }
    services.delete(idKey);
    if (services.size === 0) this.serviceTable.delete(nodeKey);
    this.unindexInstance(svc, `${nodeKey}\0${idKey}`, idx);
    this.bumpTable('services', idx);
  }

  private deleteCheck(idx: number, nodeKey: string, checkKey: string): void {
    const checks = this.checkTable.get(nodeKey);
    const ch = checks?.get(checkKey);
    if (!checks || !ch) return;
    checks.delete(checkKey);
    if (checks.size === 0) this.checkTable.delete(nodeKey);
    this.checkChanged(idx, nodeKey, ch);
    this.invalidateSessionsOfCheck(nodeKey, ch.CheckID, idx);
  }

  private deleteNode(idx: number, nodeKey: string): void {
    for (const idKey of [...(this.serviceTable.get(nodeKey)?.keys() ?? [])]) this.deleteService(idx, nodeKey, idKey);
    for (const checkKey of [...(this.checkTable.get(nodeKey)?.keys() ?? [])]) this.deleteCheck(idx, nodeKey, checkKey);
    for (const s of [...this.sessionTable.values()]) if (lower(s.Node) === nodeKey) this.invalidateSession(s.ID, idx);
    this.nodeTable.delete(nodeKey);
    this.sortedNodesCache = undefined;
    this.bumpTable('nodes', idx);
  }

  // -------------------------------------------------------- check status

  private checkStatus(idx: number, c: CheckStatusCommand): ApplyResult {
    if (typeof c.Node !== 'string' || typeof c.CheckID !== 'string' || !(c.Output === undefined || typeof c.Output === 'string')) {
      return fail('Invalid CheckStatus: Node, CheckID and Output must be strings');
    }
    const nodeKey = lower(c.Node);
    const checks = this.checkTable.get(nodeKey);
    const old = checks?.get(lower(c.CheckID));
    if (!checks || !old) return fail(`Check "${c.CheckID}" for node "${c.Node}" does not exist`);
    if (!isCheckStatus(c.Status)) return fail(`Invalid check status: '${c.Status}'`);
    const rec: CheckRecord = { ...old, Status: c.Status, Output: c.Output ?? old.Output, ModifyIndex: idx };
    this.ensureCheck(idx, nodeKey, rec);
    return ok();
  }

  // ---------------------------------------------------------------- KV

  private kvApply(idx: number, c: KVCommand): ApplyResult {
    const shape = kvShapeError(c as unknown as Record<string, unknown>);
    if (shape) return fail(shape);
    const outcome = this.kvOp(idx, c.Verb, c.Key, c.Value, c.Flags, c.Index, c.Session);
    if ('error' in outcome) return fail(outcome.error);
    return ok(outcome.value);
  }

  /**
   * One KV write. `value` is the HTTP bool; `error` an RPC-level failure. `stale` tells a
   * txn which failure text to use.
   */
  private kvOp(
    idx: number,
    verb: string,
    key: string,
    value: string | null | undefined,
    flags: number | undefined,
    index: number | undefined,
    session: string | undefined,
  ): { value: boolean; entry?: KVRecord } | { error: string } {
    const existing = this.kv.get(key);
    const write = (over: Partial<KVRecord>): KVRecord => {
      const rec: KVRecord = {
        Key: key,
        Flags: flags ?? 0,
        Value: value === undefined || value === '' ? null : value,
        LockIndex: existing?.LockIndex ?? 0,
        Session: existing?.Session ?? '',
        CreateIndex: existing?.CreateIndex ?? idx,
        ModifyIndex: idx,
        ...over,
      };
      this.kv.put(rec, idx);
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
        if (!this.sessionTable.has(session)) return { error: `invalid session "${session}"` };
        if (existing && existing.Session === session) return { value: true, entry: write({}) };
        if (existing && existing.Session !== '') return { value: false };
        if (this.nowMs < (this.lockDelays.get(key) ?? 0)) return { value: false };
        return { value: true, entry: write({ LockIndex: (existing?.LockIndex ?? 0) + 1, Session: session }) };
      }
      case 'unlock': {
        if (!session) return { error: 'Missing session' };
        if (!existing || existing.Session !== session) return { value: false };
        return { value: true, entry: write({ Session: '' }) };
      }
      case 'delete':
        this.kv.delete(key, idx);
        return { value: true };
      case 'delete-cas':
        if (!existing) return { value: true };
        if (existing.ModifyIndex !== (index ?? 0)) return { value: false };
        this.kv.delete(key, idx);
        return { value: true };
      case 'delete-tree':
        this.kv.deleteTree(key, idx);
        return { value: true };
      default:
        return { error: `Invalid KV operation "${verb}"` };
    }
  }

  // ------------------------------------------------------------ sessions

  private sessionCreate(idx: number, c: SessionCreateCommand): ApplyResult {
    const s = c.Session;
    const shape = sessionShapeError(s);
    if (shape) return fail(shape);
    if (!s.ID) return fail('Missing session ID');
    if (this.sessionTable.has(s.ID)) return fail(`Session ID "${s.ID}" is already in use`);
    const behavior = s.Behavior || 'release';
    if (behavior !== 'release' && behavior !== 'delete') return fail(`Invalid Behavior setting '${String(behavior)}'`);
    const ttl = s.TTL ?? '';
    if (ttl !== '' && parseDurationMs(ttl) === undefined) return fail(`Session TTL '${ttl}' invalid`);
    const nodeKey = lower(s.Node ?? '');
    const node = this.nodeTable.get(nodeKey);
    if (!node) return fail('Missing node registration');
    const checks = this.checkTable.get(nodeKey);
    const linked = [...(s.NodeChecks ?? []), ...(s.ServiceChecks ?? []).map((sc) => sc.ID)];
    for (const id of linked) {
      const ch = checks?.get(lower(id));
      if (!ch) return fail(`Missing check '${id}' registration`);
      if (ch.Status === 'critical') return fail(`Check '${id}' is in critical state`);
    }
    this.sessionTable.set(s.ID, {
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
    this.bumpTable('sessions', idx);
    return { ok: true, id: s.ID };
  }

  private invalidateSessionsOfCheck(nodeKey: string, checkID: string, idx: number): void {
    const id = lower(checkID);
    for (const s of [...this.sessionTable.values()]) {
      if (lower(s.Node) !== nodeKey) continue;
      const linked = (s.NodeChecks ?? []).some((c) => lower(c) === id) || (s.ServiceChecks ?? []).some((c) => lower(c.ID) === id);
      if (linked) this.invalidateSession(s.ID, idx);
    }
  }

  /** Destroys a session: its locks are released or their keys deleted, and lock-delay starts. */
  private invalidateSession(id: string, idx: number): void {
    const s = this.sessionTable.get(id);
    if (!s) return;
    this.sessionTable.delete(id);
    this.bumpTable('sessions', idx);
    for (const [key, until] of [...this.lockDelays]) if (until <= this.nowMs) this.lockDelays.delete(key);
    const delayMs = s.LockDelay / 1e6;
    const held = [...this.kv.all()].filter((e) => e.Session === id);
    for (const e of held) {
      if (s.Behavior === 'delete') this.kv.delete(e.Key, idx);
      else this.kv.put({ ...e, Session: '', ModifyIndex: idx }, idx);
      if (delayMs > 0) this.lockDelays.set(e.Key, this.nowMs + delayMs);
    }
  }

  // ----------------------------------------------------------------- txn

  private txn(idx: number, c: TxnCommand): ApplyResult {
    const ops = Array.isArray(c.Ops) ? c.Ops : [];
    this.kv.begin();
    const { results, errors } = this.runTxnOps(ops, (op) => this.txnOp(idx, op));
    if (errors.length > 0) {
      this.kv.rollback();
      return { ok: false, error: errors[0]!.What, txn: { Results: null, Errors: errors } };
    }
    this.kv.commit();
    return { ok: true, txn: { Results: results, Errors: null } };
  }

  private runTxnOps(ops: TxnOp[], run: (op: TxnOp['KV']) => OpOutcome): { results: TxnResult[]; errors: TxnError[] } {
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

  private txnOp(idx: number, op: TxnOp['KV']): OpOutcome {
    const { Verb: verb, Key: key } = op;
    const q = JSON.stringify(key);
    if (!WRITE_VERBS.has(verb)) return this.txnReadOp(op);
    const r = this.kvOp(idx, verb, key, op.Value, op.Flags, op.Index, op.Session);
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

  private txnReadOp(op: TxnOp['KV']): OpOutcome {
    const key = op.Key;
    const q = JSON.stringify(key);
    const e = this.kv.get(key);
    switch (op.Verb) {
      case 'get':
        return e ? { entries: [e], withValue: true } : { error: `key ${q} doesn't exist` };
      case 'get-or-empty':
        return {
          entries: [e ?? { Key: key, Flags: 0, Value: null, LockIndex: 0, Session: '', CreateIndex: 0, ModifyIndex: 0 }],
          withValue: true,
        };
      case 'get-tree':
        return { entries: [...this.kv.list(key)], withValue: true };
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
  readTxn(ops: TxnOp[]): { index: number; response: TxnResponse } {
    const { results, errors } = this.runTxnOps(ops, (op) =>
      WRITE_VERBS.has(op.Verb) ? { error: `cannot ${op.Verb} key ${JSON.stringify(op.Key)} in a read-only transaction` } : this.txnReadOp(op),
    );
    const index = Math.max(1, this.tableIndex('kvs', 'tombstones'));
    return {
      index,
      response: errors.length > 0 ? { Results: null, Errors: errors } : { Results: results, Errors: null },
    };
  }

  /** True when every op of a txn body is a read verb (so it may skip the log). */
  static isReadOnlyTxn(ops: TxnOp[]): boolean {
    return ops.every((op) => op && op.KV && !WRITE_VERBS.has(op.KV.Verb));
  }

  // ------------------------------------------------------------- indexes

  /** Max index of the given tables (0 when never written). */
  tableIndex(...tables: TableName[]): number {
    let max = 0;
    for (const t of tables) max = Math.max(max, this.tables[t]);
    return max;
  }

  /** Index of one service name: its instances, their checks and nodes; falls back to the tables. */
  serviceIndex(name: string): number {
    return this.serviceIndexes.get(lower(name)) ?? this.tableIndex('nodes', 'services', 'checks');
  }

  private indexed<T>(index: number, value: T, watch: WatchKey[]): Indexed<T> {
    return { index: Math.max(1, index), value, watch };
  }

  // ------------------------------------------------------------- catalog

  private sortedNodes(): NodeRecord[] {
    if (!this.sortedNodesCache) {
      this.sortedNodesCache = [...this.nodeTable.entries()].sort((a, b) => byString(a[0], b[0])).map((e) => e[1]);
    }
    return this.sortedNodesCache;
  }

  private sortedInstances(nameKey: string): ServiceRecord[] {
    let list = this.instancesCache.get(nameKey);
    if (!list) {
      const byName = this.servicesByName.get(nameKey);
      list = byName ? [...byName.entries()].sort((a, b) => byString(a[0], b[0])).map((e) => e[1]) : [];
      this.instancesCache.set(nameKey, list);
    }
    return list;
  }

  private nodeChecksSorted(nodeKey: string): CheckRecord[] {
    const checks = this.checkTable.get(nodeKey);
    if (!checks) return [];
    return [...checks.entries()].sort((a, b) => byString(a[0], b[0])).map((e) => e[1]);
  }

  private findNode(nameOrID: string): NodeRecord | undefined {
    const byName = this.nodeTable.get(lower(nameOrID));
    if (byName) return byName;
    if (nameOrID === '') return undefined;
    for (const n of this.nodeTable.values()) if (n.ID !== '' && lower(n.ID) === lower(nameOrID)) return n;
    return undefined;
  }

  /** GET /v1/catalog/nodes: nodes sorted by name. */
  nodes(filter: NodeMetaFilter = {}): Indexed<CatalogNode[]> {
    const out = this.sortedNodes()
      .filter((n) => metaMatches(n.Meta, filter.nodeMeta))
      .map((n) => toCatalogNode(n, this.datacenter));
    return this.indexed(this.tableIndex('nodes'), out, ['nodes']);
  }

  /** GET /v1/catalog/node/:node: `null` for an unknown node. */
  node(name: string): Indexed<NodeServices | null> {
    const index = this.tableIndex('nodes', 'services');
    const n = this.nodeTable.get(lower(name));
    if (!n) return this.indexed(index, null, ['nodes', 'services']);
    const services: Record<string, NodeService> = {};
    for (const s of this.nodeServicesSorted(lower(n.Node))) services[s.ID] = toNodeService(s);
    return this.indexed(index, { Node: toCatalogNode(n, this.datacenter), Services: services }, ['nodes', 'services']);
  }

  /** GET /v1/catalog/node-services/:node: `{Node:null,Services:null}` for an unknown node. */
  nodeServiceList(name: string): Indexed<NodeServiceList> {
    const index = this.tableIndex('nodes', 'services');
    const n = this.nodeTable.get(lower(name));
    if (!n) return this.indexed(index, { Node: null, Services: null }, ['nodes', 'services']);
    const services = this.nodeServicesSorted(lower(n.Node)).map(toNodeService);
    return this.indexed(index, { Node: toCatalogNode(n, this.datacenter), Services: services }, ['nodes', 'services']);
  }

  private nodeServicesSorted(nodeKey: string): ServiceRecord[] {
    const services = this.serviceTable.get(nodeKey);
    if (!services) return [];
    return [...services.entries()].sort((a, b) => byString(a[0], b[0])).map((e) => e[1]);
  }

  /** GET /v1/catalog/services: service name -> deduplicated tags of all its instances. */
  services(filter: NodeMetaFilter = {}): Indexed<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    const names = [...this.servicesByName.keys()].sort(byString);
    for (const nameKey of names) {
      const instances = this.sortedInstances(nameKey).filter((s) =>
        metaMatches(this.nodeTable.get(lower(s.Node))?.Meta ?? null, filter.nodeMeta),
      );
      if (instances.length === 0) continue;
      const tags = new Set<string>();
      for (const s of instances) for (const t of s.Tags) tags.add(t);
      out[instances[0]!.Service] = [...tags];
    }
    return this.indexed(this.tableIndex('nodes', 'services'), out, ['nodes', 'services']);
  }

  /** GET /v1/catalog/service/:service (`?tag=`, `?node-meta=`). */
  serviceNodes(service: string, filter: ServiceFilter = {}): Indexed<ServiceNode[]> {
    const nameKey = lower(service);
    const out: ServiceNode[] = [];
    for (const s of this.sortedInstances(nameKey)) {
      const n = this.nodeTable.get(lower(s.Node));
      if (!n || !metaMatches(n.Meta, filter.nodeMeta) || !tagsMatch(s.Tags, filter.tags)) continue;
      out.push(toServiceNode(n, s, this.datacenter));
    }
    return this.indexed(this.serviceIndex(nameKey), out, [serviceWatchKey(nameKey)]);
  }

  /** The instances of a service with their node and checks (node-level checks included). */
  private serviceEntries(service: string, filter: HealthServiceFilter): Array<{ node: NodeRecord; service: ServiceRecord; checks: CheckRecord[] }> {
    const out: Array<{ node: NodeRecord; service: ServiceRecord; checks: CheckRecord[] }> = [];
    for (const s of this.sortedInstances(lower(service))) {
      const nodeKey = lower(s.Node);
      const n = this.nodeTable.get(nodeKey);
      if (!n || !metaMatches(n.Meta, filter.nodeMeta) || !tagsMatch(s.Tags, filter.tags)) continue;
      // Node-level checks first (they apply to every service on the node), then the instance's own.
      const idKey = lower(s.ID);
      const nodeChecks = this.nodeChecksSorted(nodeKey);
      const checks = [...nodeChecks.filter((c) => c.ServiceID === ''), ...nodeChecks.filter((c) => c.ServiceID !== '' && lower(c.ServiceID) === idKey)];
      if (filter.passing && checks.some((c) => c.Status !== 'passing')) continue;
      out.push({ node: n, service: s, checks });
    }
    return out;
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
    const n = this.findNode(nameOrID);
    const out = n ? this.nodeChecksSorted(lower(n.Node)).map(toHealthCheck) : [];
    return this.indexed(this.tableIndex('checks'), out, ['checks', 'nodes']);
  }

  /** GET /v1/health/state/:state: `any` or one status; sorted by node then check ID. */
  checksInState(state: HealthState | string, filter: NodeMetaFilter = {}): Indexed<HealthCheck[]> {
    const out: HealthCheck[] = [];
    for (const n of this.sortedNodes()) {
      if (!metaMatches(n.Meta, filter.nodeMeta)) continue;
      for (const c of this.nodeChecksSorted(lower(n.Node))) {
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
    const e = this.kv.get(key);
    if (e) return this.indexed(e.ModifyIndex, toKVEntry(e), [kvWatchKey(key)]);
    return this.indexed(this.tableIndex('kvs', 'tombstones'), null, [kvWatchKey(key)]);
  }

  /** Index of a KV prefix read: max ModifyIndex under it, tombstones included; else the table index. */
  kvPrefixIndex(prefix: string): number {
    const table = this.tableIndex('kvs', 'tombstones');
    if (prefix === '') return table;
    return this.kv.prefixIndex(prefix) || table;
  }

  /** GET /v1/kv/:prefix?recurse: entries in key order (`[]` = the HTTP layer's 404). */
  kvList(prefix: string): Indexed<KVEntry[]> {
    const out = [...this.kv.list(prefix)].map((e) => toKVEntry(e));
    return this.indexed(this.kvPrefixIndex(prefix), out, [kvWatchKey(prefix)]);
  }

  /**
   * GET /v1/kv/:prefix?keys[&separator=s]: key names; with a separator each key is cut just
   * after the first separator following the prefix, then duplicates are removed.
   */
  kvKeys(prefix: string, separator?: string): Indexed<string[]> {
    const out: string[] = [];
    let last: string | undefined;
    for (const e of this.kv.list(prefix)) {
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
    const until = this.lockDelays.get(key) ?? 0;
    return until > this.nowMs ? until : 0;
  }

  // ------------------------------------------------------------ sessions

  /** GET /v1/session/info/:id: `[session]`, or `[]` when unknown. */
  sessionInfo(id: string): Indexed<Session[]> {
    const s = this.sessionTable.get(id);
    return this.indexed(this.tableIndex('sessions'), s ? [toSession(s)] : [], ['sessions']);
  }

  /** GET /v1/session/list: all sessions sorted by ID. */
  sessionList(): Indexed<Session[]> {
    const out = [...this.sessionTable.values()].sort((a, b) => byString(a.ID, b.ID)).map(toSession);
    return this.indexed(this.tableIndex('sessions'), out, ['sessions']);
  }

  /** GET /v1/session/node/:node: the node's sessions sorted by ID. */
  sessionsForNode(node: string): Indexed<Session[]> {
    const key = lower(node);
    const out = [...this.sessionTable.values()]
      .filter((s) => lower(s.Node) === key)
      .sort((a, b) => byString(a.ID, b.ID))
      .map(toSession);
    return this.indexed(this.tableIndex('sessions'), out, ['sessions']);
  }

  // ------------------------------------------------- lookups for the agent

  /** One node, or undefined. */
  getNode(name: string): CatalogNode | undefined {
    const n = this.nodeTable.get(lower(name));
    return n ? toCatalogNode(n, this.datacenter) : undefined;
  }

  /** One service instance of a node, or undefined. */
  getService(node: string, serviceID: string): NodeService | undefined {
    const s = this.serviceTable.get(lower(node))?.get(lower(serviceID));
    return s ? toNodeService(s) : undefined;
  }

  /** One check of a node, or undefined. */
  getCheck(node: string, checkID: string): HealthCheck | undefined {
    const c = this.checkTable.get(lower(node))?.get(lower(checkID));
    return c ? toHealthCheck(c) : undefined;
  }

  /** One session, or undefined (session renew: 404 when undefined). */
  getSession(id: string): Session | undefined {
    const s = this.sessionTable.get(id);
    return s ? toSession(s) : undefined;
  }

  /** Sizes of the tables, for metrics gauges (`consul.state.nodes`, `consul.kv.entries`...). */
  stats(): CatalogStats {
    let services = 0;
    let checks = 0;
    for (const m of this.serviceTable.values()) services += m.size;
    for (const m of this.checkTable.values()) checks += m.size;
    return {
      lastIndex: this.appliedIndex,
      nodes: this.nodeTable.size,
      serviceInstances: services,
      serviceNames: this.servicesByName.size,
      checks,
      kvEntries: this.kv.size,
      tombstones: this.kv.tombstoneList().length,
      sessions: this.sessionTable.size,
      watchers: this.hub.size,
    };
  }

  // ------------------------------------------- endpoint-named aliases

  /** Alias of `lastIndex`. */
  get index(): number {
    return this.appliedIndex;
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
    const sortedValues = <T>(m: Map<string, T>): T[] => [...m.entries()].sort((a, b) => byString(a[0], b[0])).map((e) => e[1]);
    const services: ServiceRecord[] = [];
    const checks: CheckRecord[] = [];
    for (const nodeKey of [...this.nodeTable.keys()].sort(byString)) {
      services.push(...this.nodeServicesSorted(nodeKey));
      checks.push(...this.nodeChecksSorted(nodeKey));
    }
    const snap: CatalogSnapshot = {
      Version: SNAPSHOT_VERSION,
      Index: this.appliedIndex,
      Now: this.nowMs,
      Tables: { ...this.tables, kvs: this.kv.kvsIndex, tombstones: this.kv.tombstonesIndex },
      ServiceIndexes: Object.fromEntries([...this.serviceIndexes.entries()].sort((a, b) => byString(a[0], b[0]))),
      Nodes: this.sortedNodes(),
      Services: services,
      Checks: checks,
      KVs: [...this.kv.all()],
      Tombstones: this.kv.tombstoneList(),
      Sessions: sortedValues(this.sessionTable),
      LockDelays: Object.fromEntries([...this.lockDelays.entries()].sort((a, b) => byString(a[0], b[0]))),
    };
    return structuredClone(snap);
  }

  /** Replaces the whole state with `snapshot` and wakes every watcher. */
  restore(snapshot: CatalogSnapshot): void {
    if (!snapshot || snapshot.Version !== SNAPSHOT_VERSION) {
      throw new Error(`unsupported catalog snapshot version ${String(snapshot?.Version)}`);
    }
    const snap = structuredClone(snapshot);
    this.appliedIndex = snap.Index;
    this.nowMs = snap.Now;
    for (const t of TABLES) this.tables[t] = snap.Tables[t] ?? 0;
    this.serviceIndexes.clear();
    for (const [k, v] of Object.entries(snap.ServiceIndexes)) this.serviceIndexes.set(k, v);
    this.nodeTable.clear();
    this.serviceTable.clear();
    this.servicesByName.clear();
    this.checkTable.clear();
    this.sessionTable.clear();
    this.lockDelays.clear();
    this.sortedNodesCache = undefined;
    this.instancesCache.clear();
    for (const n of snap.Nodes) this.nodeTable.set(lower(n.Node), n);
    for (const s of snap.Services) {
      const nodeKey = lower(s.Node);
      const idKey = lower(s.ID);
      let m = this.serviceTable.get(nodeKey);
      if (!m) this.serviceTable.set(nodeKey, (m = new Map()));
      m.set(idKey, s);
      const nameKey = lower(s.Service);
      let byName = this.servicesByName.get(nameKey);
      if (!byName) this.servicesByName.set(nameKey, (byName = new Map()));
      byName.set(`${nodeKey}\0${idKey}`, s);
    }
    for (const c of snap.Checks) {
      const nodeKey = lower(c.Node);
      let m = this.checkTable.get(nodeKey);
      if (!m) this.checkTable.set(nodeKey, (m = new Map()));
      m.set(lower(c.CheckID), c);
    }
    for (const s of snap.Sessions) this.sessionTable.set(s.ID, s);
    for (const [k, v] of Object.entries(snap.LockDelays)) this.lockDelays.set(k, v);
    this.kv.load(snap.KVs, snap.Tombstones, snap.Tables.kvs ?? 0, snap.Tables.tombstones ?? 0);
    this.touched.clear();
    this.hub.notifyAll();
  }
}
