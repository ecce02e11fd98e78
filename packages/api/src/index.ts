/**
 * @proconsul/api: a typed client for Consul's /v1 HTTP API (works against Proconsul and
 * Consul). This entry has no Node-only imports; `@proconsul/api/node` adds unix sockets
 * and a transport without fetch's 300 s timeouts for long blocking queries.
 */
export { Consul } from './client.js';
export { HttpClient, type ConsulOptions, type FetchLike, type RequestSpec, type RawResponse } from './http.js';
export { parseAddress, AddressError, DEFAULT_ADDRESS, type AgentAddress } from './address.js';
export { ConsulError, ConsulConnectionError, isAbortError } from './errors.js';
export {
  queryParams,
  writeParams,
  encodeParams,
  encodePath,
  parseQueryMeta,
  type QueryOptions,
  type WriteOptions,
  type QueryMeta,
  type QueryResult,
  type Params,
} from './query.js';
export { parseDuration, formatWait } from './duration.js';
export { encodeBase64, decodeBase64, decodeBase64Text } from './base64.js';
export { watch, watchCallback, sleep, TokenBucket, nextIndex, backoffDelay, type WatchOptions, type WatchHandle, type BlockingFetcher, type BlockingParams } from './watch.js';
export { Agent, type MembersOptions, type ServiceRegisterOptions, type ForceLeaveOptions } from './agent.js';
export { Catalog, type ServiceQueryOptions } from './catalog.js';
export { Health, type HealthServiceOptions, type HealthStateFilter } from './health.js';
export { KV, kvFlags, kvValueBytes, kvValueText, type KVPutOptions, type KVValue } from './kv.js';
export { Session } from './session.js';
export {
  PreparedQuery,
  type PreparedQueryDefinition,
  type PreparedQueryExecuteOptions,
  type PreparedQueryExecuteResponse,
  type QueryFailoverOptions,
  type QueryFailoverTarget,
  type QueryTemplate,
  type ServiceQuery,
} from './prepared-query.js';
export { Event, eventIdToIndex, type FireOptions } from './event.js';
export { Txn, type TxnOutcome } from './txn.js';
export { Status } from './status.js';
export { Coordinate, type CoordinateEntry, type CoordinateDatacenterMap, type NetworkCoordinate } from './coordinate.js';
export { Operator } from './operator.js';
export { ServiceExports, type ImportedService, type ResolvedExportedService } from './service-exports.js';
export { Partitions, type Partition } from './partition.js';
export { Peerings, type Peering, type PeeringEstablishRequest, type PeeringGenerateTokenRequest, type PeeringState, type PeeringStreamStatus } from './peering.js';
export { Connect, type CAConfig, type CARoot, type CARootList, type LeafCert } from './connect.js';
export { Snapshot } from './snapshot.js';
export * from './connect-intention.js';
export { Lock, LockConflictError, LockInUseError, LOCK_FLAG_VALUE, DEFAULT_LOCK_KEY, type LockOptions } from './lock.js';
export { parseWatchPlan, type WatchPlan, type HttpHandlerConfig } from './watch-plan.js';
export { Semaphore, SemaphoreConflictError, SemaphoreInUseError, SEMAPHORE_FLAG_VALUE, type SemaphoreOptions } from './semaphore.js';
export { memberStatusString } from './member-status.js';
export type * from './types.js';
export type * from './agent-connect.js';
