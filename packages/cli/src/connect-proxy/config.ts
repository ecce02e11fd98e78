/**
 * The proxy's configuration (Consul's connect/proxy/config.go): which service it represents,
 * its public mTLS listener and its upstream listeners, with Consul's defaults, built either
 * from flags or from the proxy service registered on the local agent.
 */
import type { AgentService, AgentServiceConnectProxyConfig, Upstream } from '@proconsul/api';

export interface PublicListenerConfig {
  /** Host of the public mTLS listener; default `0.0.0.0`. */
  bindAddress: string;
  /** 0 disables the public listener. */
  bindPort: number;
  /** `host:port` of the application, plain TCP: keep it on loopback. */
  localServiceAddress: string;
  /** Default 1000. */
  localConnectTimeoutMs: number;
  /** Time a client has to finish the TLS handshake; default 10000. */
  handshakeTimeoutMs: number;
}

export interface UpstreamConfig {
  /** `service` or `prepared_query`. */
  destinationType: string;
  destinationNamespace: string;
  destinationName: string;
  /** Empty: the local agent's datacenter. */
  datacenter: string;
  localBindAddress: string;
  localBindPort: number;
  localBindSocketPath: string;
  /** Time to resolve, dial and handshake with an instance; default 10000 (Config.connect_timeout_ms). */
  connectTimeoutMs: number;
}

export interface ProxyConfig {
  /** The service name (not ID) this proxy stands for: its certificate's identity. */
  proxiedServiceName: string;
  publicListener: PublicListenerConfig;
  upstreams: UpstreamConfig[];
}

/** Go's FormatAddressPort: IPv6 hosts in brackets. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Splits `host:port` (`[v6]:port`, `:port`); throws Go's net.SplitHostPort texts. */
export function splitHostPort(hostport: string): { host: string; port: string } {
  const missing = `address ${hostport}: missing port in address`;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) throw new Error(`address ${hostport}: missing ']' in address`);
    if (hostport[end + 1] !== ':') throw new Error(missing);
    return { host: hostport.slice(1, end), port: hostport.slice(end + 2) };
  }
  const at = hostport.lastIndexOf(':');
  if (at < 0) throw new Error(missing);
  const host = hostport.slice(0, at);
  if (host.includes(':')) throw new Error(`address ${hostport}: too many colons in address`);
  return { host, port: hostport.slice(at + 1) };
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
}

/** Consul's PublicListenerConfig.applyDefaults. */
export function publicListenerDefaults(p: Partial<PublicListenerConfig>): PublicListenerConfig {
  return {
    bindAddress: p.bindAddress || '0.0.0.0',
    bindPort: p.bindPort ?? 0,
    localServiceAddress: p.localServiceAddress ?? '',
    localConnectTimeoutMs: p.localConnectTimeoutMs || 1000,
    handshakeTimeoutMs: p.handshakeTimeoutMs || 10_000,
  };
}

/** Consul's UpstreamConfig.applyDefaults and ConnectTimeout(). */
export function upstreamFromApi(u: Upstream): UpstreamConfig {
  return {
    destinationType: u.DestinationType || 'service',
    destinationNamespace: u.DestinationNamespace || 'default',
    destinationName: u.DestinationName ?? '',
    datacenter: u.Datacenter ?? '',
    localBindAddress: u.LocalBindAddress || (u.LocalBindSocketPath ? '' : '127.0.0.1'),
    localBindPort: num(u.LocalBindPort),
    localBindSocketPath: u.LocalBindSocketPath ?? '',
    connectTimeoutMs: num(u.Config?.['connect_timeout_ms']) || 10_000,
  };
}

/** Consul's UpstreamConfig.String(): names the listener in logs, and keys it across config changes. */
export function upstreamKey(u: UpstreamConfig): string {
  const addr = u.localBindSocketPath || joinHostPort(u.localBindAddress, u.localBindPort);
  return `${addr}->${u.destinationType}:${u.destinationNamespace}/${u.destinationName}`;
}

/**
 * A proxy service's registration as Consul's AgentConfigWatcher reads it. The public listener
 * binds to Proxy.Config `bind_address`/`bind_port` when given (the documented built-in proxy
 * settings), else to the proxy service's own Address/Port; the application is
 * LocalServiceAddress:LocalServicePort. Throws when the service is not a connect-proxy.
 */
export function configFromAgentService(svc: AgentService): ProxyConfig {
  if (svc.Kind !== 'connect-proxy') throw new Error('service is not a valid connect proxy');
  const proxy = (svc.Proxy ?? {}) as AgentServiceConnectProxyConfig;
  const cfg = proxy.Config ?? {};
  const bindAddress = typeof cfg['bind_address'] === 'string' && cfg['bind_address'] ? cfg['bind_address'] : svc.Address;
  const bindPort = num(cfg['bind_port']) || svc.Port;
  return {
    proxiedServiceName: proxy.DestinationServiceName ?? '',
    publicListener: publicListenerDefaults({
      bindAddress,
      bindPort,
      localServiceAddress: joinHostPort(proxy.LocalServiceAddress || '127.0.0.1', num(proxy.LocalServicePort)),
      localConnectTimeoutMs: num(cfg['local_connect_timeout_ms']),
      handshakeTimeoutMs: num(cfg['handshake_timeout_ms']),
    }),
    upstreams: (proxy.Upstreams ?? []).map(upstreamFromApi),
  };
}
