/**
 * ACL filtering of a prepared query's results (Consul's filterACL on CheckServiceNodes): an
 * instance stays when the token may read its node and its service. The token is the query's
 * own `Token` when it has one (a definer's rights), else the caller's, else the default one.
 */
import type { Catalog } from '@proconsul/catalog';
import type { AclConfig } from '../acl/config.js';
import { AclResolver } from '../acl/resolver.js';
import type { AclNodeFilter } from './execute.js';

/** Undefined when ACLs are off (nothing is filtered). Throws AclNotFoundError for an unknown secret. */
export function aclNodeFilter(acl: AclConfig, catalog: Catalog, nodeName: string, datacenter: string): AclNodeFilter | undefined {
  if (!acl.enabled) return undefined;
  const resolver = new AclResolver(acl, () => catalog.acl, nodeName, datacenter);
  return (token, nodes) => {
    const authz = resolver.resolve(token).authz;
    const kept = nodes.filter((n) => authz.allowed('node', n.Node.Node, 'read') && authz.allowed('service', n.Service.Service, 'read'));
    return { nodes: kept, filtered: kept.length !== nodes.length };
  };
}
