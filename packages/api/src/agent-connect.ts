/**
 * A proxy's `Proxy` block and its upstreams as GET /v1/agent/service/:id returns them (Consul's
 * api/agent.go). The CA roots and leaf certificate shapes are in connect.ts, the authorize call's
 * in connect-intention.ts.
 */

/** One upstream of a proxy (Consul's api.Upstream). */
export interface Upstream {
  /** `service` (default) or `prepared_query`. */
  DestinationType?: string;
  DestinationPartition?: string;
  DestinationNamespace?: string;
  DestinationPeer?: string;
  DestinationName: string;
  Datacenter?: string;
  LocalBindAddress?: string;
  LocalBindPort?: number;
  LocalBindSocketPath?: string;
  LocalBindSocketMode?: string;
  Config?: Record<string, unknown>;
  MeshGateway?: Record<string, unknown>;
  CentrallyConfigured?: boolean;
}

/** A connect-proxy service's `Proxy` block (Consul's AgentServiceConnectProxyConfig). */
export interface AgentServiceConnectProxyConfig {
  DestinationServiceName?: string;
  DestinationServiceID?: string;
  LocalServiceAddress?: string;
  LocalServicePort?: number;
  LocalServiceSocketPath?: string;
  Mode?: string;
  TransparentProxy?: Record<string, unknown>;
  /** Opaque proxy settings; the built-in proxy reads bind_address, bind_port, local_connect_timeout_ms, handshake_timeout_ms. */
  Config?: Record<string, unknown>;
  Upstreams?: Upstream[] | null;
  MeshGateway?: Record<string, unknown>;
  Expose?: Record<string, unknown>;
  AccessLogs?: Record<string, unknown>;
}
