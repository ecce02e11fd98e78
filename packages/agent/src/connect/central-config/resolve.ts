/**
 * What the servers answer to ConfigEntry.ResolveServiceConfig: the central defaults that apply
 * to one proxy or gateway, computed from proxy-defaults/global and the service-defaults of the
 * service (and of its upstreams). Follows Consul's agent/configentry/resolve.go
 * (ComputeResolvedServiceConfig) and structs.UpstreamConfig.MergeInto (config_entry.go).
 * Pure: entries come from `lookup`.
 */
import type { ConfigEntry } from '@proconsul/catalog';

type Obj = Record<string, unknown>;

/** structs.ServiceConfigRequest, as far as an agent fills it (agent/service_manager.go makeConfigRequest). */
export interface ServiceConfigRequest {
  /** The service whose service-defaults apply: a sidecar's destination, else the service itself. */
  Name: string;
  /** Names of the service upstreams the registration declares. */
  Upstreams: string[];
  /** The registration's own Proxy.MeshGateway.Mode and Proxy.Mode. */
  MeshGatewayMode: string;
  Mode: string;
}

/** structs.OpaqueUpstreamConfig: the resolved opaque config of one upstream (`*` for the wildcard). */
export interface UpstreamConfigResult {
  Upstream: string;
  Config: Obj;
}

/** structs.ServiceConfigResponse (the fields a registration takes in). */
export interface ServiceConfigResponse {
  ProxyConfig?: Obj;
  UpstreamConfigs?: UpstreamConfigResult[];
  MeshGateway: { Mode: string };
  Expose: { Checks?: boolean; Paths?: Obj[] };
  TransparentProxy: { OutboundListenerPort?: number; DialedDirectly?: boolean };
  Mode: string;
  Destination?: Obj;
  AccessLogs?: Obj;
  EnvoyExtensions?: Obj[];
  Meta?: Record<string, string>;
}

/** structs.WildcardSpecifier: the upstream defaults that apply to every upstream. */
export const WILDCARD_UPSTREAM = '*';

export type EntryLookup = (kind: 'proxy-defaults' | 'service-defaults', name: string) => ConfigEntry | null;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

/** structs.UpstreamConfig.MergeInto: only the fields set, under their snake_case keys. */
function mergeUpstreamInto(cfg: Obj, dst: Obj): void {
  if (str(cfg['EnvoyListenerJSON'])) dst['envoy_listener_json'] = cfg['EnvoyListenerJSON'];
  if (str(cfg['EnvoyClusterJSON'])) dst['envoy_cluster_json'] = cfg['EnvoyClusterJSON'];
  if (str(cfg['Protocol'])) dst['protocol'] = cfg['Protocol'];
  if (num(cfg['ConnectTimeoutMs']) !== 0) dst['connect_timeout_ms'] = cfg['ConnectTimeoutMs'];
  const mgw = str(obj(cfg['MeshGateway'])?.['Mode']);
  if (mgw) dst['mesh_gateway'] = { Mode: mgw };
  if (obj(cfg['Limits'])) dst['limits'] = structuredClone(cfg['Limits']);
  if (obj(cfg['PassiveHealthCheck'])) dst['passive_health_check'] = structuredClone(cfg['PassiveHealthCheck']);
  if (str(cfg['BalanceOutboundConnections'])) dst['balance_outbound_connections'] = cfg['BalanceOutboundConnections'];
}

export function resolveServiceConfig(req: ServiceConfigRequest, lookup: EntryLookup): ServiceConfigResponse {
  const reply: ServiceConfigResponse = { MeshGateway: { Mode: '' }, Expose: {}, TransparentProxy: {}, Mode: '' };
  const wildcardDefaults: Obj = {};
  const resolved = new Map<string, Obj>();

  const proxy = lookup('proxy-defaults', 'global');
  if (proxy) {
    reply.ProxyConfig = structuredClone(obj(proxy['Config']) ?? {});
    reply.Mode = str(proxy['Mode']);
    reply.TransparentProxy = structuredClone(obj(proxy['TransparentProxy']) ?? {});
    reply.MeshGateway = { Mode: str(obj(proxy['MeshGateway'])?.['Mode']) };
    reply.Expose = structuredClone(obj(proxy['Expose']) ?? {});
    if (Array.isArray(proxy['EnvoyExtensions'])) reply.EnvoyExtensions = structuredClone(proxy['EnvoyExtensions'] as Obj[]);
    if (obj(proxy['AccessLogs'])) reply.AccessLogs = structuredClone(proxy['AccessLogs'] as Obj);
    // Only MeshGateway and protocol reach upstreams; the explicit MeshGateway beats one in Config.
    if ('mesh_gateway' in reply.ProxyConfig) wildcardDefaults['mesh_gateway'] = reply.ProxyConfig['mesh_gateway'];
    if (reply.MeshGateway.Mode) wildcardDefaults['mesh_gateway'] = { Mode: reply.MeshGateway.Mode };
    if ('protocol' in reply.ProxyConfig) wildcardDefaults['protocol'] = reply.ProxyConfig['protocol'];
  }

  const service = lookup('service-defaults', req.Name);
  if (service) {
    const expose = obj(service['Expose']);
    if (expose?.['Checks'] === true) reply.Expose.Checks = true;
    if (Array.isArray(expose?.['Paths']) && (expose['Paths'] as unknown[]).length >= 1) reply.Expose.Paths = structuredClone(expose['Paths'] as Obj[]);
    const mgw = str(obj(service['MeshGateway'])?.['Mode']);
    if (mgw) {
      reply.MeshGateway.Mode = mgw;
      wildcardDefaults['mesh_gateway'] = { Mode: mgw };
    }
    const tproxy = obj(service['TransparentProxy']);
    if (num(tproxy?.['OutboundListenerPort']) !== 0) reply.TransparentProxy.OutboundListenerPort = num(tproxy!['OutboundListenerPort']);
    if (tproxy?.['DialedDirectly'] === true) reply.TransparentProxy.DialedDirectly = true;
    if (str(service['Mode'])) reply.Mode = str(service['Mode']);
    if (obj(service['Destination'])) reply.Destination = structuredClone(service['Destination'] as Obj);

    const proxyConf = reply.ProxyConfig ?? {};
    if (str(service['Protocol'])) proxyConf['protocol'] = service['Protocol'];
    if (str(service['BalanceInboundConnections'])) proxyConf['balance_inbound_connections'] = service['BalanceInboundConnections'];
    if (num(service['MaxInboundConnections']) > 0) proxyConf['max_inbound_connections'] = service['MaxInboundConnections'];
    if (num(service['LocalConnectTimeoutMs']) > 0) proxyConf['local_connect_timeout_ms'] = service['LocalConnectTimeoutMs'];
    if (num(service['LocalRequestTimeoutMs']) > 0) proxyConf['local_request_timeout_ms'] = service['LocalRequestTimeoutMs'];
    if (Object.keys(proxyConf).length > 0) reply.ProxyConfig = proxyConf;
    if (obj(service['Meta'])) reply.Meta = { ...(service['Meta'] as Record<string, string>) };
    // Service-defaults extensions come after proxy-defaults' ones.
    if (Array.isArray(service['EnvoyExtensions'])) reply.EnvoyExtensions = [...(reply.EnvoyExtensions ?? []), ...structuredClone(service['EnvoyExtensions'] as Obj[])];
  }

  const tproxy = req.Mode === 'transparent' || reply.Mode === 'transparent';
  // Without upstreams a proxy outside transparent mode gets no upstream configs.
  if (req.Upstreams.length === 0 && !tproxy) return reply;

  const seen = new Set<string>(req.Upstreams);
  const upstreamConfig = obj(service?.['UpstreamConfig']);
  const overrides = new Map<string, Obj>();
  let upstreamDefaults: Obj | undefined;
  if (upstreamConfig) {
    for (const o of Array.isArray(upstreamConfig['Overrides']) ? (upstreamConfig['Overrides'] as Obj[]) : []) {
      const name = str(o['Name']);
      if (!name) continue; // Consul skips (and logs) an override without a name
      seen.add(name);
      overrides.set(name, o);
    }
    const defaults = obj(upstreamConfig['Defaults']);
    if (defaults) {
      upstreamDefaults = structuredClone(defaults);
      if (!str(obj(upstreamDefaults['MeshGateway'])?.['Mode'])) upstreamDefaults['MeshGateway'] = { Mode: reply.MeshGateway.Mode };
      mergeUpstreamInto(upstreamDefaults, wildcardDefaults);
      resolved.set(WILDCARD_UPSTREAM, wildcardDefaults);
    }
  }
  if (req.MeshGatewayMode) wildcardDefaults['mesh_gateway'] = { Mode: req.MeshGatewayMode };
  if (Object.keys(wildcardDefaults).length > 0) resolved.set(WILDCARD_UPSTREAM, wildcardDefaults);

  for (const upstream of seen) {
    // Protocol: proxy-defaults, then the upstream's own service-defaults, then this service's
    // upstream defaults and overrides. Mesh gateway: proxy/service defaults, upstream defaults,
    // the registration's own mode, then the override.
    const cfg: Obj = structuredClone(wildcardDefaults);
    const protocol = str(lookup('service-defaults', upstream)?.['Protocol']);
    if (protocol) cfg['protocol'] = protocol;
    if (reply.MeshGateway.Mode) cfg['mesh_gateway'] = { Mode: reply.MeshGateway.Mode };
    if (upstreamDefaults) mergeUpstreamInto(upstreamDefaults, cfg);
    if (req.MeshGatewayMode) cfg['mesh_gateway'] = { Mode: req.MeshGatewayMode };
    const override = overrides.get(upstream);
    if (override) mergeUpstreamInto(override, cfg);
    if (Object.keys(cfg).length > 0) resolved.set(upstream, cfg);
  }

  if (resolved.size > 0) reply.UpstreamConfigs = [...resolved].map(([Upstream, Config]) => ({ Upstream, Config }));
  return reply;
}
