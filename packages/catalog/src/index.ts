/**
 * @proconsul/catalog — the replicated state machine behind the agent's `apply` seam:
 * nodes, services, checks, KV, sessions; per-table and per-prefix indexes; watches for
 * blocking queries; snapshot and restore. Pure and deterministic.
 */
export {
  Catalog,
  DEFAULT_LOCK_DELAY_NS,
  sessionTTLError,
  type CatalogOptions,
  type CatalogStats,
  type HealthServiceFilter,
  type HealthState,
  type NodeMetaFilter,
  type ServiceFilter,
} from './catalog.js';
export type * from './commands.js';
export type * from './acl-types.js';
export { ACL_WATCH_KEY } from './acl-types.js';
export type * from './prepared-query-types.js';
export { emptyPreparedQuery } from './prepared-query-types.js';
export {
  PREPARED_QUERIES_MAX,
  PreparedQueryResolveError,
  QUERY_NOT_FOUND,
  REDACTED_TOKEN,
  isUUID,
  preparedQueryError,
  type PreparedQueryStore,
} from './prepared-query.js';
export { TEMPLATE_TYPE_NAME_PREFIX_MATCH, type QuerySource } from './query-template.js';
export type { AclStore } from './acl-store.js';
export type * from './config-entry-types.js';
export type * from './peering-types.js';
export { IMPORTED_INSTANCES_MAX, PEERINGS_MAX, PEERINGS_WATCH_KEY, peerImportsWatchKey } from './peering-store.js';
export { SYNTHETIC_PROXY_SUFFIX, type ExportingCluster } from './peering-export.js';
export { CONFIG_ENTRIES_MAX, CONFIG_ENTRIES_WATCH_KEY } from './config-entry-store.js';
export * from './config-entry/index.js';
export * from './discovery-chain/index.js';
export type * from './types.js';
export { SNAPSHOT_VERSION, snapshotAtIndex, snapshotFromStream, type CatalogSnapshot, type SnapshotHead, type SnapshotStream } from './snapshot.js';
export type { CheckRecord, NodeRecord, ServiceRecord, SessionRecord } from './records.js';
export type { KVRecord } from './kv-store.js';
export { SessionTTLTracker, SESSION_TTL_MULTIPLIER } from './session-ttl.js';
export { TombstoneGC, TOMBSTONE_GRANULARITY_MS, TOMBSTONE_TTL_MS } from './tombstone-gc.js';
export { parseGoDuration, parseGoDurationMs, formatGoDuration } from './duration.js';
export { kvWatchKey, serviceWatchKey } from './watch.js';
export { toStructsProxy } from './connect-proxy.js';
export { CONNECT_PROXY_KIND } from './connect-index.js';
export { TAGGED_ADDRESS_VIRTUAL_IP, virtualIPString, type ServiceVirtualIP, type VirtualIPSnapshot } from './virtual-ips.js';
export { MANUAL_VIPS_MAX } from './virtual-ip-writes.js';
export type { GatewayKind, GatewayService } from './gateway-services.js';
export * from './validate.js';
export { DEFAULT_AUTOPILOT, type AutopilotConfig, type AutopilotRecord } from './autopilot.js';
export {
  COORDINATES_WATCH_KEY,
  isValidNetworkCoordinate,
  type CoordinateBatchUpdateCommand,
  type CoordinateEntry,
  type CoordinateSnapshot,
  type NetworkCoordinate,
} from './coordinates.js';
export {
  CA_ROOTS_MAX,
  CONNECT_CA_WATCH_KEY,
  type CAConfigRecord,
  type CAProviderStateRecord,
  type CARootRecord,
  type ConnectCACommand,
  type ConnectCAOp,
  type ConnectCASnapshot,
  type ConnectCAStore,
} from './connect-ca.js';
