// How anti-entropy sees this node in the catalog: a server reads its own catalog; a client
// asks a server (the leader answers), since it keeps no catalog.
import type { Catalog, CatalogNode, HealthCheck, NodeService } from '@proconsul/catalog';
import { isAclError } from '../acl/agent-tokens.js';
import type { ClusterRole } from '../cluster/role.js';
import type { NodeCall, NodeServices } from '../cluster/sync-endpoints.js';

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
 * A client reads with its agent token (`token()`; '' without ACLs), through the servers' typed
 * RPC methods (cluster/sync-endpoints.ts). What that token may not read looks empty, as
 * Consul's filtered reads do: everything local is then pushed, and each write passes or is
 * blocked by its own token.
 */
export function remoteNodeView(cluster: Pick<ClusterRole, 'serverRpc'>, token: () => string = () => ''): NodeView {
  const call = async <T>(method: string, node: string, denied: T): Promise<T> => {
    try {
      return (await cluster.serverRpc(method, { Node: node, Token: token() } satisfies NodeCall, READ_TIMEOUT_MS, true)) as T;
    } catch (err) {
      if (isAclError(err)) return denied;
      throw err;
    }
  };
  const nodeServices = (node: string, denied: NodeServices) => call<NodeServices>('Catalog.NodeServices', node, denied);
  return {
    services: async (node) => (await nodeServices(node, { Services: {} } as NodeServices))?.Services,
    checks: (node) => call<HealthCheck[]>('Health.NodeChecks', node, []),
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
