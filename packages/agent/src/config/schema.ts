/**
 * The keys of Consul's JSON agent config (agent/config/config.go) that this agent reads,
 * and those it accepts and ignores so a Consul config file still loads. Keys match without
 * regard to case; output keys are Consul's snake_case names.
 */
import type { FieldSpec, ObjectSpec } from '../checks/decode.js';
import { AUTO_ENCRYPT_FIELDS } from '../tls/auto-encrypt-config.js';
import { AUTO_CONFIG_FIELDS } from '../auto-config/config.js';
import { ACL_CONFIG_FIELDS } from '../acl/config.js';
import { TLS_CONFIG_FIELDS } from '../tls/config.js';
import { CHECK_DEFINITION_SPEC } from '../checks/definition.js';
import { SERVICE_SPEC } from './service.js';
import { CONNECT_SPEC } from '../connect/config.js';
import { CONFIG_ENTRIES_SPEC } from '../config-entries/agent-config.js';

const any = (name: string): FieldSpec => ({ name, type: 'any' });

const PORTS: ObjectSpec = {
  struct: 'Ports',
  fields: [
    { name: 'dns', type: 'int' },
    { name: 'http', type: 'int' },
    { name: 'https', type: 'int' },
    { name: 'grpc', type: 'int' },
    { name: 'serf_lan', type: 'int' },
    { name: 'serf_wan', type: 'int' },
    { name: 'server', type: 'int' },
    { name: 'sidecar_min_port', type: 'int' },
    { name: 'sidecar_max_port', type: 'int' },
    ...['grpc_tls', 'proxy_min_port', 'proxy_max_port', 'expose_min_port', 'expose_max_port'].map(any),
  ],
};

const ADDRESSES: ObjectSpec = {
  struct: 'Addresses',
  fields: [{ name: 'dns', type: 'string' }, { name: 'http', type: 'string' }, ...['https', 'grpc', 'grpc_tls'].map(any)],
};

const DNS_CONFIG: ObjectSpec = {
  struct: 'DNS',
  fields: [
    { name: 'allow_stale', type: 'bool' },
    { name: 'a_record_limit', type: 'int' },
    { name: 'disable_compression', type: 'bool' },
    { name: 'enable_truncate', type: 'bool' },
    { name: 'max_stale', type: 'duration' },
    { name: 'node_ttl', type: 'duration' },
    { name: 'only_passing', type: 'bool' },
    { name: 'recursor_timeout', type: 'duration' },
    { name: 'service_ttl', type: 'stringMap' },
    { name: 'udp_answer_limit', type: 'int' },
    { name: 'enable_additional_node_meta_txt', type: 'bool' },
    { name: 'recursor_strategy', type: 'string' },
    { name: 'soa', type: { object: { struct: 'SOA', fields: ['expire', 'min_ttl', 'refresh', 'retry'].map((name) => ({ name, type: 'int' as const })) } } },
    { name: 'use_cache', type: 'bool' },
    { name: 'cache_max_age', type: 'duration' },
    ...['prefer_namespace'].map(any),
  ],
};

const LIMITS: ObjectSpec = {
  struct: 'Limits',
  fields: [
    { name: 'http_max_conns_per_client', type: 'int' },
    { name: 'rpc_max_conns_per_client', type: 'int' },
    { name: 'kv_max_value_size', type: 'int' },
    { name: 'txn_max_req_len', type: 'int' },
    ...['rpc_handshake_timeout', 'rpc_client_timeout', 'rpc_rate', 'rpc_max_burst', 'request_limits'].map(any),
  ],
};

/** Autopilot's settings a server writes into the state when none are there yet (Consul's `autopilot` block). */
const AUTOPILOT: ObjectSpec = {
  struct: 'Autopilot',
  fields: [
    { name: 'cleanup_dead_servers', type: 'bool' },
    { name: 'last_contact_threshold', type: 'duration' },
    { name: 'max_trailing_logs', type: 'int' },
    { name: 'min_quorum', type: 'int' },
    { name: 'server_stabilization_time', type: 'duration' },
    { name: 'redundancy_zone_tag', type: 'string' },
    { name: 'disable_upgrade_migration', type: 'bool' },
    { name: 'upgrade_version_tag', type: 'string' },
  ],
};

/** Consul's internal `consul` block: only the coordinate batching of the servers is read. */
const CONSUL_INTERNAL: ObjectSpec = {
  struct: 'Consul',
  fields: [
    {
      name: 'coordinate',
      type: {
        object: {
          struct: 'Coordinate',
          fields: [{ name: 'update_batch_size', type: 'int' }, { name: 'update_max_batches', type: 'int' }, { name: 'update_period', type: 'duration' }],
        },
      },
    },
    ...['raft', 'server'].map(any),
  ],
};

/** Consul's gossip_lan / gossip_wan tuning (memberlist settings of that pool). */
const GOSSIP_TUNING: ObjectSpec = {
  struct: 'GossipConfig',
  fields: [
    { name: 'gossip_nodes', type: 'int' },
    { name: 'gossip_interval', type: 'duration' },
    { name: 'probe_interval', type: 'duration' },
    { name: 'probe_timeout', type: 'duration' },
    { name: 'retransmit_mult', type: 'int' },
    { name: 'suspicion_mult', type: 'int' },
  ],
};

const UI_CONFIG: ObjectSpec = {
  struct: 'RawUIConfig',
  fields: [{ name: 'enabled', type: 'bool' }, ...['dir', 'content_path', 'metrics_provider', 'metrics_provider_files', 'metrics_provider_options_json', 'metrics_proxy', 'dashboard_url_templates'].map(any)],
};

const TELEMETRY: ObjectSpec = {
  struct: 'Telemetry',
  fields: [
    { name: 'disable_hostname', type: 'bool' },
    { name: 'metrics_prefix', type: 'string' },
    { name: 'prometheus_retention_time', type: 'duration' },
    { name: 'statsd_address', type: 'string' },
    ...[
      'circonus_api_app', 'circonus_api_token', 'circonus_api_url', 'circonus_broker_id', 'circonus_broker_select_tag',
      'circonus_check_display_name', 'circonus_check_force_metric_activation', 'circonus_check_id',
      'circonus_check_instance_id', 'circonus_check_search_tag', 'circonus_check_tags', 'circonus_submission_interval',
      'circonus_submission_url', 'disable_compat_1.9', 'dogstatsd_addr', 'dogstatsd_tags', 'enable_host_metrics',
      'filter_default', 'prefix_filter', 'retry_failed_connection', 'statsite_address',
    ].map(any),
  ],
};

/** Consul's http_config: headers, blocked endpoints and write access of the HTTP API (src/http/http-config.ts). */
const HTTP_CONFIG: ObjectSpec = {
  struct: 'HTTPConfig',
  fields: [
    { name: 'allow_write_http_from', type: 'strings' },
    { name: 'block_endpoints', type: 'strings' },
    { name: 'response_headers', type: 'stringMap' },
    // use_cache: `?cached` reads use the agent cache (src/cache/); Node bounds header sizes itself.
    { name: 'use_cache', type: 'bool' },
    { name: 'max_header_bytes', type: 'int' },
  ],
};

/** Keys Consul knows that this agent accepts and ignores (security, mesh, tuning, other sinks). */
const IGNORED_TOP_LEVEL = [
  'audit', 'cache',
  'cloud',
  'disable_anonymous_signature',
  'disable_update_check',
  'enable_agent_tls_for_checks',
  'enable_debug', 'enable_syslog', 'experiments',
  'license_path', 'locality', 'non_voting_server',
  'peering', 'primary_gateways', 'primary_gateways_interval', 'protocol', 'raft_boltdb',
  'raft_logstore', 'raft_protocol', 'raft_trailing_logs',
  'read_replica', 'reporting', 'rpc', 'segment', 'segments',
  'serf_advertise_addr_lan', 'serf_advertise_addr_wan', 'serf_bind_addr_lan', 'serf_bind_addr_wan',
 'server_name',
  'syslog_facility', 'tls_cipher_suites',
  'tls_prefer_server_cipher_suites', 'ui_content_path', 'ui_dir', 'unix_sockets',
  'xds',
] as const;

export const CONFIG_SPEC: ObjectSpec = {
  struct: 'Config',
  fields: [
    ...ACL_CONFIG_FIELDS,
    ...TLS_CONFIG_FIELDS,
    ...AUTO_ENCRYPT_FIELDS,
    ...AUTO_CONFIG_FIELDS,
    { name: 'addresses', type: { object: ADDRESSES } },
    { name: 'advertise_addr', type: 'string' },
    { name: 'advertise_addr_wan', type: 'string' },
    ...['advertise_addr_ipv4', 'advertise_addr_ipv6', 'advertise_addr_wan_ipv4', 'advertise_addr_wan_ipv6'].map((name) => ({ name, type: 'string' as const })),
    { name: 'advertise_reconnect_timeout', type: 'duration' },
    { name: 'alt_domain', type: 'string' },
    { name: 'auto_reload_config', type: 'bool' },
    { name: 'autopilot', type: { object: AUTOPILOT } },
    { name: 'bind_addr', type: 'string' },
    { name: 'bootstrap', type: 'bool' },
    { name: 'bootstrap_expect', type: 'int' },
    { name: 'http_config', type: { object: HTTP_CONFIG } },
    { name: 'check', type: { object: CHECK_DEFINITION_SPEC } },
    { name: 'checks', type: { array: CHECK_DEFINITION_SPEC } },
    { name: 'check_output_max_size', type: 'int' },
    { name: 'check_update_interval', type: 'duration' },
    { name: 'default_query_time', type: 'duration' },
    { name: 'discard_check_output', type: 'bool' },
    { name: 'discovery_max_stale', type: 'duration' },
    { name: 'max_query_time', type: 'duration' },
    { name: 'session_ttl_min', type: 'duration' },
    { name: 'client_addr', type: 'string' },
    { name: 'connect', type: { object: CONNECT_SPEC } },
    { name: 'consul', type: { object: CONSUL_INTERNAL } },
    { name: 'config_entries', type: { object: CONFIG_ENTRIES_SPEC } },
    { name: 'data_dir', type: 'string' },
    { name: 'datacenter', type: 'string' },
    { name: 'disable_coordinates', type: 'bool' },
    { name: 'disable_host_node_id', type: 'bool' },
    { name: 'disable_http_unprintable_char_filter', type: 'bool' },
    { name: 'disable_keyring_file', type: 'bool' },
    { name: 'disable_remote_exec', type: 'bool' },
    { name: 'dns_config', type: { object: DNS_CONFIG } },
    { name: 'domain', type: 'string' },
    // Consul's enable_central_service_config: proxies and gateways take in proxy-defaults and service-defaults (local/central-config.ts).
    { name: 'enable_central_service_config', type: 'bool' },
    { name: 'enable_local_script_checks', type: 'bool' },
    { name: 'enable_script_checks', type: 'bool' },
    { name: 'encrypt', type: 'string' },
    { name: 'encrypt_verify_incoming', type: 'bool' },
    { name: 'encrypt_verify_outgoing', type: 'bool' },
    { name: 'leave_on_terminate', type: 'bool' },
    { name: 'limits', type: { object: LIMITS } },
    { name: 'gossip_lan', type: { object: GOSSIP_TUNING } },
    { name: 'gossip_wan', type: { object: GOSSIP_TUNING } },
    { name: 'log_file', type: 'string' },
    { name: 'log_json', type: 'bool' },
    { name: 'log_rotate_bytes', type: 'int' },
    { name: 'log_rotate_duration', type: 'duration' },
    { name: 'log_rotate_max_files', type: 'int' },
    { name: 'log_level', type: 'string' },
    { name: 'node_id', type: 'string' },
    { name: 'node_meta', type: 'stringMap' },
    { name: 'node_name', type: 'string' },
    // Consul's performance block: rpc_hold_timeout is read; the Raft timing here is its own.
    { name: 'performance', type: { object: { struct: 'Performance', fields: [{ name: 'rpc_hold_timeout', type: 'duration' }, any('leave_drain_time'), any('raft_multiplier')] } } },
    { name: 'pid_file', type: 'string' },
    { name: 'ports', type: { object: PORTS } },
    { name: 'primary_datacenter', type: 'string' },
    { name: 'raft_snapshot_interval', type: 'duration' },
    { name: 'raft_snapshot_threshold', type: 'int' },
    { name: 'reconnect_timeout', type: 'duration' },
    { name: 'reconnect_timeout_wan', type: 'duration' },
    { name: 'recursors', type: 'strings' },
    { name: 'rejoin_after_leave', type: 'bool' },
    { name: 'tagged_addresses', type: 'stringMap' },
    { name: 'translate_wan_addrs', type: 'bool' },
    { name: 'retry_interval', type: 'duration' },
    { name: 'retry_interval_wan', type: 'duration' },
    { name: 'retry_join', type: 'strings' },
    { name: 'retry_join_wan', type: 'strings' },
    { name: 'retry_max', type: 'int' },
    { name: 'retry_max_wan', type: 'int' },
    { name: 'serf_lan', type: 'string' },
    { name: 'serf_lan_allowed_cidrs', type: 'strings' },
    { name: 'serf_wan', type: 'string' },
    { name: 'serf_wan_allowed_cidrs', type: 'strings' },
    { name: 'server', type: 'bool' },
    { name: 'service', type: { object: SERVICE_SPEC } },
    { name: 'services', type: { array: SERVICE_SPEC } },
    // Consul's watch specifications, checked when the agent starts them (src/watches/).
    { name: 'watches', type: { opaqueArray: '[]map[string]interface {}' } },
    { name: 'skip_leave_on_interrupt', type: 'bool' },
    { name: 'start_join', type: 'strings' },
    { name: 'start_join_wan', type: 'strings' },
    { name: 'sync_coordinate_interval_min', type: 'duration' },
    any('sync_coordinate_rate_target'),
    { name: 'telemetry', type: { object: TELEMETRY } },
    { name: 'ui', type: 'bool' },
    { name: 'ui_config', type: { object: UI_CONFIG } },
    ...IGNORED_TOP_LEVEL.map(any),
  ],
};

/** The `any` fields inside blocks (`telemetry.statsd_address`): accepted so a config loads, not read. */
function ignoredInBlocks(spec: ObjectSpec, prefix: string, seen = new Set<ObjectSpec>()): string[] {
  // A service's connect.sidecar_service is a service again: visit each struct once.
  if (seen.has(spec)) return [];
  seen.add(spec);
  return spec.fields.flatMap((f) => {
    if (f.type === 'any') return prefix ? [`${prefix}${f.name}`] : [];
    return typeof f.type === 'object' && 'object' in f.type ? ignoredInBlocks(f.type.object, `${prefix}${f.name}.`, seen) : [];
  });
}

/** Keys accepted only so Consul config files load (dotted: inside a block); CONFIG.md lists them. */
export const IGNORED_KEYS: readonly string[] = [...IGNORED_TOP_LEVEL, ...ignoredInBlocks(CONFIG_SPEC, '')];
