/**
 * Consul's mesh checks of a service registration, as agent/structs/structs.go does them:
 * NodeService.Validate (catalog register, agent register, config files) and ValidateForAgent
 * (a sidecar, whose port the agent may still assign). Returns every problem in Consul's words,
 * in its order; the caller joins them with go-multierror's format (multi-error.ts).
 */
import type { ConnectProxyConfig, Upstream } from '../config/proxy-spec.js';

export const CONNECT_PROXY = 'connect-proxy';
export const GATEWAY_KINDS: ReadonlySet<string> = new Set(['mesh-gateway', 'terminating-gateway', 'ingress-gateway', 'api-gateway']);
/** structs.WildcardSpecifier. */
const WILDCARD = '*';
/** allowedExposeProtocols, in the order Go prints that map's keys here. */
const EXPOSE_PROTOCOLS = ['http', 'http2'];

/** The fields of a NodeService (or a service definition) these checks read. */
export interface MeshFields {
  Kind?: string;
  Port?: number;
  SocketPath?: string;
  Proxy?: ConnectProxyConfig | Record<string, unknown> | null;
  Connect?: { Native?: boolean; SidecarService?: { ID?: string; Connect?: { SidecarService?: unknown } } } | Record<string, unknown> | null;
}

/** Go's %q of a string (close enough for names: JSON escaping). */
const q = (s: string): string => JSON.stringify(s);

function upstreamError(u: Upstream): string | undefined {
  const type = u.DestinationType ?? '';
  if (type !== '' && type !== 'service' && type !== 'prepared_query') return `unknown upstream destination type: ${q(type)}`;
  if (!u.DestinationName) return 'upstream destination name cannot be empty';
  if (u.DestinationName === WILDCARD && !u.CentrallyConfigured) return 'upstream destination name cannot be a wildcard';
  if (u.DestinationPeer && u.Datacenter) return 'upstream cannot specify both destination peer and datacenter';
  const port = u.LocalBindPort ?? 0;
  const socket = u.LocalBindSocketPath ?? '';
  if (port === 0 && socket === '' && !u.CentrallyConfigured) return 'upstream local bind port or local socket path must be defined and nonzero';
  if (port !== 0 && socket !== '' && !u.CentrallyConfigured) return 'only one of upstream local bind port or local socket path can be defined and nonzero';
  return undefined;
}

/** UpstreamKey.String(). */
function upstreamKey(u: Upstream): string {
  return `[type=${q(u.DestinationType ?? '')}, name=${q(u.DestinationName ?? '')}, partition=${q(u.DestinationPartition ?? '')}, namespace=${q(u.DestinationNamespace ?? '')}, peer=${q(u.DestinationPeer ?? '')}, datacenter=${q(u.Datacenter ?? '')}]`;
}

/** Upstream.UpstreamAddressToString(). */
function upstreamAddress(u: Upstream): string {
  if ((u.LocalBindPort ?? 0) === 0 && !u.LocalBindAddress && u.LocalBindSocketPath) return u.LocalBindSocketPath;
  const addr = u.LocalBindAddress || '127.0.0.1';
  return `${addr.includes(':') ? `[${addr}]` : addr}:${u.LocalBindPort ?? 0}`;
}

/** NodeService.ValidateForAgent. */
export function validateForAgent(s: MeshFields): string[] {
  const errs: string[] = [];
  const proxy = (s.Proxy ?? {}) as ConnectProxyConfig;
  const connect = (s.Connect ?? {}) as { Native?: boolean; SidecarService?: { ID?: string; Connect?: { SidecarService?: unknown } } };
  const kind = s.Kind ?? '';
  if (kind === CONNECT_PROXY) {
    const dest = proxy.DestinationServiceName ?? '';
    if (dest.trim() === '') errs.push('Proxy.DestinationServiceName must be non-empty for Connect proxy services');
    if (dest === WILDCARD) errs.push('Proxy.DestinationServiceName must not be a wildcard for Connect proxy services');
    if (connect.Native) errs.push('A Proxy cannot also be Connect Native, only typical services');
    const keys = new Set<string>();
    const binds = new Set<string>();
    for (const u of proxy.Upstreams ?? []) {
      const bad = upstreamError(u);
      if (bad) {
        errs.push(bad);
        continue;
      }
      const key = upstreamKey(u);
      if (keys.has(key)) {
        errs.push(`upstreams cannot contain duplicates of ${key}`);
        continue;
      }
      keys.add(key);
      const addr = upstreamAddress(u);
      if (binds.has(addr) && !u.CentrallyConfigured) {
        errs.push(`upstreams cannot contain duplicates by local bind address and port or unix path; ${q(addr)} is specified twice`);
        continue;
      }
      binds.add(addr);
    }
    const listeners = new Set<number>();
    for (const p of proxy.Expose?.Paths ?? []) {
      const port = p.ListenerPort ?? 0;
      if (!p.Path) errs.push('expose.paths: empty path exposed');
      if (listeners.has(port)) errs.push('expose.paths: duplicate listener ports exposed');
      listeners.add(port);
      if (port <= 0 || port > 65535) errs.push(`expose.paths: invalid listener port: ${port}`);
      const protocol = (p.Protocol ?? '').toLowerCase();
      if (protocol !== '' && !EXPOSE_PROTOCOLS.includes(protocol)) {
        errs.push(`protocol '${protocol}' not supported for path: ${p.Path ?? ''}, must be in: [${EXPOSE_PROTOCOLS.join(' ')}]`);
      }
    }
  }
  if (GATEWAY_KINDS.has(kind)) {
    if ((s.Port ?? 0) === 0 && kind !== 'ingress-gateway' && kind !== 'api-gateway') errs.push(`Port must be non-zero for a ${kind}`);
    if (connect.SidecarService) errs.push(`A ${kind} cannot have a sidecar service defined`);
    for (const field of ['DestinationServiceName', 'DestinationServiceID', 'LocalServiceAddress', 'LocalServicePort', 'LocalServiceSocketPath'] as const) {
      if (proxy[field]) errs.push(`The Proxy.${field} configuration is invalid for a ${kind}`);
    }
    if ((proxy.Upstreams ?? []).length !== 0) errs.push(`The Proxy.Upstreams configuration is invalid for a ${kind}`);
  }
  if (connect.SidecarService) {
    if (connect.SidecarService.ID) errs.push('A SidecarService cannot specify an ID as this is managed by the agent');
    if (connect.SidecarService.Connect?.SidecarService) errs.push('A SidecarService cannot have a nested SidecarService');
  }
  if (connect.Native && (s.Port ?? 0) === 0 && !s.SocketPath) errs.push('Port or SocketPath must be set for a Connect native service.');
  return errs;
}

/** NodeService.Validate: also a connect-proxy's port, which only a local agent may assign. */
export function validateNodeService(s: MeshFields): string[] {
  const errs: string[] = [];
  if ((s.Kind ?? '') === CONNECT_PROXY && (s.Port ?? 0) === 0 && !s.SocketPath) errs.push(`Port or SocketPath must be set for a ${CONNECT_PROXY}`);
  return [...errs, ...validateForAgent(s)];
}
