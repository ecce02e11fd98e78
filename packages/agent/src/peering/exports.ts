/**
 * What this cluster exports to one peer (Consul's state.ExportedServicesForPeer and the health
 * of each exported service that peerstream replicates): the services the `exported-services`
 * entry names for the peer ("*": every service but `consul`), each with its instances, node and
 * checks. With the index and watch keys of everything it read, for the stream's blocking wait.
 */
import { CONFIG_ENTRIES_WATCH_KEY, servicesExportedTo, type Catalog, type ImportedServices, type Indexed } from '@proconsul/catalog';

const WILDCARD = '*';

export function exportsFor(catalog: Catalog, peer: string): Indexed<ImportedServices> {
  const entry = catalog.configEntryGet('exported-services', 'default');
  let index = entry.index;
  const watch = [CONFIG_ENTRIES_WATCH_KEY];
  let names = servicesExportedTo((entry.value ?? undefined) as Record<string, unknown> | undefined, peer);
  if (names.includes(WILDCARD)) {
    const all = catalog.services();
    index = Math.max(index, all.index);
    watch.push(...all.watch);
    names = Object.keys(all.value).filter((n) => n !== 'consul');
  }
  const value: ImportedServices = {};
  for (const name of [...new Set(names)]) {
    const r = catalog.exportedInstances(name);
    index = Math.max(index, r.index);
    watch.push(...r.watch);
    // An exported service with no instances is still replicated (empty), so the importer drops the old ones.
    value[r.value[0]?.Service.Service ?? name] = r.value;
  }
  return { index, value, watch };
}
