import type { ConnectConfig } from '../connect/config.js';
import type { AutopilotConfig, ConfigEntry } from '@proconsul/catalog';
import type { AclConfig } from '../acl/config.js';
import type { HttpsTlsConfig, RpcTlsConfig } from '../tls/config.js';
import type { AutoEncryptConfig } from '../tls/auto-encrypt-config.js';
import type { AutoConfigConfig } from '../auto-config/config.js';
import type { CheckDefinition, CheckType } from '../checks/index.js';
import type { ConnectProxyConfig } from './proxy-spec.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** A service definition in the shape of PUT /v1/agent/service/register's body. */
export interface ServiceDefinition {
  ID?: string;
  Name: string;
  Tags?: string[];
  Address?: string;
  TaggedAddresses?: Record<string, { Address: string; Port: number }>;
  Meta?: Record<string, string>;
  Port?: number;
  SocketPath?: string;
  Kind?: string;
  EnableTagOverride?: boolean;
  Weights?: { Passing: number; Warning: number };
  Check?: CheckType;
  Checks?: CheckType[];
  Token?: string;
  /** A connect-proxy's (or gateway's) configuration (config/proxy-spec.ts). */
  Proxy?: ConnectProxyConfig;
  /** `Native`, and `SidecarService`: a service definition the agent expands (connect/sidecar-service.ts). */
  Connect?: { Native?: boolean; SidecarService?: ServiceDefinition };
}

export interface DnsConfig {
  allowStale: boolean;
  maxStaleMs: number;
  nodeTtlMs: number;
  /** dns_config.service_ttl: service name (or prefix ending in `*`, or `*`) -> TTL. */
  serviceTtlMs: Record<string, number>;
  onlyPassing: boolean;
  enableTruncate: boolean;
  udpAnswerLimit: number;
  aRecordLimit: number;
  recursorTimeoutMs: number;
  disableCompression: boolean;
  enableAdditionalNodeMetaTxt: boolean;
  /** dns_config.recursor_strategy: recursors asked in order, or in a random order per query. */
  recursorStrategy: 'sequential' | 'random';
  /** dns_config.soa, in seconds (Consul's defaults 3600 / 600 / 86400 / 0). */
  soa: { refresh: number; retry: number; expire: number; minTtl: number };
  /** dns_config.use_cache: a client agent's service and prepared query lookups go through the agent cache. */
  useCache: boolean;
  /** dns_config.cache_max_age (0: none): how old a cached prepared query answer may be. */
  cacheMaxAgeMs: number;
}

export interface AgentPorts {
  /** -1 disables a listener (http, dns). */
  http: number;
  https: number;
  dns: number;
  server: number;
  serfLan: number;
  serfWan: number;
  grpc: number;
  /** ports.sidecar_min_port / sidecar_max_port: the range sidecar_service ports come from (-1: none). */
  sidecarMinPort: number;
  sidecarMaxPort: number;
}

export interface TelemetryConfig {
  /** Prometheus output of /v1/agent/metrics is enabled only when > 0 (Consul's rule). */
  prometheusRetentionTimeMs: number;
  disableHostname: boolean;
  /** telemetry.statsd_address: the statsd collector the metrics also go to. */
  statsd?: { host: string; port: number };
  metricsPrefix: string;
}

/** The agent's runtime configuration: defaults, then config files, then flags. */
export interface AgentConfig {
  dev: boolean;
  server: boolean;
  bootstrap: boolean;
  /** 0 when not set. */
  bootstrapExpect: number;
  datacenter: string;
  primaryDatacenter: string;
  nodeName: string;
  /** Empty when not given (the agent generates or loads one). */
  nodeId: string;
  /** Empty in -dev (state is kept in memory). Not created here. */
  dataDir: string;
  /** Cluster address (server RPC, serf LAN/WAN). */
  bindAddr: string;
  /** serf_lan / serf_wan: where the LAN and WAN gossip pools bind (default bindAddr). */
  serfBindLan: string;
  serfBindWan: string;
  /** serf_lan_allowed_cidrs / serf_wan_allowed_cidrs: gossip only from these networks (empty: any). */
  serfAllowedCidrsLan: string[];
  serfAllowedCidrsWan: string[];
  /** Address advertised to other nodes; defaults to bindAddr. */
  advertiseAddr: string;
  advertiseAddrWan: string;
  /** advertise_addr_ipv4 / _ipv6 / advertise_addr_wan_ipv4 / _ipv6 ('' when not set; see addresses.ts nodeTaggedAddresses). */
  advertiseAddrIpv4: string;
  advertiseAddrIpv6: string;
  advertiseAddrWanIpv4: string;
  advertiseAddrWanIpv6: string;
  /** tagged_addresses: the node's own tagged addresses, under the ones the agent sets. */
  taggedAddresses: Record<string, string>;
  /** client_addr (space-separated in Consul): addresses for HTTP and DNS. */
  clientAddrs: string[];
  /** addresses.http / addresses.dns; default clientAddrs. */
  httpAddrs: string[];
  dnsAddrs: string[];
  ports: AgentPorts;
  /** Always ends with a dot, e.g. "consul.". */
  domain: string;
  /** Empty when not set; ends with a dot otherwise. */
  altDomain: string;
  ui: boolean;
  logLevel: LogLevel;
  logJson: boolean;
  /** Consul's log_file and log_rotate_*: the log also goes to this file, rotated (src/log-file.ts). */
  logFile?: LogFileConfig;
  /** Consul's enable_central_service_config (default true): proxies and gateways are registered merged with proxy-defaults and service-defaults. */
  enableCentralServiceConfig: boolean;
  enableScriptChecks: boolean;
  enableLocalScriptChecks: boolean;
  /** The `acl` stanza (packages/agent/src/acl/config.ts). */
  acl: AclConfig;
  /** TLS of the HTTPS listener (packages/agent/src/tls/config.ts). */
  httpsTls: HttpsTlsConfig;
  /** TLS on the server port (Raft and agent RPC). */
  rpcTls: RpcTlsConfig;
  /** The `auto_encrypt` stanza (packages/agent/src/tls/auto-encrypt-config.ts). */
  autoEncrypt: AutoEncryptConfig;
  /** The `auto_config` stanza (packages/agent/src/auto-config/config.ts). */
  autoConfig: AutoConfigConfig;
  /** Base64 gossip key, empty when not set. */
  encrypt: string;
  /** With a key: refuse plaintext gossip arriving / encrypt gossip sent (Consul's encrypt_verify_*; default true). */
  encryptVerifyIncoming: boolean;
  encryptVerifyOutgoing: boolean;
  /** disable_keyring_file: keys are not kept in the data dir; each start begins from `encrypt`. */
  disableKeyringFile: boolean;
  /** disable_remote_exec (default true): `_rexec` events are ignored (events/remote-exec.ts). */
  disableRemoteExec: boolean;
  /** How long a failed member stays before it is reaped: reconnect_timeout (LAN) and reconnect_timeout_wan (0: 72h). */
  reconnectTimeoutLanMs: number;
  reconnectTimeoutWanMs: number;
  /** advertise_reconnect_timeout of a client: its own reconnect timeout, gossiped in the rc_tm tag (0: none). */
  advertiseReconnectTimeoutMs: number;
  recursors: string[];
  startJoin: string[];
  retryJoin: string[];
  retryIntervalMs: number;
  /** 0 means retry forever. */
  retryMaxAttempts: number;
  startJoinWan: string[];
  retryJoinWan: string[];
  retryIntervalWanMs: number;
  /** 0 means retry forever. */
  retryMaxAttemptsWan: number;
  /** Consul's gossip_lan / gossip_wan: overrides of the pool's memberlist settings. */
  gossipLan: GossipTuning;
  gossipWan: GossipTuning;
  nodeMeta: Record<string, string>;
  /** Empty when not set. */
  pidFile: string;
  leaveOnTerminate: boolean;
  skipLeaveOnInterrupt: boolean;
  rejoinAfterLeave: boolean;
  /** DNS answers about other datacenters use a node's (and service's) `wan` tagged address. */
  translateWanAddrs: boolean;
  disableHostNodeId: boolean;
  checkOutputMaxSize: number;
  /** Consul's discard_check_output: checks keep no output (fewer catalog writes). */
  discardCheckOutput: boolean;
  /** Consul's default_query_time and max_query_time: a blocking query's wait without ?wait, and its cap. */
  queryTimes: QueryTimes;
  /** performance.rpc_hold_timeout: how long a request waits for a leader during an election (7s). */
  rpcHoldTimeoutMs: number;
  /** discovery_max_stale: catalog and health reads without a consistency mode may be this stale (0: off). */
  discoveryMaxStaleMs: number;
  /** Consul's session_ttl_min (default 10 s): the shortest session TTL accepted. */
  sessionTtlMinMs: number;
  /** Consul's raft_snapshot_interval / raft_snapshot_threshold: how often the log is compacted. */
  raftSnapshotIntervalMs: number;
  raftSnapshotThreshold: number;
  /** The `connect` block (connect/config.ts): the built-in CA's provider and its configuration. */
  connect: ConnectConfig;
  /** The `autopilot` block: what a leader writes into the state when it holds no autopilot configuration yet. */
  autopilot: AutopilotConfig;
  /** `config_entries.bootstrap`: what the leader of the primary datacenter creates when absent. */
  configEntriesBootstrap: ConfigEntry[];
  /**
   * Network coordinates: each agent sends its coordinate every RateScaledInterval(syncRateTarget,
   * syncIntervalMinMs, LAN members) plus a random stagger; servers flush what they received every
   * updatePeriodMs in Raft writes of updateBatchSize, at most updateMaxBatches per period.
   */
  coordinate: { disabled: boolean; syncRateTarget: number; syncIntervalMinMs: number; updatePeriodMs: number; updateBatchSize: number; updateMaxBatches: number };
  /**
   * Consul's `limits`: concurrent connections one client IP may hold (<= 0: unlimited); the
   * largest KV value and transaction request body in bytes.
   */
  limits: { httpMaxConnsPerClient: number; rpcMaxConnsPerClient: number; kvMaxValueSize: number; txnMaxReqLen: number };
  dnsConfig: DnsConfig;
  telemetry: TelemetryConfig;
  /** Service and check definitions from config files, in HTTP API shapes. */
  services: ServiceDefinition[];
  checks: CheckDefinition[];
  /** Consul's `watches`: watch specifications as given, parsed when the agent starts them (src/watches/). */
  watches: Record<string, unknown>[];
  /** check_update_interval: a check's output alone reaches the catalog at most this often (0: at once). */
  checkUpdateIntervalMs: number;
  /** disable_http_unprintable_char_filter: paths with unprintable characters are served, not refused 400. */
  disableHttpUnprintableCharFilter: boolean;
  /** Consul's http_config (src/http/http-config.ts). */
  httpConfig: HttpConfig;
  /** The config files that were read, in order (for logs and reload). */
  configFiles: string[];
  /** The -config-file and -config-dir paths as given (auto_reload_config watches them). */
  configPaths: string[];
  /** auto_reload_config: reload when a file under configPaths changes. */
  autoReloadConfig: boolean;
  /** Consul's config warnings (skipped files, risky bootstrap settings...), to log at start. */
  warnings: string[];
}

/** The memberlist settings Consul lets gossip_lan / gossip_wan set (absent: the profile's). */
export interface GossipTuning {
  gossipNodes?: number;
  gossipIntervalMs?: number;
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  retransmitMult?: number;
  suspicionMult?: number;
}

/** Consul's http_config. */
export interface HttpConfig {
  /** Set on every answer of the HTTP API and the UI. */
  responseHeaders: Record<string, string>;
  /** Path prefixes answered with 403. */
  blockEndpoints: string[];
  /** Networks (CIDR) allowed to write; empty: everyone. */
  allowWriteHttpFrom: string[];
  /** http_config.use_cache (default true): false ignores `?cached`. */
  useCache: boolean;
}

/** Consul's log_file: where, and when the file is rotated. */
export interface LogFileConfig {
  /** The active file (`consul.log` in the directory when the path ends in a slash). */
  path: string;
  /** Rotate after this long (default 24 h). */
  rotateMs: number;
  /** Rotate once the file holds this many bytes; 0: no limit. */
  maxBytes: number;
  /** Rotated files kept: 0 all, -1 none. */
  maxFiles: number;
}

/** How long blocking queries wait. */
export interface QueryTimes {
  /** Without `?wait` (default 5 min). */
  defaultMs: number;
  /** The most a `?wait` gets (default 10 min). */
  maxMs: number;
}
