/**
 * `<name>.query[.<dc>].consul` for the agent's DNS (Consul's preparedQueryLookup): a wrapper
 * adding `preparedQuery` to a DNS backend. The query runs with the agent's default token and
 * `_agent` is this agent; a server executes it itself (a stale read, as DNS allows), a client
 * agent has a server execute it. A query of another datacenter is executed there (forwarded
 * through the cluster role, as any `?dc=` request); an unknown datacenter is NXDOMAIN.
 */
import type { DnsBackend, DnsPreparedQueryResult } from '@proconsul/dns';
import { parseGoDurationMs } from '@proconsul/catalog';
import type { ClusterRole } from '../cluster/role.js';
import { NO_DC_PATH } from '../cluster/router.js';
import type { AgentContext } from '../context.js';
import { serverRead, toInstance, type DnsRead } from '../dns-backend.js';
import type { ForwardedResponse } from '../rpc/messages.js';
import type { ExecuteResponse } from './execute.js';
import { AGENT_NODE_HEADER, executorFor } from './index.js';

/** Executes a prepared query for DNS; undefined when no query has that name or ID. */
export type DnsQueryRunner = (nameOrId: string) => Promise<ExecuteResponse | undefined>;

const REMOTE_TIMEOUT_MS = 5_000;

/** A query's result as DNS serves it: its DNS.TTL in whole seconds when set (Consul's uint32(ttl/time.Second)). */
function toDnsResult(r: ExecuteResponse): DnsPreparedQueryResult {
  const ttlMs = r.DNS.TTL !== '' ? parseGoDurationMs(r.DNS.TTL) : undefined;
  return {
    service: r.Service,
    datacenter: r.Datacenter,
    ...(r.PeerName ? { peer: r.PeerName } : {}),
    ...(ttlMs !== undefined && ttlMs >= 0 ? { ttl: Math.floor(ttlMs / 1000) } : {}),
    // A peer's node carries the peer's datacenter (as for `<service>.service.<peer>.peer`).
    instances: r.Nodes.map((e) => toInstance(e, r.PeerName ? e.Node.Datacenter : r.Datacenter)),
  };
}

export function withPreparedQueries(inner: DnsBackend, datacenter: string, run: DnsQueryRunner, cluster: ClusterRole): DnsBackend {
  return {
    serviceInstances: (service, dc) => inner.serviceInstances(service, dc),
    ...(inner.connectInstances ? { connectInstances: inner.connectInstances.bind(inner) } : {}),
    ...(inner.ingressInstances ? { ingressInstances: inner.ingressInstances.bind(inner) } : {}),
    node: (name, dc) => inner.node(name, dc),
    ...(inner.peerServiceInstances ? { peerServiceInstances: inner.peerServiceInstances.bind(inner) } : {}),
    ...(inner.peerNode ? { peerNode: inner.peerNode.bind(inner) } : {}),
    ...(inner.virtualIP ? { virtualIP: inner.virtualIP.bind(inner) } : {}),
    datacenters: () => inner.datacenters(),
    ...(inner.reverseLookup ? { reverseLookup: inner.reverseLookup.bind(inner) } : {}),
    ...(inner.generation ? { generation: inner.generation.bind(inner) } : {}),
    async preparedQuery(nameOrId, dc) {
      const r = dc === datacenter ? await run(nameOrId) : await runIn(cluster, dc, nameOrId);
      return r ? toDnsResult(r) : undefined;
    },
  };
}

/** Executes the query in another datacenter; undefined when there is no such query or datacenter. */
async function runIn(cluster: ClusterRole, dc: string, nameOrId: string): Promise<ExecuteResponse | undefined> {
  const url = `/v1/query/${encodeURIComponent(nameOrId)}/execute?stale`;
  let res;
  try {
    res = await cluster.forwardToDatacenter(dc, { method: 'GET', url, headers: {} }, REMOTE_TIMEOUT_MS);
  } catch (err) {
    if ((err as Error).message === NO_DC_PATH) return undefined;
    throw err;
  }
  return parseExecute(url, res);
}

function parseExecute(url: string, res: ForwardedResponse): ExecuteResponse | undefined {
  if (res.status === 404) return undefined;
  const text = Buffer.from(res.body).toString('utf8');
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text}`);
  return JSON.parse(text) as ExecuteResponse;
}

/** A server runs the query on its own state. */
export function localQueryRunner(ctx: AgentContext): DnsQueryRunner {
  return async (nameOrId) => {
    const r = await executorFor(ctx).execute(nameOrId, {
      limit: 0,
      connect: false,
      token: '',
      agent: { node: ctx.config.nodeName, datacenter: ctx.config.datacenter },
    });
    return r?.response;
  };
}

/** A client agent has a server run it (`?stale`), telling it which agent asked. */
export function remoteQueryRunner(cluster: ClusterRole, nodeName: string, datacenter = '', read: DnsRead = serverRead(cluster, datacenter)): DnsQueryRunner {
  return async (nameOrId) => {
    const url = `/v1/query/${encodeURIComponent(nameOrId)}/execute?stale`;
    return parseExecute(url, await read({ method: 'GET', url, headers: { [AGENT_NODE_HEADER]: nodeName } }, datacenter, REMOTE_TIMEOUT_MS));
  };
}
