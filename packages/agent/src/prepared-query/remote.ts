/**
 * Failover seams over a request forwarder: `executeRemote` sends the query to the other
 * datacenter's `POST /v1/internal/prepared-query/execute-remote` (its ExecuteRemote), with the
 * caller's token. `forward` is whatever runs an HTTP request in another datacenter (the WAN
 * forwarder); 'no-path' when that datacenter cannot be reached.
 */
import type { ForwardedRequest, ForwardedResponse } from '../rpc/messages.js';
import { NO_DC_PATH } from '../cluster/router.js';
import type { AgentContext } from '../context.js';
import { sortByDistance } from '../coordinate/near.js';
import type { ExecuteResponse, QuerySeams } from './failover.js';

/** What a failover execution in another datacenter may take. */
const REMOTE_EXECUTE_TIMEOUT_MS = 30_000;

export const EXECUTE_REMOTE_PATH = '/v1/internal/prepared-query/execute-remote';

export interface Forwarder {
  otherDatacenters(): Promise<string[]>;
  forward(dc: string, req: ForwardedRequest): Promise<ForwardedResponse | 'no-path'>;
}

export function forwardingSeams(f: Forwarder): Pick<QuerySeams, 'otherDatacenters' | 'executeRemote'> {
  return {
    otherDatacenters: () => f.otherDatacenters(),
    async executeRemote(dc, query, options) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.token !== '') headers['x-consul-token'] = options.token;
      const body = Buffer.from(JSON.stringify({ Query: query, Limit: options.limit, Connect: options.connect }));
      const res = await f.forward(dc, { method: 'POST', url: EXECUTE_REMOTE_PATH, headers, body });
      if (res === 'no-path') return 'no-path';
      const text = Buffer.from(res.body).toString('utf8');
      if (res.status !== 200) throw new Error(`${dc}: ${res.status} ${text}`);
      return JSON.parse(text) as ExecuteResponse;
    },
  };
}

/**
 * The seams of a running agent: failover through its cluster role's datacenter forwarding (the
 * WAN router on a server; a client agent's server routes it), and `Near` sorting by the catalog's
 * network coordinates (the local datacenter's; nodes of another datacenter keep their order).
 */
export function clusterSeams(ctx: AgentContext): QuerySeams {
  const local = ctx.config.datacenter;
  return {
    ...forwardingSeams({
      otherDatacenters: async () => (await ctx.cluster.datacenters()).filter((dc) => dc !== local),
      forward: (dc, req) =>
        ctx.cluster.forwardToDatacenter(dc, req, REMOTE_EXECUTE_TIMEOUT_MS).catch((err: Error) => {
          if (err.message === NO_DC_PATH) return 'no-path' as const;
          throw err;
        }),
    }),
    sortByDistance: async (source, nodes) => {
      if (source.datacenter !== local) return;
      const sorted = sortByDistance(nodes, source.node, ctx.catalog.coordinates().value);
      nodes.splice(0, nodes.length, ...sorted);
    },
  };
}
