/**
 * A proxy's or gateway's registration merged with its resolved central defaults: what the agent
 * keeps, shows and syncs. Follows Consul's agent/configentry/merge_service_config.go
 * (MergeServiceConfig): the registration's own values win; a value it leaves empty is taken from
 * the defaults (mergo.Merge semantics: a key set to an empty value counts as unset, and nested
 * maps are merged key by key).
 */
import type { ConnectProxyConfig, Upstream } from '../../config/proxy-spec.js';
import type { AgentService } from '../../local/types.js';
import type { ServiceConfigResponse } from './resolve.js';

type Obj = Record<string, unknown>;

/** reflect's zero value, as mergo's isEmptyValue sees it. */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as Obj).length === 0;
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deeper than any config a registration decodes to; mergo itself has no limit. */
const MERGE_DEPTH_MAX = 64;

/**
 * mergo.Merge of maps (imdario/mergo deepMerge, reflect.Map): keys missing (or empty) in `dst`
 * come from `src`; where both hold a map, the two are merged the same way, key by key, at every
 * level (so `envoy_x { a }` and a default `envoy_x { b }` give `{ a, b }`). Lists and other
 * values are never merged: the registration's stands.
 */
function mergeMap(dst: Obj | undefined, src: Obj | undefined, depth = 0): Obj | undefined {
  if (!src || Object.keys(src).length === 0) return dst;
  const out: Obj = { ...(dst ?? {}) };
  for (const [k, v] of Object.entries(src)) {
    const mine = out[k];
    if (isEmpty(mine)) out[k] = structuredClone(v);
    else if (isObject(mine) && isObject(v) && depth < MERGE_DEPTH_MAX) out[k] = mergeMap(mine, v, depth + 1);
  }
  return out;
}

/** mergo.Merge of structs: each field the registration leaves empty comes from the defaults. */
function mergeStruct<T extends Obj>(dst: T | undefined, src: T | undefined): T | undefined {
  return mergeMap(dst, src) as T | undefined;
}

export function mergeServiceConfig(defaults: ServiceConfigResponse | undefined, service: AgentService): AgentService {
  if (!defaults) return service;
  const ns = structuredClone(service);
  const p: ConnectProxyConfig = ns.Proxy ?? {};
  const set = <K extends keyof ConnectProxyConfig>(k: K, v: ConnectProxyConfig[K] | undefined): void => {
    if (v === undefined || isEmpty(v)) delete p[k];
    else p[k] = v;
  };

  set('Config', mergeMap(p.Config, defaults.ProxyConfig));
  set('Expose', mergeStruct(p.Expose as Obj | undefined, defaults.Expose as Obj) as ConnectProxyConfig['Expose']);
  set('AccessLogs', mergeStruct(p.AccessLogs, defaults.AccessLogs));
  // The defaults' extensions (proxy-defaults' then service-defaults') replace the registration's.
  set('EnvoyExtensions', defaults.EnvoyExtensions ? structuredClone(defaults.EnvoyExtensions) : undefined);
  if (!p.MeshGateway?.Mode && defaults.MeshGateway.Mode) p.MeshGateway = { Mode: defaults.MeshGateway.Mode };
  if (!p.Mode && defaults.Mode) p.Mode = defaults.Mode;
  set('TransparentProxy', mergeStruct(p.TransparentProxy as Obj | undefined, defaults.TransparentProxy as Obj) as ConnectProxyConfig['TransparentProxy']);

  // Synthetic upstreams from the central upstream configs (service-defaults' UpstreamConfig).
  const remote = new Map<string, Upstream>();
  for (const us of defaults.UpstreamConfigs ?? []) {
    const mode = (us.Config['mesh_gateway'] as { Mode?: string } | undefined)?.Mode ?? '';
    remote.set(us.Upstream, {
      DestinationNamespace: 'default',
      DestinationPartition: 'default',
      DestinationName: us.Upstream,
      Config: us.Config,
      MeshGateway: mode ? { Mode: mode } : {},
      CentrallyConfigured: true,
    });
  }

  const local = new Set<string>();
  for (const us of p.Upstreams ?? []) {
    if (us.DestinationType && us.DestinationType !== 'service') continue;
    const name = us.DestinationName ?? '';
    local.add(name);
    const r = remote.get(name);
    if (!r) continue;
    if (!us.MeshGateway?.Mode && r.MeshGateway?.Mode) us.MeshGateway = { Mode: r.MeshGateway.Mode };
    const merged = mergeMap(us.Config, r.Config) ?? {};
    // mesh_gateway was resolved on the servers, not the upstream's final mode: it stays out of Config.
    delete merged['mesh_gateway'];
    if (Object.keys(merged).length > 0) us.Config = merged;
    else delete us.Config;
  }
  // In transparent mode the registration need not list its upstreams: the central ones join it.
  if (p.Mode === 'transparent') {
    for (const [name, r] of remote) {
      if (local.has(name)) continue;
      p.Upstreams = [...(p.Upstreams ?? []), structuredClone(r)];
    }
  }
  ns.Proxy = p;
  return ns;
}
