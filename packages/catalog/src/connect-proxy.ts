/**
 * A service's `Proxy` as the catalog's JSON shows it: Consul's structs.ConnectProxyConfig
 * (agent/structs/connect_proxy_config.go), with its MarshalJSON (TransparentProxy and
 * AccessLogs first and only when set), its omitempty fields, and MeshGateway/Expose always
 * present. Upstreams in structs.Upstream's shape (DestinationType, DestinationName and
 * Datacenter always there). The stored value is kept as given; only the output is shaped.
 */
import type { ServiceProxy } from './types.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** Puts `key` in `out` unless the value is Go's zero value (json `omitempty`). */
function omitEmpty(out: Obj, key: string, value: unknown): void {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return;
  if (Array.isArray(value) && value.length === 0) return;
  if (isObj(value) && Object.keys(value).length === 0) return;
  out[key] = value;
}

function meshGateway(v: unknown): Obj {
  const out: Obj = {};
  if (isObj(v)) omitEmpty(out, 'Mode', str(v['Mode']));
  return out;
}

function expose(v: unknown): Obj {
  const out: Obj = {};
  if (!isObj(v)) return out;
  omitEmpty(out, 'Checks', v['Checks'] === true);
  if (Array.isArray(v['Paths']) && v['Paths'].length > 0) {
    out['Paths'] = v['Paths'].filter(isObj).map((p) => {
      const path: Obj = {};
      omitEmpty(path, 'ListenerPort', num(p['ListenerPort']));
      omitEmpty(path, 'Path', str(p['Path']));
      omitEmpty(path, 'LocalPathPort', num(p['LocalPathPort']));
      omitEmpty(path, 'Protocol', str(p['Protocol']));
      omitEmpty(path, 'ParsedFromCheck', p['ParsedFromCheck'] === true);
      return path;
    });
  }
  return out;
}

/** Only the keys that are set, in the struct's order (TransparentProxyConfig, AccessLogsConfig). */
function setFields(v: unknown, keys: readonly string[]): Obj | undefined {
  if (!isObj(v)) return undefined;
  const out: Obj = {};
  for (const k of keys) omitEmpty(out, k, v[k]);
  return Object.keys(out).length > 0 ? out : undefined;
}

export const TRANSPARENT_PROXY_KEYS = ['OutboundListenerPort', 'DialedDirectly'] as const;
export const ACCESS_LOGS_KEYS = ['Enabled', 'DisableListenerLogs', 'Type', 'Path', 'JSONFormat', 'TextFormat'] as const;

function upstream(u: Obj): Obj {
  const out: Obj = { DestinationType: str(u['DestinationType']) };
  omitEmpty(out, 'DestinationNamespace', str(u['DestinationNamespace']));
  omitEmpty(out, 'DestinationPartition', str(u['DestinationPartition']));
  omitEmpty(out, 'DestinationPeer', str(u['DestinationPeer']));
  out['DestinationName'] = str(u['DestinationName']);
  out['Datacenter'] = str(u['Datacenter']);
  omitEmpty(out, 'LocalBindAddress', str(u['LocalBindAddress']));
  omitEmpty(out, 'LocalBindPort', num(u['LocalBindPort']));
  omitEmpty(out, 'LocalBindSocketPath', str(u['LocalBindSocketPath']));
  omitEmpty(out, 'LocalBindSocketMode', str(u['LocalBindSocketMode']));
  omitEmpty(out, 'Config', isObj(u['Config']) ? u['Config'] : undefined);
  out['MeshGateway'] = meshGateway(u['MeshGateway']);
  omitEmpty(out, 'CentrallyConfigured', u['CentrallyConfigured'] === true);
  return out;
}

/** structs.ConnectProxyConfig JSON of a stored Proxy (`{Mode:"",MeshGateway:{},Expose:{}}` when none). */
export function toStructsProxy(p: ServiceProxy | null): ServiceProxy {
  const v: Obj = p ?? {};
  const out: Obj = {};
  const tproxy = setFields(v['TransparentProxy'], TRANSPARENT_PROXY_KEYS);
  if (tproxy) out['TransparentProxy'] = tproxy;
  const logs = setFields(v['AccessLogs'], ACCESS_LOGS_KEYS);
  if (logs) out['AccessLogs'] = logs;
  omitEmpty(out, 'EnvoyExtensions', Array.isArray(v['EnvoyExtensions']) ? v['EnvoyExtensions'] : undefined);
  omitEmpty(out, 'DestinationServiceName', str(v['DestinationServiceName']));
  omitEmpty(out, 'DestinationServiceID', str(v['DestinationServiceID']));
  omitEmpty(out, 'LocalServiceAddress', str(v['LocalServiceAddress']));
  omitEmpty(out, 'LocalServicePort', num(v['LocalServicePort']));
  omitEmpty(out, 'LocalServiceSocketPath', str(v['LocalServiceSocketPath']));
  out['Mode'] = str(v['Mode']);
  omitEmpty(out, 'Config', isObj(v['Config']) ? structuredClone(v['Config']) : undefined);
  if (Array.isArray(v['Upstreams']) && v['Upstreams'].length > 0) out['Upstreams'] = v['Upstreams'].filter(isObj).map(upstream);
  out['MeshGateway'] = meshGateway(v['MeshGateway']);
  out['Expose'] = expose(v['Expose']);
  return out as ServiceProxy;
}
