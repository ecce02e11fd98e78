// What the HTTP routes, DNS adapter and loops share: one object built by startAgent.
import type { Catalog, Command, ApplyResult } from '@proconsul/catalog';
import type { Applier } from './apply/applier.js';
import type { AgentConfig } from './config/index.js';
import type { UserEvents } from './events/user-events.js';
import type { AgentGossip } from './gossip/index.js';
import type { ChangeFeed } from './http/change-feed.js';
import type { LocalState } from './local/local-state.js';
import type { ComponentLoggers, LogTap } from './log.js';
import type { MetricsRegistry } from './metrics/index.js';
import type { Leader } from './leader.js';
import type { ClusterRole } from './cluster/role.js';
import type { QuerySeams } from './prepared-query/failover.js';
import type { IdentityResolver } from './acl/resolver.js';
import type { AclReplicationStatus } from './acl/replication.js';
import type { ConnectCAManager } from './connect/ca-manager.js';
import type { CentralConfigWatches } from './connect/central-config/watch.js';
import type { PeeringService } from './peering/service.js';

export interface AgentContext {
  config: AgentConfig;
  log: ComponentLoggers;
  /** The log stream for GET /v1/agent/monitor. */
  logTap: LogTap;
  nodeId: string;
  /** The address other nodes reach this one at (advertise, else bind). */
  advertiseAddr: string;
  /** The state machine: reads go to it directly, writes only through `applier`. */
  catalog: Catalog;
  applier: Applier<Command, ApplyResult>;
  /** Wakes blocking queries on agent-local state. */
  localFeed: ChangeFeed;
  local: LocalState;
  events: UserEvents;
  /** LAN gossip: members, join/leave, user events, keyring. */
  gossip: AgentGossip;
  metrics: MetricsRegistry;
  leader: Leader;
  /** This agent's part of the cluster: a server's Raft and server port, or a client's servers. */
  cluster: ClusterRole;
  startedAt: Date;
  /** After PUT /v1/snapshot: re-register this server and resync local state. */
  afterRestore(): Promise<void>;
  /** Resolves request tokens: the state store on a server, the servers (cached) on a client. */
  aclResolver: IdentityResolver;
  /** A secondary datacenter's server: ACL replication from the primary (GET /v1/acl/replication). */
  aclReplication?: { status(): AclReplicationStatus };
  /** A server's Connect CA (connect/ca-manager.ts): initialized, reconfigured and signing on the leader. */
  connectCA?: ConnectCAManager;
  /** enable_central_service_config (on by default): proxies and gateways merged with their central defaults. */
  centralConfig?: CentralConfigWatches;
  /** A server's cluster peering (peering/service.ts); its HTTP routes run on the leader. */
  peering?: PeeringService;
  /** After PUT /v1/agent/token: the agent's own writes may now pass, so sync again. */
  tokensChanged(): void;
  /** PUT /v1/agent/reload. */
  reload(): Promise<void>;
  /** Wall clock for commands that carry `Now` (lock-delay). */
  now(): number;
  /** Prepared-query failover and distance sort (WAN pool, coordinates); unset: local datacenter only. */
  preparedQuerySeams?: Partial<QuerySeams>;
}
