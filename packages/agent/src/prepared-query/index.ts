/**
 * The agent's prepared-query executor, one per agent context (HTTP routes and DNS share it).
 * Failover and the coordinate sort go through `ctx.preparedQuerySeams`, read at each call so
 * they can be set after start (the WAN pool and network coordinates); without them only the
 * local datacenter answers. `forwardingSeams` builds them from a request forwarder.
 */
import type { AgentContext } from '../context.js';
import { aclNodeFilter } from './acl.js';
import { PreparedQueryExecutor } from './execute.js';
import { LOCAL_ONLY_SEAMS, type QuerySeams } from './failover.js';

/** Seams that look up `ctx.preparedQuerySeams` at each call, falling back to the local-only ones. */
function lateSeams(ctx: AgentContext): QuerySeams {
  const pick = <K extends keyof QuerySeams>(k: K): QuerySeams[K] => (ctx.preparedQuerySeams?.[k] ?? LOCAL_ONLY_SEAMS[k]) as QuerySeams[K];
  return {
    otherDatacenters: () => pick('otherDatacenters')(),
    executeRemote: (dc, query, options) => pick('executeRemote')(dc, query, options),
    sortByDistance: (source, nodes) => pick('sortByDistance')(source, nodes),
  };
}

export { PreparedQueryExecutor, type ExecuteOptions, type ExecuteResponse, type QueryAgent, type QuerySeams } from './execute.js';
export { LOCAL_ONLY_SEAMS, failoverTargets } from './failover.js';
export { clusterSeams, forwardingSeams, EXECUTE_REMOTE_PATH, type Forwarder } from './remote.js';

/** The asking agent and client, carried on a request another agent forwards (execute's `_agent`, `_ip`). */
export const AGENT_NODE_HEADER = 'x-proconsul-agent-node';
export const SOURCE_IP_HEADER = 'x-proconsul-source-ip';

const executors = new WeakMap<AgentContext, PreparedQueryExecutor>();

export function executorFor(ctx: AgentContext): PreparedQueryExecutor {
  let ex = executors.get(ctx);
  if (!ex) {
    const filter = aclNodeFilter(ctx.config.acl, ctx.catalog, ctx.config.nodeName, ctx.config.datacenter);
    ex = new PreparedQueryExecutor({
      catalog: ctx.catalog,
      datacenter: ctx.config.datacenter,
      seams: lateSeams(ctx),
      ...(filter ? { aclFilter: filter } : {}),
      warn: (msg, fields) => ctx.log.agent.warn(fields, msg),
    });
    executors.set(ctx, ex);
  }
  return ex;
}
