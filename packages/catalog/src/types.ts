/**
 * JSON shapes exactly as Consul sends them (PascalCase, field order as the Go structs
 * serialise). Query methods return fresh objects of these types, so the HTTP layer can
 * JSON.stringify them as they are.
 */

/** Node-level tagged addresses: `lan`, `lan_ipv4`, `wan`, `wan_ipv4`... -> address. */
export type NodeTaggedAddresses = Record<string, string>;

/** A value of a service's `TaggedAddresses` map (capitalised keys on output). */
export interface ServiceAddress {
  Address: string;
  Port: number;
}

/** DNS SRV weights by check status. Consul's default is `{Passing: 1, Warning: 1}`. */
export interface Weights {
  Passing: number;
  Warning: number;
}

/** `Node` object (catalog/nodes, catalog/node, health/service). */
export interface CatalogNode {
  /** Set on rows imported from a cluster peer (`?peer=` reads): the peer's local name. */
  PeerName?: string;
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: NodeTaggedAddresses | null;
  Meta: Record<string, string> | null;
  CreateIndex: number;
  ModifyIndex: number;
}

/** `Proxy` of a NodeService; for a typical (non-mesh) service it is this empty shape. */
export interface ServiceProxy {
  Mode?: string;
  MeshGateway?: Record<string, unknown>;
  Expose?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * `NodeService` (values of catalog/node `Services`, entries of catalog/node-services,
 * `Service` in health/service). `Kind`, `TaggedAddresses`, `Port` (when 0) and
 * `SocketPath` are omitted when empty, as Consul does.
 */
export interface NodeService {
  Kind?: string;
  ID: string;
  Service: string;
  Tags: string[];
  Address: string;
  TaggedAddresses?: Record<string, ServiceAddress>;
  Meta: Record<string, string>;
  Port?: number;
  SocketPath?: string;
  Weights: Weights;
  EnableTagOverride: boolean;
  Proxy: ServiceProxy;
  Connect: Record<string, unknown>;
  PeerName: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** `ServiceNode` (catalog/service/:service): node fields flattened with Service* fields. */
export interface ServiceNode {
  /** Set on rows imported from a cluster peer (`?peer=` reads): the peer's local name. */
  PeerName?: string;
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: NodeTaggedAddresses | null;
  NodeMeta: Record<string, string> | null;
  ServiceKind: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  ServiceAddress: string;
  ServiceTaggedAddresses?: Record<string, ServiceAddress>;
  ServiceWeights: Weights;
  ServiceMeta: Record<string, string>;
  ServicePort: number;
  ServiceSocketPath: string;
  ServiceEnableTagOverride: boolean;
  ServiceProxy: ServiceProxy;
  ServiceConnect: Record<string, unknown>;
  ServiceLocality: null;
  CreateIndex: number;
  ModifyIndex: number;
}

/** Check status values. */
export type CheckStatus = 'passing' | 'warning' | 'critical';

/** `Definition` of a HealthCheck: every key optional; `{}` when nothing is set. */
export interface HealthCheckDefinition {
  HTTP?: string;
  TLSServerName?: string;
  TLSSkipVerify?: boolean;
  Header?: Record<string, string[]>;
  Method?: string;
  Body?: string;
  TCP?: string;
  UDP?: string;
  GRPC?: string;
  GRPCUseTLS?: boolean;
  H2PING?: string;
  Interval?: string;
  Timeout?: string;
  DeregisterCriticalServiceAfter?: string;
  OutputMaxSize?: number;
  ScriptArgs?: string[];
  DockerContainerID?: string;
  Shell?: string;
  AliasNode?: string;
  AliasService?: string;
}

/** `HealthCheck` (health/*, `Checks` in health/service). */
export interface HealthCheck {
  /** Set on rows imported from a cluster peer (`?peer=` reads): the peer's local name. */
  PeerName?: string;
  Node: string;
  CheckID: string;
  Name: string;
  Status: CheckStatus;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  Type: string;
  Interval: string;
  Timeout: string;
  ExposedPort: number;
  Definition: HealthCheckDefinition;
  CreateIndex: number;
  ModifyIndex: number;
}

/** One entry of health/service/:service. */
export interface ServiceEntry {
  Node: CatalogNode;
  Service: NodeService;
  Checks: HealthCheck[];
}

/** catalog/node/:node body (`null` for an unknown node). */
export interface NodeServices {
  Node: CatalogNode;
  Services: Record<string, NodeService>;
}

/** catalog/node-services/:node body (`{Node:null,Services:null}` for an unknown node). */
export interface NodeServiceList {
  Node: CatalogNode | null;
  Services: NodeService[] | null;
}

/**
 * KV `Flags`: an opaque uint64. A number when it fits exactly, a bigint above
 * `Number.MAX_SAFE_INTEGER` (e.g. the Go client's lock flag 3304740253564472344); the HTTP
 * layer writes a bigint as a bare JSON number.
 */
export type KVFlags = number | bigint;

/**
 * KV entry (`structs.DirEntry`). `Value` is base64, `null` for an empty value.
 * `Session` is omitted when no lock is held.
 */
export interface KVEntry {
  LockIndex: number;
  Key: string;
  Flags: KVFlags;
  Value: string | null;
  Session?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** Session behaviour on invalidation. */
export type SessionBehavior = 'release' | 'delete';

/** A service check linked to a session. */
export interface ServiceCheckRef {
  ID: string;
  Namespace: string;
}

/** Session object as session/info, node and list return it. `LockDelay` in nanoseconds. */
export interface Session {
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

/** The result of a read: the value and the index for `X-Consul-Index` (always >= 1). */
export interface Indexed<T> {
  /** Index for X-Consul-Index; never 0. */
  index: number;
  value: T;
  /** What this read depends on: pass to `Catalog.watch` to wait for a change. */
  watch: readonly WatchKey[];
}

/**
 * A watchable part of the state: a table (`nodes`, `services`, `checks`, `kvs`,
 * `sessions`), one service's instances and their health (`service:<lowercased name>`),
 * or a KV prefix (`kv:<prefix>`, woken by any change of a key starting with prefix).
 */
export type WatchKey = string;

/** Catalog tables that keep a max index. */
export type TableName = 'nodes' | 'services' | 'checks' | 'kvs' | 'tombstones' | 'sessions';
