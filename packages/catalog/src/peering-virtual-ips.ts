/**
 * Virtual IPs of services imported from a peer (Consul's agent/consul/state/catalog.go
 * ensureServiceTxn with a PeerName, deleteServiceTxn -> freeServiceVirtualIP): an imported
 * connect-proxy (for its destination) or Connect-native instance gives its service an address
 * keyed by the peering's local name and the service, and carries it as `consul-virtual`. When an
 * import drops a service's last instances, or the peering goes, the address goes back unless a
 * config entry or terminating gateway of that name holds it (Consul looks those up by name alone).
 */
import type { ApplyResult } from './commands.js';
import type { PeeringDeleteCommand, PeeringImportCommand } from './peering-types.js';
import type { CatalogStore } from './store.js';
import { fail, ok } from './util.js';
import { freeVirtualIPIfUnused, virtualIPServiceOf, withVirtualIP } from './virtual-ip-writes.js';
import { VIRTUAL_IPS_EXHAUSTED } from './virtual-ips.js';

/** PeeringImport: replaces what the peer exported here, with the virtual IPs of its mesh services. */
export function applyPeeringImport(st: CatalogStore, idx: number, c: PeeringImportCommand): ApplyResult {
  const p = st.peerings.checkImport(c);
  if (typeof p === 'string') return fail(p);
  const instances = Object.values(c.Services).flat();
  const meshNames = instances.map((i) => virtualIPServiceOf(i.Service)).filter((n): n is string => n !== undefined);
  if (!st.virtualIPs.canAssignAll(meshNames, p.Name)) return fail(`failed updating virtual IP: ${VIRTUAL_IPS_EXHAUSTED}`);
  const before = Object.values(st.peerings.importsOf(p.Name).services).flat();
  st.peerings.setImports(p, idx, c.Services, (key) => st.touched.add(key), (s) => withVirtualIP(st, idx, s, p.Name));
  // deleteServiceTxn frees by the name of each instance that went (a no-op while others remain).
  for (const name of new Set(before.map((i) => i.Service.Service))) freeVirtualIPIfUnused(st, idx, name, p.Name);
  return ok(true);
}

/** PeeringDelete: the peering and its imports go, and with them the addresses of its services. */
export function applyPeeringDelete(st: CatalogStore, idx: number, c: PeeringDeleteCommand): ApplyResult {
  const name = typeof c.Name === 'string' ? (st.peerings.get(c.Name)?.Name ?? '') : '';
  const r = st.peerings.apply(idx, c, (key) => st.touched.add(key));
  if (r.ok && name !== '') {
    for (const service of st.virtualIPs.servicesOf(name)) freeVirtualIPIfUnused(st, idx, service, name);
  }
  return r;
}
