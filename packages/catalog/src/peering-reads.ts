/**
 * Reads of what a peer exported here (`?peer=<name>` of catalog/services, catalog/service,
 * health/service and health/connect; Consul's state store serves them from its rows with that PeerName).
 * The exporting side's view of a service is in peering-export.ts.
 */
import type { HealthServiceFilter, NodeMetaFilter, ServiceFilter } from './catalog.js';
import { connectNameOf } from './connect-index.js';
import { metaMatches, tagsMatch } from './filters.js';
import type { ImportedInstance, ImportedServices } from './peering-types.js';
import { peerImportsWatchKey, PEERINGS_WATCH_KEY } from './peering-store.js';
import { toCatalogNode, toHealthCheck, toNodeService, toServiceNode } from './records.js';
import type { CatalogStore } from './store.js';
import type { Indexed, NodeService, NodeServices, ServiceEntry, ServiceNode } from './types.js';
import { byString, lower } from './util.js';

interface PeerView {
  index: number;
  services: ImportedServices;
  /** The peer's datacenter, reported as the Datacenter of its nodes. */
  datacenter: string;
  watch: string[];
}

function peerView(st: CatalogStore, peer: string): PeerView {
  const { index, services } = st.peerings.importsOf(peer);
  const datacenter = st.peerings.get(peer)?.RemoteDatacenter ?? '';
  return { index: Math.max(1, index, st.peerings.index), services, datacenter, watch: [peerImportsWatchKey(peer), PEERINGS_WATCH_KEY] };
}

function instancesOf(v: PeerView, service: string): ImportedInstance[] {
  const key = Object.keys(v.services).find((k) => lower(k) === lower(service));
  return key === undefined ? [] : v.services[key]!;
}

/** GET /v1/catalog/services?peer=: name -> tags of what the peer exports. */
export function importedServices(st: CatalogStore, peer: string, filter: NodeMetaFilter): Indexed<Record<string, string[]>> {
  const v = peerView(st, peer);
  const out: [string, string[]][] = [];
  for (const name of Object.keys(v.services).sort(byString)) {
    const kept = v.services[name]!.filter((i) => metaMatches(i.Node.Meta, filter.nodeMeta));
    if (kept.length > 0) out.push([name, [...new Set(kept.flatMap((i) => i.Service.Tags))]]);
  }
  return { index: v.index, value: Object.fromEntries(out), watch: v.watch };
}

/** GET /v1/catalog/service/:service?peer=. */
export function importedServiceNodes(st: CatalogStore, peer: string, service: string, filter: ServiceFilter): Indexed<ServiceNode[]> {
  const v = peerView(st, peer);
  const value = instancesOf(v, service)
    .filter((i) => metaMatches(i.Node.Meta, filter.nodeMeta) && tagsMatch(i.Service.Tags, filter.tags))
    .map((i) => ({ ...toServiceNode(i.Node, i.Service, v.datacenter), PeerName: peer }));
  return { index: v.index, value, watch: v.watch };
}

/** GET /v1/health/service/:service?peer=. */
export function importedServiceEntries(st: CatalogStore, peer: string, service: string, filter: HealthServiceFilter): Indexed<ServiceEntry[]> {
  const v = peerView(st, peer);
  return { index: v.index, value: toEntries(v, peer, instancesOf(v, service), filter), watch: v.watch };
}

/**
 * GET /v1/health/connect/:service?peer=: the peer's instances that take mesh traffic for
 * `service` (Consul's connect index over the rows with that PeerName): its connect proxies and
 * Connect-native instances, among everything the peer exports here.
 */
export function importedConnectEntries(st: CatalogStore, peer: string, service: string, filter: HealthServiceFilter): Indexed<ServiceEntry[]> {
  const v = peerView(st, peer);
  const want = lower(service);
  const found = Object.values(v.services).flat().filter((i) => connectNameOf(i.Service) === want);
  return { index: v.index, value: toEntries(v, peer, found, filter), watch: v.watch };
}

/** Imported instances as health entries, stamped with the peer, after `?node-meta`, `?tag` and `?passing`. */
function toEntries(v: PeerView, peer: string, instances: ImportedInstance[], filter: HealthServiceFilter): ServiceEntry[] {
  return instances
    .filter((i) => metaMatches(i.Node.Meta, filter.nodeMeta) && tagsMatch(i.Service.Tags, filter.tags))
    .filter((i) => !filter.passing || i.Checks.every((c) => c.Status === 'passing'))
    .map((i) => ({
      Node: { ...toCatalogNode(i.Node, v.datacenter), PeerName: peer },
      Service: { ...toNodeService(i.Service), PeerName: peer },
      Checks: i.Checks.map((c) => ({ ...toHealthCheck(c), PeerName: peer })),
    }));
}

/**
 * GET /v1/catalog/node/:node?peer= (and the DNS name `<node>.node.<peer>.peer`): a node the peer
 * exports instances on, with those instances; `null` when it exports none there.
 */
export function importedNode(st: CatalogStore, peer: string, node: string): Indexed<NodeServices | null> {
  const v = peerView(st, peer);
  const want = lower(node);
  const here = Object.values(v.services).flat().filter((i) => lower(i.Node.Node) === want);
  if (here.length === 0) return { index: v.index, value: null, watch: v.watch };
  const services = Object.fromEntries(
    here.sort((a, b) => byString(a.Service.ID, b.Service.ID)).map((i): [string, NodeService] => [i.Service.ID, { ...toNodeService(i.Service), PeerName: peer }]),
  );
  return { index: v.index, value: { Node: { ...toCatalogNode(here[0]!.Node, v.datacenter), PeerName: peer }, Services: services }, watch: v.watch };
}
