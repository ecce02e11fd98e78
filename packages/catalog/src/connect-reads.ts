/**
 * GET /v1/catalog/connect/:service and /v1/health/connect/:service (Consul's
 * CatalogConnectServiceNodes and HealthConnectServiceNodes, state.ConnectServiceNodes and
 * CheckConnectServiceNodes): the instances that take mesh traffic for a service, that is its
 * proxies and its Connect-native instances, in the shapes of catalog/service and health/service.
 *
 * Index and watches: a proxy written or removed bumps its destination's service index
 * (catalog-writes.ts), and its own checks and node bump its own name's index; the read's index
 * is the max of both, so a blocking query wakes on either.
 */
import type { HealthServiceFilter, ServiceFilter } from './catalog.js';
import { toCatalogNode, toHealthCheck, toNodeService, toServiceNode, type ServiceRecord } from './records.js';
import { instanceEntries } from './service-entries.js';
import type { CatalogStore } from './store.js';
import type { Indexed, ServiceEntry, ServiceNode, WatchKey } from './types.js';
import { lower, sortedValues } from './util.js';
import { serviceWatchKey } from './watch.js';

function connectInstances(st: CatalogStore, service: string): { instances: ServiceRecord[]; index: number; watch: WatchKey[] } {
  const nameKey = lower(service);
  const byKey = st.connect.instances(nameKey);
  const instances = byKey ? sortedValues(new Map(byKey)) : [];
  const names = new Set([nameKey, ...instances.map((s) => lower(s.Service))]);
  let index = 0;
  for (const n of names) index = Math.max(index, st.serviceIndex(n));
  return { instances, index: Math.max(1, index), watch: [...names].map(serviceWatchKey) };
}

export function connectServiceNodes(st: CatalogStore, datacenter: string, service: string, filter: ServiceFilter): Indexed<ServiceNode[]> {
  const { instances, index, watch } = connectInstances(st, service);
  const value = instanceEntries(st, instances, filter).map((e) => toServiceNode(e.node, e.service, datacenter));
  return { index, value, watch };
}

export function checkConnectServiceNodes(st: CatalogStore, datacenter: string, service: string, filter: HealthServiceFilter): Indexed<ServiceEntry[]> {
  const { instances, index, watch } = connectInstances(st, service);
  const value = instanceEntries(st, instances, filter).map((e) => ({
    Node: toCatalogNode(e.node, datacenter),
    Service: toNodeService(e.service),
    Checks: e.checks.map(toHealthCheck),
  }));
  return { index, value, watch };
}
