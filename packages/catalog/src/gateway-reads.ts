/**
 * GET /v1/health/ingress/:service (Consul's state.CheckIngressServiceNodes over the
 * gateway-services index, gateway-services.ts): the instances of every ingress gateway that
 * fronts the service, in health/service's shape.
 *
 * Index and watches: the config entries (an entry written or removed), the service's own name
 * (its proxies decide what a wildcard covers) and each gateway's name (its instances, checks
 * and nodes); the index is the highest of the mappings' and the gateways' indexes.
 */
import type { HealthServiceFilter } from './catalog.js';
import { CONFIG_ENTRIES_WATCH_KEY } from './config-entry-store.js';
import { gatewaysOfService } from './gateway-services.js';
import { toCatalogNode, toHealthCheck, toNodeService } from './records.js';
import { instanceEntries } from './service-entries.js';
import type { CatalogStore } from './store.js';
import type { Indexed, ServiceEntry } from './types.js';
import { lower } from './util.js';
import { serviceWatchKey } from './watch.js';

export function checkIngressServiceNodes(st: CatalogStore, datacenter: string, service: string, filter: HealthServiceFilter): Indexed<ServiceEntry[]> {
  const { gateways, index: mappingIndex } = gatewaysOfService(st, service, 'ingress-gateway');
  let index = mappingIndex;
  const value: ServiceEntry[] = [];
  for (const gw of gateways) {
    index = Math.max(index, st.serviceIndex(gw));
    for (const e of instanceEntries(st, st.sortedInstances(lower(gw)), filter)) {
      value.push({ Node: toCatalogNode(e.node, datacenter), Service: toNodeService(e.service), Checks: e.checks.map(toHealthCheck) });
    }
  }
  const watch = [CONFIG_ENTRIES_WATCH_KEY, serviceWatchKey(lower(service)), ...gateways.map((g) => serviceWatchKey(lower(g)))];
  return { index: Math.max(1, index), value, watch };
}
