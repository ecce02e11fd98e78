// How anti-entropy sees this node in the catalog: a server reads its own catalog; a client
// asks a server (the leader answers), since it keeps no catalog.
import type { Catalog, HealthCheck, NodeService } from '@proconsul/catalog';
import type { ClusterRole } from '../cluster/role.js';

export interface NodeView {
  /** The node's services, or undefined when the node is not in the catalog. */
  services(node: string): Promise<Record<string, NodeService> | undefined>;
  checks(node: string): Promise<HealthCheck[]>;
}

export function catalogNodeView(catalog: Catalog): NodeView {
  return {
    services: async (node) => catalog.node(node).value?.Services,
    checks: async (node) => catalog.nodeChecks(node).value,
  };
}

const READ_TIMEOUT_MS = 30_000;

export function remoteNodeView(cluster: ClusterRole): NodeView {
  const get = async (url: string): Promise<unknown> => {
    const res = await cluster.forward({ method: 'GET', url, headers: {} }, READ_TIMEOUT_MS);
    const text = Buffer.from(res.body).toString();
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
  return {
    services: async (node) => ((await get(`/v1/catalog/node/${encodeURIComponent(node)}`)) as { Services: Record<string, NodeService> } | null)?.Services,
    checks: async (node) => (await get(`/v1/health/node/${encodeURIComponent(node)}`)) as HealthCheck[],
  };
}
