/**
 * Stored records (what the tables hold) and how they turn into Consul's JSON shapes.
 * Records are never mutated in place: a change stores a new object, so a snapshot or a
 * query result never sees a half-applied command.
 */
import type {
  CatalogNode,
  HealthCheck,
  NodeService,
  NodeTaggedAddresses,
  ServiceAddress,
  ServiceCheckRef,
  ServiceNode,
  ServiceProxy,
  Session,
  SessionBehavior,
  Weights,
} from './types.js';
import type { KVRecord } from './kv-store.js';
import { toStructsProxy } from './connect-proxy.js';
import type { KVEntry } from './types.js';

export interface NodeRecord {
  ID: string;
  Node: string;
  Address: string;
  TaggedAddresses: NodeTaggedAddresses | null;
  Meta: Record<string, string> | null;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface ServiceRecord {
  /** Name of the node the instance runs on. */
  Node: string;
  Kind: string;
  ID: string;
  Service: string;
  Tags: string[];
  Address: string;
  TaggedAddresses: Record<string, ServiceAddress> | null;
  Meta: Record<string, string>;
  Port: number;
  SocketPath: string;
  Weights: Weights;
  EnableTagOverride: boolean;
  Proxy: ServiceProxy | null;
  Connect: Record<string, unknown> | null;
  CreateIndex: number;
  ModifyIndex: number;
}

/** A check is stored in its HealthCheck shape (records are never mutated; reads copy the arrays). */
export type CheckRecord = HealthCheck;

export interface SessionRecord {
  ID: string;
  Name: string;
  Node: string;
  LockDelay: number;
  Behavior: SessionBehavior;
  TTL: string;
  NodeChecks: string[] | null;
  ServiceChecks: ServiceCheckRef[] | null;
  CreateIndex: number;
  ModifyIndex: number;
}

function copyMap<T>(m: Record<string, T> | null): Record<string, T> | null {
  return m === null ? null : { ...m };
}

export function toCatalogNode(n: NodeRecord, datacenter: string): CatalogNode {
  return {
    ID: n.ID,
    Node: n.Node,
    Address: n.Address,
    Datacenter: datacenter,
    TaggedAddresses: copyMap(n.TaggedAddresses),
    Meta: copyMap(n.Meta),
    CreateIndex: n.CreateIndex,
    ModifyIndex: n.ModifyIndex,
  };
}

function proxyOf(s: ServiceRecord): ServiceProxy {
  return toStructsProxy(s.Proxy);
}

function taggedAddressesOf(s: ServiceRecord): Record<string, ServiceAddress> | undefined {
  if (!s.TaggedAddresses || Object.keys(s.TaggedAddresses).length === 0) return undefined;
  return Object.fromEntries(Object.entries(s.TaggedAddresses).map(([k, v]) => [k, { Address: v.Address, Port: v.Port }]));
}

/** NodeService JSON: Kind, TaggedAddresses, Port (0) and SocketPath omitted when empty. */
export function toNodeService(s: ServiceRecord): NodeService {
  const out: NodeService = {} as NodeService;
  if (s.Kind !== '') out.Kind = s.Kind;
  out.ID = s.ID;
  out.Service = s.Service;
  out.Tags = [...s.Tags];
  out.Address = s.Address;
  const tagged = taggedAddressesOf(s);
  if (tagged) out.TaggedAddresses = tagged;
  out.Meta = { ...s.Meta };
  if (s.Port !== 0) out.Port = s.Port;
  if (s.SocketPath !== '') out.SocketPath = s.SocketPath;
  out.Weights = { ...s.Weights };
  out.EnableTagOverride = s.EnableTagOverride;
  out.Proxy = proxyOf(s);
  out.Connect = { ...(s.Connect ?? {}) };
  out.PeerName = '';
  out.CreateIndex = s.CreateIndex;
  out.ModifyIndex = s.ModifyIndex;
  return out;
}

/** ServiceNode JSON (catalog/service): ServicePort always sent, ServiceTaggedAddresses omitted when empty. */
export function toServiceNode(n: NodeRecord, s: ServiceRecord, datacenter: string): ServiceNode {
  const out: ServiceNode = {
    ID: n.ID,
    Node: n.Node,
    Address: n.Address,
    Datacenter: datacenter,
    TaggedAddresses: copyMap(n.TaggedAddresses),
    NodeMeta: copyMap(n.Meta),
    ServiceKind: s.Kind,
    ServiceID: s.ID,
    ServiceName: s.Service,
    ServiceTags: [...s.Tags],
    ServiceAddress: s.Address,
  } as ServiceNode;
  const tagged = taggedAddressesOf(s);
  if (tagged) out.ServiceTaggedAddresses = tagged;
  out.ServiceWeights = { ...s.Weights };
  out.ServiceMeta = { ...s.Meta };
  out.ServicePort = s.Port;
  out.ServiceSocketPath = s.SocketPath;
  out.ServiceEnableTagOverride = s.EnableTagOverride;
  out.ServiceProxy = proxyOf(s);
  out.ServiceConnect = { ...(s.Connect ?? {}) };
  out.ServiceLocality = null;
  out.CreateIndex = s.CreateIndex;
  out.ModifyIndex = s.ModifyIndex;
  return out;
}

export function toHealthCheck(c: CheckRecord): HealthCheck {
  return {
    Node: c.Node,
    CheckID: c.CheckID,
    Name: c.Name,
    Status: c.Status,
    Notes: c.Notes,
    Output: c.Output,
    ServiceID: c.ServiceID,
    ServiceName: c.ServiceName,
    ServiceTags: [...c.ServiceTags],
    Type: c.Type,
    Interval: c.Interval,
    Timeout: c.Timeout,
    ExposedPort: c.ExposedPort,
    Definition: { ...c.Definition },
    CreateIndex: c.CreateIndex,
    ModifyIndex: c.ModifyIndex,
  };
}

export function toSession(s: SessionRecord): Session {
  return {
    ID: s.ID,
    Name: s.Name,
    Node: s.Node,
    LockDelay: s.LockDelay,
    Behavior: s.Behavior,
    TTL: s.TTL,
    NodeChecks: s.NodeChecks ? [...s.NodeChecks] : null,
    ServiceChecks: s.ServiceChecks ? s.ServiceChecks.map((c) => ({ ID: c.ID, Namespace: c.Namespace })) : null,
    CreateIndex: s.CreateIndex,
    ModifyIndex: s.ModifyIndex,
  };
}

/** KV entry JSON; `withValue: false` gives `Value: null` (txn results of write verbs). */
export function toKVEntry(e: KVRecord, withValue = true): KVEntry {
  const out: KVEntry = {
    LockIndex: e.LockIndex,
    Key: e.Key,
    Flags: e.Flags,
    Value: withValue ? e.Value : null,
  } as KVEntry;
  if (e.Session !== '') out.Session = e.Session;
  out.CreateIndex = e.CreateIndex;
  out.ModifyIndex = e.ModifyIndex;
  return out;
}
