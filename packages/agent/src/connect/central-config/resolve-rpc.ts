/**
 * The `ConfigEntry.ResolveServiceConfig` RPC (Consul's agent/consul/config_endpoint.go
 * ResolveServiceConfig): an agent asks for the central defaults of a proxy or gateway it
 * registers; a server passes the call to the leader, which checks service:read on the name and
 * answers as a blocking query over the config entries (MinQueryIndex, MaxQueryTime).
 */
import { permissionDenied } from '../../acl/enforce.js';
import type { ExactResolver } from '../../acl/resolver.js';
import type { ServerCluster } from '../../cluster/server-cluster.js';
import type { AgentContext } from '../../context.js';
import { resolveServiceConfig, type ServiceConfigRequest, type ServiceConfigResponse } from './resolve.js';

export const RESOLVE_SERVICE_CONFIG = 'ConfigEntry.ResolveServiceConfig';

/** structs.ServiceConfigRequest with its QueryOptions, plus the hop count of a call passed on to the leader. */
export interface ResolveServiceConfigCall extends ServiceConfigRequest {
  Token?: string;
  MinQueryIndex: number;
  /** Milliseconds a blocking call may wait. */
  MaxQueryTimeMs: number;
  Hops?: number;
}

export interface ResolveServiceConfigReply {
  Index: number;
  Config: ServiceConfigResponse;
}

/** Bounds on what a call may name and wait (Consul's max query time is 10 min). */
const UPSTREAMS_MAX = 4096;
const NAME_BYTES_MAX = 1024;
const MAX_QUERY_TIME_MS = 10 * 60_000;
/** How long a server waits on the leader beyond the call's own wait. */
const LEADER_MARGIN_MS = 30_000;

function parseCall(body: unknown): ResolveServiceConfigCall {
  const b = body as Partial<ResolveServiceConfigCall> | null;
  const name = (v: unknown): v is string => typeof v === 'string' && v.length <= NAME_BYTES_MAX;
  if (!name(b?.Name) || b.Name === '') throw new Error('missing Name');
  if (!Array.isArray(b.Upstreams) || b.Upstreams.length > UPSTREAMS_MAX || !b.Upstreams.every(name)) throw new Error('invalid Upstreams');
  return {
    Name: b.Name,
    Upstreams: b.Upstreams,
    MeshGatewayMode: name(b.MeshGatewayMode) ? b.MeshGatewayMode : '',
    Mode: name(b.Mode) ? b.Mode : '',
    Token: typeof b.Token === 'string' ? b.Token : '',
    MinQueryIndex: typeof b.MinQueryIndex === 'number' && b.MinQueryIndex > 0 ? b.MinQueryIndex : 0,
    MaxQueryTimeMs: Math.min(MAX_QUERY_TIME_MS, typeof b.MaxQueryTimeMs === 'number' && b.MaxQueryTimeMs > 0 ? b.MaxQueryTimeMs : 0),
    ...(typeof b.Hops === 'number' ? { Hops: b.Hops } : {}),
  };
}

export function serveResolveServiceConfig(cluster: ServerCluster, ctx: AgentContext, resolver: ExactResolver): void {
  cluster.rpc.handle(RESOLVE_SERVICE_CONFIG, async (body, signal) => {
    const call = parseCall(body);
    return cluster.onLeader(RESOLVE_SERVICE_CONFIG, call, call.MaxQueryTimeMs + LEADER_MARGIN_MS, true, async (): Promise<ResolveServiceConfigReply> => {
      const started = ctx.metrics.clock();
      if (resolver.enabled) {
        const id = await resolver.resolveExact(call.Token ?? '');
        if (!id.authz.allowed('service', call.Name, 'read')) throw permissionDenied(id, { resource: 'service', need: 'read', name: call.Name });
      }
      await cluster.readBarrier('lease');
      // Ends at the wait, or when the caller cancels (its service was deregistered).
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), call.MaxQueryTimeMs);
      const cancel = (): void => abort.abort();
      signal.addEventListener('abort', cancel, { once: true });
      try {
        const r = await ctx.catalog.blockingQuery(
          () => ctx.catalog.discoveryChainRead((entries) => resolveServiceConfig(call, (kind, name) => entries.get(kind, name) ?? null)),
          call.MinQueryIndex,
          abort.signal,
        );
        return { Index: r.index, Config: r.value };
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', cancel);
        ctx.metrics.measureSince(['config_entry', 'resolve_service_config'], started);
      }
    }, signal);
  });
}
