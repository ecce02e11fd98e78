// How anti-entropy sees this node in the catalog: a server reads its own catalog; a client
// asks a server (the leader answers), since it keeps no catalog.
import type { Catalog, CatalogNode, HealthCheck, NodeService } from '@proconsul/catalog';
import type { ClusterRole } from '../cluster/role.js';

export interface NodeView {
  /** The node's services, or undefined when the node is not in the catalog. */
  services(node: string): Promise<Record<string, NodeService> | undefined>;
  checks(node: string): Promise<HealthCheck[]>;
  /** The node's own entry (address, tagged addresses, meta), or undefined when unknown. */
  node(node: string): Promise<CatalogNode | undefined>;
}

export function catalogNodeView(catalog: Catalog): NodeView {
  return {
    services: async (node) => catalog.node(node).value?.Services,
    checks: async (node) => catalog.nodeChecks(node).value,
    node: async (node) => catalog.node(node).value?.Node,
  };
}

const READ_TIMEOUT_MS = 30_000;

/**
 * A client reads with its agent token (`token()`; '' without ACLs). What that token may not
 * read looks empty, as Consul's filtered reads do: everything local is then pushed, and each
 * write passes or is blocked by its own token.
 */
export function remoteNodeView(cluster: ClusterRole, token: () => string = () => ''): NodeView {
  const get = async (url: string, denied: unknown): Promise<unknown> => {
    const t = token();
    const res = await cluster.forward({ method: 'GET', url, headers: t !== '' ? { 'x-consul-token': t } : {} }, READ_TIMEOUT_MS);
    const text = Buffer.from(res.body).toString();
    if (res.status === 403) return denied;
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
  const nodeServices = async (node: string, denied: unknown) =>
    (await get(`/v1/catalog/node/${encodeURIComponent(node)}`, denied)) as { Node?: CatalogNode; Services: Record<string, NodeService> } | null;
  return {
    services: async (node) => (await nodeServices(node, { Services: {} }))?.Services,
    checks: async (node) => (await get(`/v1/health/node/${encodeURIComponent(node)}`, [])) as HealthCheck[],
    node: async (node) => (await nodeServices(node, null))?.Node,
  };
}

/** Whether the catalog's entry already holds what this agent registers for its node. */
export function nodeInfoInSync(have: CatalogNode, want: { Address: string; TaggedAddresses: Record<string, string>; NodeMeta: Record<string, string> }): boolean {
  const same = (a: Record<string, string> | null | undefined, b: Record<string, string>): boolean => {
    const ak = Object.keys(a ?? {});
    return ak.length === Object.keys(b).length && ak.every((k) => a![k] === b[k]);
  };
  return have.Address === want.Address && same(have.Meta, want.NodeMeta) && same(have.TaggedAddresses as Record<string, string> | null, want.TaggedAddresses);
}
