/**
 * The structs of the config entry kinds served here, as Consul 1.17 OSS declares them
 * (agent/structs/config_entry.go, config_entry_intentions.go, config_entry_mesh.go; the gateway,
 * route, certificate and jwt-provider kinds in their own files): field
 * order, alias tags and omitempty. Enterprise fields (Namespace, Partition) are not fields of
 * the OSS structs, so a body naming them is refused as Consul's CE refuses it.
 */
import { headerModifiers, SERVICE_RESOLVER, SERVICE_ROUTER } from './discovery-chain-kinds.js';
import { INGRESS_GATEWAY, TERMINATING_GATEWAY } from './gateway-kinds.js';
import { f, o, type StructType } from './schema.js';
import { EXPORTED_SERVICES } from './exported-services.js';
import { API_GATEWAY } from './api-gateway.js';
import { HTTP_ROUTE, TCP_ROUTE } from './routes.js';
import { INLINE_CERTIFICATE } from './inline-certificate.js';
import { JWT_PROVIDER } from './jwt-provider.js';

/** Every kind Consul 1.17 knows (structs.MakeConfigEntry). */
export const ALL_CONFIG_ENTRY_KINDS = [
  'service-defaults', 'proxy-defaults', 'service-router', 'service-splitter', 'service-resolver', 'ingress-gateway',
  'terminating-gateway', 'service-intentions', 'mesh', 'exported-services', 'api-gateway', 'http-route', 'tcp-route',
  'inline-certificate', 'bound-api-gateway', 'sameness-group', 'jwt-provider',
] as const;

const transparentProxy: StructType = { fields: [o('OutboundListenerPort', 'int', 'outbound_listener_port'), o('DialedDirectly', 'bool', 'dialed_directly')] };
const meshGateway: StructType = { fields: [o('Mode', 'string')] };
const exposePath: StructType = {
  fields: [o('ListenerPort', 'int', 'listener_port'), o('Path', 'string'), o('LocalPathPort', 'int', 'local_path_port'), o('Protocol', 'string'), o('ParsedFromCheck', 'bool')],
};
const expose: StructType = { fields: [o('Checks', 'bool'), o('Paths', { list: exposePath })] };
const upstreamLimits: StructType = {
  fields: [o('MaxConnections', 'int', 'max_connections'), o('MaxPendingRequests', 'int', 'max_pending_requests'), o('MaxConcurrentRequests', 'int', 'max_concurrent_requests')],
};
const passiveHealthCheck: StructType = {
  fields: [o('Interval', 'duration'), o('MaxFailures', 'int', 'max_failures'), o('EnforcingConsecutive5xx', 'int', 'enforcing_consecutive_5xx')],
};
const upstreamConfig: StructType = {
  fields: [
    o('Name', 'string'), o('Peer', 'string'), o('EnvoyListenerJSON', 'string', 'envoy_listener_json'), o('EnvoyClusterJSON', 'string', 'envoy_cluster_json'),
    o('Protocol', 'string'), o('ConnectTimeoutMs', 'int', 'connect_timeout_ms'), o('Limits', { ptr: upstreamLimits }),
    o('PassiveHealthCheck', { ptr: passiveHealthCheck }, 'passive_health_check'), o('MeshGateway', meshGateway, 'mesh_gateway'),
    o('BalanceOutboundConnections', 'string', 'balance_outbound_connections'),
  ],
};

/** structs.ServiceConfigEntry. */
export const SERVICE_DEFAULTS: StructType = {
  fields: [
    f('Kind', 'string'), f('Name', 'string'), f('Protocol', 'string'), o('Mode', 'string'), o('TransparentProxy', transparentProxy, 'transparent_proxy'),
    o('MutualTLSMode', 'string', 'mutual_tls_mode'), o('MeshGateway', meshGateway, 'mesh_gateway'), o('Expose', expose), o('ExternalSNI', 'string', 'external_sni'),
    o('UpstreamConfig', { ptr: { fields: [o('Overrides', { list: { ptr: upstreamConfig } }), o('Defaults', { ptr: upstreamConfig })] } }, 'upstream_config'),
    o('Destination', { ptr: { fields: [o('Addresses', 'strings'), o('Port', 'int')] } }),
    o('MaxInboundConnections', 'int', 'max_inbound_connections'), o('LocalConnectTimeoutMs', 'int', 'local_connect_timeout_ms'),
    o('LocalRequestTimeoutMs', 'int', 'local_request_timeout_ms'), o('BalanceInboundConnections', 'string', 'balance_inbound_connections'),
    o('RateLimits', 'any', 'rate_limits'), o('EnvoyExtensions', { list: 'any' }, 'envoy_extensions'), o('Meta', 'stringMap'),
  ],
};

const accessLogs: StructType = {
  fields: [
    o('Enabled', 'bool'), o('DisableListenerLogs', 'bool', 'disable_listener_logs'), o('Type', 'string'), o('Path', 'string'),
    o('JSONFormat', 'string', 'json_format'), o('TextFormat', 'string', 'text_format'),
  ],
};

/** structs.ProxyConfigEntry (its Protocol is `json:"-"`, computed from Config). */
export const PROXY_DEFAULTS: StructType = {
  fields: [
    f('Kind', 'string'), f('Name', 'string'), f('Config', 'anyMap'), o('Mode', 'string'), o('TransparentProxy', transparentProxy, 'transparent_proxy'),
    o('MutualTLSMode', 'string', 'mutual_tls_mode'), o('MeshGateway', meshGateway, 'mesh_gateway'), o('Expose', expose), o('AccessLogs', accessLogs, 'access_logs'),
    o('EnvoyExtensions', { list: 'any' }, 'envoy_extensions'), o('FailoverPolicy', 'any', 'failover_policy'), o('PrioritizeByLocality', 'any', 'prioritize_by_locality'),
    o('Meta', 'stringMap'),
  ],
};

const meshDirectionalTls: StructType = {
  fields: [o('TLSMinVersion', 'string', 'tls_min_version'), o('TLSMaxVersion', 'string', 'tls_max_version'), o('CipherSuites', 'strings', 'cipher_suites')],
};

/** structs.MeshConfigEntry: no Kind or Name fields (its MarshalJSON adds Kind). */
export const MESH: StructType = {
  fields: [
    f('TransparentProxy', { fields: [f('MeshDestinationsOnly', 'bool', { alias: 'mesh_destinations_only' })] }, { alias: 'transparent_proxy' }),
    o('AllowEnablingPermissiveMutualTLS', 'bool', 'allow_enabling_permissive_mutual_tls'),
    o('TLS', { ptr: { fields: [o('Incoming', { ptr: meshDirectionalTls }), o('Outgoing', { ptr: meshDirectionalTls })] } }),
    o('HTTP', { ptr: { fields: [f('SanitizeXForwardedClientCert', 'bool', { alias: 'sanitize_x_forwarded_client_cert' })] } }),
    o('Peering', { ptr: { fields: [f('PeerThroughMeshGateways', 'bool', { alias: 'peer_through_mesh_gateways' })] } }),
    o('Meta', 'stringMap'),
  ],
};

const jwtRequirement: StructType = {
  fields: [o('Providers', { list: { ptr: { fields: [o('Name', 'string'), o('VerifyClaims', { list: { ptr: { fields: [o('Path', 'strings'), o('Value', 'string')] } } }, 'verify_claims')] } } })],
};
const headerPermission: StructType = {
  fields: [f('Name', 'string'), o('Present', 'bool'), o('Exact', 'string'), o('Prefix', 'string'), o('Suffix', 'string'), o('Regex', 'string'), o('Invert', 'bool')],
};
const httpPermission: StructType = {
  fields: [o('PathExact', 'string', 'path_exact'), o('PathPrefix', 'string', 'path_prefix'), o('PathRegex', 'string', 'path_regex'), o('Header', { list: headerPermission }), o('Methods', 'strings')],
};
const sourceIntention: StructType = {
  fields: [
    f('Name', 'string'), o('Action', 'string'),
    o('Permissions', { list: { ptr: { fields: [f('Action', 'string'), o('HTTP', { ptr: httpPermission }), o('JWT', { ptr: jwtRequirement })] } } }),
    f('Precedence', 'int'), o('LegacyID', 'string', 'legacy_id'), f('Type', 'string'), o('Description', 'string'),
    o('LegacyMeta', 'stringMap', 'legacy_meta'), o('LegacyCreateTime', 'time', 'legacy_create_time'), o('LegacyUpdateTime', 'time', 'legacy_update_time'),
    o('Peer', 'string'), o('SamenessGroup', 'string', 'sameness_group'),
  ],
};

/** structs.ServiceIntentionsConfigEntry. */
export const SERVICE_INTENTIONS: StructType = {
  fields: [f('Kind', 'string'), f('Name', 'string'), f('Sources', { list: { ptr: sourceIntention } }), o('JWT', { ptr: jwtRequirement }), o('Meta', 'stringMap')],
};

/** structs.ServiceSplitterConfigEntry. */
export const SERVICE_SPLITTER: StructType = {
  fields: [
    f('Kind', 'string'), f('Name', 'string'),
    f('Splits', {
      list: {
        fields: [
          f('Weight', 'float32'), o('Service', 'string'), o('ServiceSubset', 'string', 'service_subset'), o('Namespace', 'string'), o('Partition', 'string'),
          o('RequestHeaders', { ptr: headerModifiers }, 'request_headers'), o('ResponseHeaders', { ptr: headerModifiers }, 'response_headers'),
        ],
      },
    }),
    o('Meta', 'stringMap'),
  ],
};

/**
 * structs.SamenessGroupConfigEntry (config_entry_sameness_group.go). Decoded so a body is
 * checked as Consul checks it, then refused: its CE Validate always fails
 * (config_entry_sameness_group_ce.go).
 */
export const SAMENESS_GROUP: StructType = {
  fields: [
    f('Name', 'string'), o('DefaultForFailover', 'bool', 'default_for_failover'), o('IncludeLocal', 'bool', 'include_local'),
    f('Members', { list: { fields: [o('Partition', 'string'), o('Peer', 'string')] } }), o('Meta', 'stringMap'),
  ],
};

/** The kinds this agent decodes, with their structs (all stored but sameness-group, which CE refuses). */
export const SUPPORTED_KINDS: Readonly<Record<string, StructType>> = {
  'service-defaults': SERVICE_DEFAULTS,
  'proxy-defaults': PROXY_DEFAULTS,
  'service-intentions': SERVICE_INTENTIONS,
  mesh: MESH,
  'service-splitter': SERVICE_SPLITTER,
  'ingress-gateway': INGRESS_GATEWAY,
  'terminating-gateway': TERMINATING_GATEWAY,
  'service-resolver': SERVICE_RESOLVER,
  'service-router': SERVICE_ROUTER,
  'exported-services': EXPORTED_SERVICES,
  'api-gateway': API_GATEWAY,
  'http-route': HTTP_ROUTE,
  'tcp-route': TCP_ROUTE,
  'inline-certificate': INLINE_CERTIFICATE,
  'jwt-provider': JWT_PROVIDER,
  'sameness-group': SAMENESS_GROUP,
};
