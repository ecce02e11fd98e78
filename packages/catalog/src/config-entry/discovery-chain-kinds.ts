/**
 * The structs of the service-resolver and service-router kinds as Consul 1.17 OSS declares them
 * (agent/structs/config_entry_discoverychain.go): field order, alias tags and omitempty. Their
 * MarshalJSON methods write the timeouts as Duration.String() ahead of the other fields (the
 * outer struct's fields come before the embedded Alias's), so those fields are listed first.
 */
import { f, o, type StructType } from './schema.js';

/** structs.HTTPHeaderModifiers (a split's and a route destination's). */
export const headerModifiers: StructType = { fields: [o('Add', 'stringMap'), o('Set', 'stringMap'), o('Remove', 'strings')] };

const resolverSubset: StructType = { fields: [o('Filter', 'string'), o('OnlyPassing', 'bool', 'only_passing')] };

const resolverRedirect: StructType = {
  fields: [
    o('Service', 'string'), o('ServiceSubset', 'string', 'service_subset'), o('Namespace', 'string'), o('Partition', 'string'),
    o('Datacenter', 'string'), o('Peer', 'string'), o('SamenessGroup', 'string', 'sameness_group'),
  ],
};

const failoverTarget: StructType = {
  fields: [
    o('Service', 'string'), o('ServiceSubset', 'string', 'service_subset'), o('Partition', 'string'), o('Namespace', 'string'),
    o('Datacenter', 'string'), o('Peer', 'string'),
  ],
};

/** structs.ServiceResolverFailoverPolicy. */
export const FAILOVER_POLICY: StructType = { fields: [o('Mode', 'string'), o('Regions', 'strings')] };

const resolverFailover: StructType = {
  fields: [
    o('Service', 'string'), o('ServiceSubset', 'string', 'service_subset'), o('Namespace', 'string'), o('Datacenters', 'strings'),
    o('Targets', { list: failoverTarget }), o('Policy', { ptr: FAILOVER_POLICY }), o('SamenessGroup', 'string', 'sameness_group'),
  ],
};

const hashPolicy: StructType = {
  fields: [
    o('Field', 'string'), o('FieldValue', 'string', 'field_value'),
    o('CookieConfig', { ptr: { fields: [o('Session', 'bool'), o('TTL', 'duration'), o('Path', 'string')] } }, 'cookie_config'),
    o('SourceIP', 'bool', 'source_ip'), o('Terminal', 'bool'),
  ],
};

/** structs.LoadBalancer. */
export const LOAD_BALANCER: StructType = {
  fields: [
    o('Policy', 'string'),
    o('RingHashConfig', { ptr: { fields: [o('MinimumRingSize', 'int', 'minimum_ring_size'), o('MaximumRingSize', 'int', 'maximum_ring_size')] } }, 'ring_hash_config'),
    o('LeastRequestConfig', { ptr: { fields: [o('ChoiceCount', 'int', 'choice_count')] } }, 'least_request_config'),
    o('HashPolicies', { list: hashPolicy }, 'hash_policies'),
  ],
};

/** structs.ServiceResolverConfigEntry (its MarshalJSON: the two timeouts first, as strings). */
export const SERVICE_RESOLVER: StructType = {
  fields: [
    o('ConnectTimeout', 'goDuration', 'connect_timeout'), o('RequestTimeout', 'goDuration', 'request_timeout'),
    f('Kind', 'string'), f('Name', 'string'), o('DefaultSubset', 'string', 'default_subset'), o('Subsets', { map: resolverSubset }),
    o('Redirect', { ptr: resolverRedirect }), o('Failover', { map: resolverFailover }),
    o('PrioritizeByLocality', { ptr: { fields: [o('Mode', 'string')] } }, 'prioritize_by_locality'),
    o('LoadBalancer', { ptr: LOAD_BALANCER }, 'load_balancer'), o('Meta', 'stringMap'),
  ],
};

const matchHeader: StructType = {
  fields: [f('Name', 'string'), o('Present', 'bool'), o('Exact', 'string'), o('Prefix', 'string'), o('Suffix', 'string'), o('Regex', 'string'), o('Invert', 'bool')],
};
const matchQueryParam: StructType = { fields: [f('Name', 'string'), o('Present', 'bool'), o('Exact', 'string'), o('Regex', 'string')] };

/** structs.ServiceRouteHTTPMatch. */
export const ROUTE_HTTP_MATCH: StructType = {
  fields: [
    o('PathExact', 'string', 'path_exact'), o('PathPrefix', 'string', 'path_prefix'), o('PathRegex', 'string', 'path_regex'),
    o('Header', { list: matchHeader }), o('QueryParam', { list: matchQueryParam }, 'query_param'), o('Methods', 'strings'),
  ],
};

/** structs.ServiceRouteDestination (its MarshalJSON: the two timeouts first, as strings). */
export const ROUTE_DESTINATION: StructType = {
  fields: [
    o('RequestTimeout', 'goDuration', 'request_timeout'), o('IdleTimeout', 'goDuration', 'idle_timeout'),
    o('Service', 'string'), o('ServiceSubset', 'string', 'service_subset'), o('Namespace', 'string'), o('Partition', 'string'),
    o('PrefixRewrite', 'string', 'prefix_rewrite'), o('NumRetries', 'int', 'num_retries'),
    o('RetryOnConnectFailure', 'bool', 'retry_on_connect_failure'), o('RetryOn', 'strings', 'retry_on'),
    o('RetryOnStatusCodes', { list: 'int' }, 'retry_on_status_codes'),
    o('RequestHeaders', { ptr: headerModifiers }, 'request_headers'), o('ResponseHeaders', { ptr: headerModifiers }, 'response_headers'),
  ],
};

/** structs.ServiceRoute. */
export const SERVICE_ROUTE: StructType = {
  fields: [o('Match', { ptr: { fields: [o('HTTP', { ptr: ROUTE_HTTP_MATCH })] } }), o('Destination', { ptr: ROUTE_DESTINATION })],
};

/** structs.ServiceRouterConfigEntry. */
export const SERVICE_ROUTER: StructType = {
  fields: [f('Kind', 'string'), f('Name', 'string'), f('Routes', { list: SERVICE_ROUTE }), o('Meta', 'stringMap')],
};
