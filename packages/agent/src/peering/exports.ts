/**
 * What this cluster exports to one peer (Consul's state.ExportedServicesForPeer and what
 * peerstream's subscription manager sends for each exported service): the services the
 * `exported-services` entry names for the peer ("*": every typical service but `consul`), each
 * with its typical instances (catalog peering-export.ts), and for a service in the mesh its
 * synthetic `<service>-sidecar-proxy` at this cluster's mesh gateways. With the index and watch
 * keys of everything it read, for the stream's blocking wait.
 */
import { SYNTHETIC_PROXY_SUFFIX, type Catalog, type ImportedServices, type Indexed } from '@proconsul/catalog';

export function exportsFor(catalog: Catalog, peer: string, datacenter: string): Indexed<ImportedServices> {
  const resolved = catalog.resolvedExportedServices();
  let index = resolved.index;
  const watch = [...resolved.watch];
  const names = resolved.value.filter((r) => (r.Consumers.Peers ?? []).some((p) => p.toLowerCase() === peer.toLowerCase())).map((r) => r.Service);
  const value: ImportedServices = {};
  for (const name of names) {
    const r = catalog.exportedInstances(name);
    index = Math.max(index, r.index);
    watch.push(...r.watch);
    // An exported service with no instances is still replicated (empty), so the importer drops the
    // old ones; a `-sidecar-proxy` name already sent as a synthetic proxy stays that.
    const service = r.value[0]?.Service.Service ?? name;
    value[service] ??= r.value;
    const proxies = catalog.exportedMeshProxies(service, { peer, datacenter });
    if (proxies) {
      index = Math.max(index, proxies.index);
      watch.push(...proxies.watch);
      value[`${service}${SYNTHETIC_PROXY_SUFFIX}`] = proxies.value;
    }
  }
  return { index, value, watch };
}
