/**
 * The structs of the gateway config entry kinds, as Consul 1.17 OSS declares them
 * (agent/structs/config_entry_gateways.go): IngressGatewayConfigEntry and
 * TerminatingGatewayConfigEntry, with field order, alias tags and omitempty.
 */
import { headerModifiers } from './discovery-chain-kinds.js';
import { f, o, type StructType } from './schema.js';

/** structs.PassiveHealthCheck (its pointer fields are omitempty). */
const passiveHealthCheck: StructType = {
  fields: [
    f('Interval', 'duration'), f('MaxFailures', 'int', { alias: 'max_failures' }), o('EnforcingConsecutive5xx', 'int', 'enforcing_consecutive_5xx'),
    o('MaxEjectionPercent', 'int', 'max_ejection_percent'), o('BaseEjectionTime', 'duration', 'base_ejection_time'),
  ],
};
const sds: StructType = { fields: [o('ClusterName', 'string', 'cluster_name'), o('CertResource', 'string', 'cert_resource')] };

/** structs.GatewayTLSConfig. */
const gatewayTls: StructType = {
  fields: [
    f('Enabled', 'bool'), o('SDS', { ptr: sds }), o('TLSMinVersion', 'string', 'tls_min_version'), o('TLSMaxVersion', 'string', 'tls_max_version'),
    o('CipherSuites', 'strings', 'cipher_suites'),
  ],
};

/** structs.IngressService. */
const ingressService: StructType = {
  fields: [
    f('Name', 'string'), f('Hosts', 'strings'), o('TLS', { ptr: { fields: [o('SDS', { ptr: sds })] } }),
    o('RequestHeaders', { ptr: headerModifiers }, 'request_headers'), o('ResponseHeaders', { ptr: headerModifiers }, 'response_headers'),
    o('MaxConnections', 'int', 'max_connections'), o('MaxPendingRequests', 'int', 'max_pending_requests'),
    o('MaxConcurrentRequests', 'int', 'max_concurrent_requests'), o('PassiveHealthCheck', { ptr: passiveHealthCheck }, 'passive_health_check'),
    o('Meta', 'stringMap'),
  ],
};

/** structs.IngressGatewayConfigEntry: TLS is not a pointer, so it is always served. */
export const INGRESS_GATEWAY: StructType = {
  fields: [
    f('Kind', 'string'), f('Name', 'string'), f('TLS', gatewayTls),
    f('Listeners', { list: { fields: [f('Port', 'int'), f('Protocol', 'string'), o('TLS', { ptr: gatewayTls }), f('Services', { list: ingressService })] } }),
    o('Defaults', {
      ptr: {
        fields: [
          f('MaxConnections', 'int'), f('MaxPendingRequests', 'int'), f('MaxConcurrentRequests', 'int'),
          o('PassiveHealthCheck', { ptr: passiveHealthCheck }, 'passive_health_check'),
        ],
      },
    }),
    o('Meta', 'stringMap'),
  ],
};

/** structs.LinkedService. */
const linkedService: StructType = {
  fields: [o('Name', 'string'), o('CAFile', 'string', 'ca_file'), o('CertFile', 'string', 'cert_file'), o('KeyFile', 'string', 'key_file'), o('SNI', 'string')],
};

/** structs.TerminatingGatewayConfigEntry. */
export const TERMINATING_GATEWAY: StructType = {
  fields: [f('Kind', 'string'), f('Name', 'string'), f('Services', { list: linkedService }), o('Meta', 'stringMap')],
};
