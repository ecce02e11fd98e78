/**
 * Consul's JSON shapes, with Consul's exact field names (PascalCase). Fields that Consul
 * omits in some answers are optional. Sources: Consul's API docs and its Go `api` package.
 */

export type HealthStatus = 'passing' | 'warning' | 'critical';
export type StringMap = Record<string, string>;

// ---- shared ---------------------------------------------------------------

export interface Weights {
  Passing: number;
  Warning: number;
}

export interface ServiceAddress {
  Address: string;
  Port: number;
}

// ---- agent ---------------------------------------------------------------

export interface AgentMember {
  Name: string;
  Addr: string;
  Port: number;
  Tags: StringMap;
  /** 0 none, 1 alive, 2 leaving, 3 left, 4 failed (serf MemberStatus). */
  Status: number;
  ProtocolMin: number;
  ProtocolMax: number;
  ProtocolCur: number;
  DelegateMin: number;
  DelegateMax: number;
  DelegateCur: number;
}

export interface AgentSelfConfig {
  Datacenter: string;
  PrimaryDatacenter?: string;
  NodeName: string;
  NodeID: string;
  Revision?: string;
  Server: boolean;
  Version: string;
  BuildDate?: string;
  [key: string]: unknown;
}

export interface Coordinate {
  Vec: number[];
  Error: number;
  Adjustment: number;
  Height: number;
}

export interface AgentSelf {
  Config: AgentSelfConfig;
  DebugConfig?: Record<string, unknown>;
  Coord?: Coordinate | null;
  Member: AgentMember;
  /** Map of sections (`agent`, `raft`, `consul`, `runtime`, ...) to string values. */
  Stats: Record<string, Record<string, string>>;
  Meta: StringMap | null;
  xDS?: unknown;
}

export interface AgentService {
  Kind?: string;
  ID: string;
  Service: string;
  Tags: string[];
  Meta: StringMap;
  Port: number;
  Address: string;
  SocketPath?: string;
  TaggedAddresses?: Record<string, ServiceAddress>;
  Weights: Weights;
  EnableTagOverride: boolean;
  CreateIndex?: number;
  ModifyIndex?: number;
  ContentHash?: string;
  Proxy?: Record<string, unknown>;
  Connect?: Record<string, unknown>;
  Datacenter?: string;
  PeerName?: string;
}

/** A check definition inside a service registration (Consul's `CheckType`). */
export interface AgentServiceCheck {
  CheckID?: string;
  Name?: string;
  Notes?: string;
  Status?: HealthStatus;
  HTTP?: string;
  Method?: string;
  Header?: Record<string, string[]>;
  Body?: string;
  TLSSkipVerify?: boolean;
  TLSServerName?: string;
  DisableRedirects?: boolean;
  TCP?: string;
  UDP?: string;
  GRPC?: string;
  GRPCUseTLS?: boolean;
  H2PING?: string;
  H2PingUseTLS?: boolean;
  OSService?: string;
  AliasNode?: string;
  AliasService?: string;
  DockerContainerID?: string;
  Shell?: string;
  Args?: string[];
  ScriptArgs?: string[];
  TTL?: string;
  Interval?: string;
  Timeout?: string;
  DeregisterCriticalServiceAfter?: string;
  SuccessBeforePassing?: number;
  FailuresBeforeWarning?: number;
  FailuresBeforeCritical?: number;
  OutputMaxSize?: number;
}

/** Body of PUT /v1/agent/check/register (Consul's `CheckDefinition`). */
export interface AgentCheckRegistration extends Omit<AgentServiceCheck, 'CheckID'> {
  ID?: string;
  Name: string;
  ServiceID?: string;
  Token?: string;
}

/** Body of PUT /v1/agent/service/register. */
export interface AgentServiceRegistration {
  Kind?: string;
  ID?: string;
  Name: string;
  Tags?: string[];
  Port?: number;
  Address?: string;
  SocketPath?: string;
  TaggedAddresses?: Record<string, ServiceAddress>;
  EnableTagOverride?: boolean;
  Meta?: StringMap;
  Weights?: Weights;
  Check?: AgentServiceCheck;
  Checks?: AgentServiceCheck[];
  Proxy?: Record<string, unknown>;
  Connect?: Record<string, unknown>;
}

export interface MetricsInfo {
  Timestamp: string;
  Gauges: Array<{ Name: string; Value: number; Labels: StringMap }>;
  Points: Array<{ Name: string; Points: number[] }>;
  Counters: SampledValue[];
  Samples: SampledValue[];
}

export interface SampledValue {
  Name: string;
  Count: number;
  Sum: number;
  Min: number;
  Max: number;
  Mean: number;
  Stddev: number;
  Labels: StringMap;
}

// ---- catalog ---------------------------------------------------------------

export interface Node {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: StringMap | null;
  Meta: StringMap | null;
  CreateIndex: number;
  ModifyIndex: number;
  Partition?: string;
  PeerName?: string;
}

/** A service instance as held by a node (catalog/node, health/service). */
export interface NodeService {
  Kind?: string;
  ID: string;
  Service: string;
  Tags: string[];
  Address: string;
  TaggedAddresses?: Record<string, ServiceAddress>;
  Meta: StringMap | null;
  /** Omitted by Consul when 0. */
  Port?: number;
  SocketPath?: string;
  Weights: Weights;
  EnableTagOverride: boolean;
  Proxy?: Record<string, unknown>;
  Connect?: Record<string, unknown>;
  PeerName?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** One entry of GET /v1/catalog/service/:service. */
export interface CatalogService {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: StringMap | null;
  NodeMeta: StringMap | null;
  ServiceKind: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  ServiceAddress: string;
  ServiceTaggedAddresses?: Record<string, ServiceAddress>;
  ServiceWeights: Weights;
  ServiceMeta: StringMap | null;
  ServicePort: number;
  ServiceSocketPath?: string;
  ServiceEnableTagOverride: boolean;
  ServiceProxy?: Record<string, unknown>;
  ServiceConnect?: Record<string, unknown>;
  PeerName?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface CatalogNode {
  Node: Node;
  Services: Record<string, NodeService>;
}

export interface CatalogNodeServiceList {
  Node: Node | null;
  Services: NodeService[] | null;
}

/** Body of PUT /v1/catalog/register. */
export interface CatalogRegistration {
  ID?: string;
  Node: string;
  Address?: string;
  Datacenter?: string;
  TaggedAddresses?: StringMap;
  NodeMeta?: StringMap;
  Service?: Partial<NodeService> & { Service: string };
  Check?: Partial<HealthCheck>;
  Checks?: Array<Partial<HealthCheck>>;
  SkipNodeUpdate?: boolean;
}

/** Body of PUT /v1/catalog/deregister. */
export interface CatalogDeregistration {
  Node: string;
  Datacenter?: string;
  ServiceID?: string;
  CheckID?: string;
}

// ---- health ---------------------------------------------------------------

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

export interface HealthCheck {
  Node: string;
  CheckID: string;
  Name: string;
  Status: HealthStatus;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  Type: string;
  Interval?: string;
  Timeout?: string;
  ExposedPort?: number;
  Definition: HealthCheckDefinition;
  CreateIndex: number;
  ModifyIndex: number;
}

/** One entry of GET /v1/health/service/:service. */
export interface ServiceEntry {
  Node: Node;
  Service: NodeService;
  Checks: HealthCheck[];
}

// ---- kv ---------------------------------------------------------------

export interface KVPair {
  LockIndex: number;
  Key: string;
  Flags: number;
  /** Base64 of the stored bytes; null for an empty value. */
  Value: string | null;
  /** Present only while a session holds the lock. */
  Session?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

// ---- session ---------------------------------------------------------------

export type SessionBehavior = 'release' | 'delete';

export interface SessionEntry {
  ID: string;
  Name: string;
  Node: string;
  /** Nanoseconds. */
  LockDelay: number;
  Behavior: SessionBehavior;
  TTL: string;
  Checks?: string[];
  NodeChecks?: string[] | null;
  ServiceChecks?: Array<{ ID: string; Namespace?: string }> | null;
  CreateIndex: number;
  ModifyIndex: number;
}

/** Body of PUT /v1/session/create. */
export interface SessionCreateRequest {
  Name?: string;
  Node?: string;
  Checks?: string[];
  NodeChecks?: string[];
  ServiceChecks?: Array<{ ID: string; Namespace?: string }>;
  /** Go duration string (`"15s"`) or nanoseconds. */
  LockDelay?: string | number;
  Behavior?: SessionBehavior;
  TTL?: string;
}

// ---- event ---------------------------------------------------------------

export interface UserEvent {
  ID: string;
  Name: string;
  /** Base64 payload; null when there is none. */
  Payload: string | null;
  NodeFilter: string;
  ServiceFilter: string;
  TagFilter: string;
  Version: number;
  LTime: number;
}

// ---- txn ---------------------------------------------------------------

export type KVTxnVerb =
  | 'set'
  | 'delete'
  | 'delete-cas'
  | 'delete-tree'
  | 'cas'
  | 'lock'
  | 'unlock'
  | 'get'
  | 'get-or-empty'
  | 'get-tree'
  | 'check-index'
  | 'check-session'
  | 'check-not-exists';

export interface KVTxnOp {
  Verb: KVTxnVerb;
  Key: string;
  /** Base64. */
  Value?: string | null;
  Flags?: number;
  Index?: number;
  Session?: string;
}

export type CatalogTxnVerb = 'set' | 'cas' | 'get' | 'delete' | 'delete-cas';

export type TxnOp =
  | { KV: KVTxnOp }
  | { Node: { Verb: CatalogTxnVerb; Node: Partial<Node> & { Node: string } } }
  | { Service: { Verb: CatalogTxnVerb; Node: string; Service: Partial<NodeService> } }
  | { Check: { Verb: CatalogTxnVerb; Check: Partial<HealthCheck> } };

export type TxnResult = { KV: KVPair } | { Node: Node } | { Service: NodeService } | { Check: HealthCheck };

export interface TxnError {
  OpIndex: number;
  What: string;
}

export interface TxnResponse {
  Results: TxnResult[] | null;
  Errors: TxnError[] | null;
}

// ---- operator ---------------------------------------------------------------

export interface RaftServer {
  ID: string;
  Node: string;
  Address: string;
  Leader: boolean;
  ProtocolVersion?: string;
  Voter: boolean;
}

/** structs.TransferLeaderResponse. */
export interface TransferLeaderResponse {
  Success: boolean;
}

export interface RaftConfiguration {
  Servers: RaftServer[];
  Index: number;
}

/** One server in GET /v1/operator/autopilot/health. */
export interface ServerHealth {
  ID: string;
  Name: string;
  Address: string;
  SerfStatus: string;
  Version: string;
  Leader: boolean;
  LastContact: string;
  LastTerm: number;
  LastIndex: number;
  Healthy: boolean;
  Voter: boolean;
  StableSince: string;
}

/** One gossip pool's answer to a keyring operation (structs.KeyringResponse). */
export interface KeyringResponse {
  WAN: boolean;
  Datacenter: string;
  Segment: string;
  Partition?: string;
  Messages?: Record<string, string>;
  /** Key -> number of members that have it installed. */
  Keys: Record<string, number>;
  /** Key -> number of members that use it as primary. */
  PrimaryKeys?: Record<string, number>;
  NumNodes: number;
  Error?: string;
}

/** One datacenter's counts in GET /v1/operator/usage (api.ServiceUsage). */
export interface ServiceUsage {
  Services: number;
  ServiceInstances: number;
  /** Instances by mesh kind (connect-proxy, ingress-gateway...). */
  ConnectServiceInstances: Record<string, number>;
  BillableServiceInstances: number;
  Nodes: number;
}

/** GET /v1/operator/usage (api.Usage): counts by datacenter. */
export interface Usage {
  Usage: Record<string, ServiceUsage>;
}

/** GET|PUT /v1/operator/autopilot/configuration; the durations are Go duration strings ("200ms"). */
export interface AutopilotConfiguration {
  CleanupDeadServers: boolean;
  LastContactThreshold: string;
  MaxTrailingLogs: number;
  MinQuorum: number;
  ServerStabilizationTime: string;
  RedundancyZoneTag: string;
  DisableUpgradeMigration: boolean;
  UpgradeVersionTag: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface OperatorHealthReply {
  Healthy: boolean;
  FailureTolerance: number;
  Servers: ServerHealth[];
}

/** One server in GET /v1/operator/autopilot/state (api.AutopilotServer). */
export interface AutopilotServer {
  ID: string;
  Name: string;
  Address: string;
  NodeStatus: string;
  Version: string;
  LastContact: string;
  LastTerm: number;
  LastIndex: number;
  Healthy: boolean;
  StableSince: string;
  RedundancyZone?: string;
  UpgradeVersion?: string;
  ReadReplica?: boolean;
  /** `leader`, `voter`, `non-voter` or `staging`. */
  Status: string;
  Meta: Record<string, string>;
  NodeType: string;
}

/** GET /v1/operator/autopilot/state (api.AutopilotState; the Enterprise fields are absent from Consul CE's answer). */
export interface AutopilotState {
  Healthy: boolean;
  FailureTolerance: number;
  OptimisticFailureTolerance: number;
  /** By server ID. */
  Servers: Record<string, AutopilotServer>;
  Leader: string;
  Voters: string[];
  ReadReplicas?: string[];
}
