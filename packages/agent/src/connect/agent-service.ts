/**
 * A local service as /v1/agent/services and /v1/agent/service/:id show it: Consul's
 * api.AgentService, whose Proxy is api.AgentServiceConnectProxyConfig (api/agent.go): every
 * field omitted when empty except MeshGateway and Expose, upstreams as api.Upstream.
 * LocallyRegisteredAsSidecar stays inside the agent (`json:"-"` in Consul).
 */
import type { ConnectProxyConfig, Upstream } from '../config/proxy-spec.js';
import type { AgentService } from '../local/types.js';

type Obj = Record<string, unknown>;

function setOnly(v: Obj | undefined, keys: readonly string[]): Obj {
  const out: Obj = {};
  if (!v) return out;
  for (const k of keys) {
    const x = v[k];
    if (x === undefined || x === null || x === '' || x === 0 || x === false) continue;
    if (Array.isArray(x) && x.length === 0) continue;
    if (typeof x === 'object' && !Array.isArray(x) && Object.keys(x as Obj).length === 0) continue;
    out[k] = x;
  }
  return out;
}

const UPSTREAM_KEYS = [
  'DestinationType',
  'DestinationPartition',
  'DestinationNamespace',
  'DestinationPeer',
  'DestinationName',
  'Datacenter',
  'LocalBindAddress',
  'LocalBindPort',
  'LocalBindSocketPath',
  'LocalBindSocketMode',
  'Config',
] as const;

function apiUpstream(u: Upstream): Obj {
  const out = setOnly(u as Obj, UPSTREAM_KEYS);
  // DestinationName has no omitempty in api.Upstream.
  if (!('DestinationName' in out)) out['DestinationName'] = '';
  const ordered: Obj = {};
  for (const k of UPSTREAM_KEYS) if (k in out) ordered[k] = out[k];
  ordered['MeshGateway'] = setOnly(u.MeshGateway as Obj | undefined, ['Mode']);
  if (u.CentrallyConfigured) ordered['CentrallyConfigured'] = true;
  return ordered;
}

/** api.AgentServiceConnectProxyConfig of a stored Proxy. */
export function toApiProxy(p: ConnectProxyConfig): Obj {
  const out: Obj = setOnly(p as Obj, [
    'EnvoyExtensions',
    'DestinationServiceName',
    'DestinationServiceID',
    'LocalServiceAddress',
    'LocalServicePort',
    'LocalServiceSocketPath',
    'Mode',
  ]);
  const tproxy = setOnly(p.TransparentProxy as Obj | undefined, ['OutboundListenerPort', 'DialedDirectly']);
  if (Object.keys(tproxy).length > 0) out['TransparentProxy'] = tproxy;
  if (p.Config && Object.keys(p.Config).length > 0) out['Config'] = p.Config;
  if (p.Upstreams && p.Upstreams.length > 0) out['Upstreams'] = p.Upstreams.map(apiUpstream);
  out['MeshGateway'] = setOnly(p.MeshGateway as Obj | undefined, ['Mode']);
  const expose: Obj = {};
  if (p.Expose?.Checks) expose['Checks'] = true;
  if (p.Expose?.Paths && p.Expose.Paths.length > 0) expose['Paths'] = p.Expose.Paths.map((x) => setOnly(x as Obj, ['ListenerPort', 'Path', 'LocalPathPort', 'Protocol', 'ParsedFromCheck']));
  out['Expose'] = expose;
  const logs = setOnly(p.AccessLogs, ['Enabled', 'DisableListenerLogs', 'Type', 'Path', 'JSONFormat', 'TextFormat']);
  if (Object.keys(logs).length > 0) out['AccessLogs'] = logs;
  return out;
}

/** api.AgentService of a local service in `datacenter` (Proxy only for proxies and gateways, Connect only when Native). */
export function toApiAgentService(s: AgentService, datacenter: string): Obj {
  const { Proxy, Connect, LocallyRegisteredAsSidecar: _internal, ...rest } = s;
  const out: Obj = { ...rest };
  if (Proxy && s.Kind) out['Proxy'] = toApiProxy(Proxy);
  if (Connect?.Native) out['Connect'] = { Native: true };
  out['Datacenter'] = datacenter;
  return out;
}
