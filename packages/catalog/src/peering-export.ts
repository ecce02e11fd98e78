/**
 * What an importing cluster receives for a service exported to it (Consul's peerstream
 * subscription_manager.go, handleEvent, filterConnectReferences, flattenChecks,
 * createDiscoChainHealth):
 * - the service's typical instances only, without Connect, Proxy or `consul-virtual`, each with
 *   its checks (node checks too) folded into one `<service id>:overall-check`; a name ending in
 *   `-sidecar-proxy` is never sent as it is, since that name is taken by the next item;
 * - for a service in the mesh (a sidecar proxy or Connect-native instance names it), a synthetic
 *   `<service>-sidecar-proxy` with one connect-proxy instance per mesh gateway of this cluster,
 *   at the gateway's address: the importer's mesh reaches the service through the gateways.
 */
import { CONFIG_ENTRIES_WATCH_KEY } from './config-entry-store.js';
import { CONNECT_CA_WATCH_KEY } from './connect-ca.js';
import { CONNECT_PROXY_KIND } from './connect-index.js';
import { serviceProtocol } from './discovery-chain/compile.js';
import type { ImportedInstance } from './peering-types.js';
import type { CheckRecord, ServiceRecord } from './records.js';
import { instanceEntries } from './service-entries.js';
import type { CatalogStore } from './store.js';
import type { CheckStatus, Indexed } from './types.js';
import { TAGGED_ADDRESS_VIRTUAL_IP } from './virtual-ips.js';
import { lower } from './util.js';
import { serviceWatchKey } from './watch.js';

/** syntheticProxyNameSuffix: the name the synthetic proxies of an exported mesh service take. */
export const SYNTHETIC_PROXY_SUFFIX = '-sidecar-proxy';
const MESH_GATEWAY_KIND = 'mesh-gateway';

/** Who the export is for and who exports (with the CA's trust domain, what PeerMeta is made of). */
export interface ExportingCluster {
  /** The peering's name here (the SNI's peer label). */
  peer: string;
  datacenter: string;
}

/** A local service's instances as they are replicated to a peer, with the index and watch keys to follow them. */
export function exportedInstances(st: CatalogStore, service: string): Indexed<ImportedInstance[]> {
  const nameKey = lower(service);
  const kept = lower(service).endsWith(SYNTHETIC_PROXY_SUFFIX) ? [] : st.sortedInstances(nameKey).filter((s) => s.Kind === '');
  const value = instanceEntries(st, kept, {}).map((e) => ({
    Node: e.node,
    Service: withoutConnect(e.service),
    Checks: flattenChecks(e.node.Node, e.service.ID, e.service.Service, e.checks),
  }));
  return { index: Math.max(1, st.serviceIndex(nameKey)), value, watch: [serviceWatchKey(nameKey)] };
}

/**
 * The synthetic `<service>-sidecar-proxy` instances of an exported service in the mesh, one per
 * mesh gateway here; undefined when no proxy or Connect-native instance names the service.
 */
export function exportedMeshProxies(st: CatalogStore, service: string, from: ExportingCluster): Indexed<ImportedInstance[]> | undefined {
  const nameKey = lower(service);
  const watch = [serviceWatchKey(nameKey), 'services', CONFIG_ENTRIES_WATCH_KEY, CONNECT_CA_WATCH_KEY];
  const index = Math.max(1, st.serviceIndex(nameKey), st.tableIndex('services'), st.configEntries.index, st.connectCA.configIndex);
  if ((st.connect.instances(nameKey)?.size ?? 0) === 0) return undefined;
  const gateways: ServiceRecord[] = [];
  for (const key of st.servicesByName.keys()) gateways.push(...st.sortedInstances(key).filter((s) => s.Kind === MESH_GATEWAY_KIND));
  const name = `${service}${SYNTHETIC_PROXY_SUFFIX}`;
  // connect.TrustDomain: the cluster ID as a host under `.consul`.
  const trustDomain = st.connectCA.config ? `${st.connectCA.config.ClusterID}.consul`.toLowerCase() : '';
  const peerMeta = peerMetaOf(service, from, trustDomain, serviceProtocol(st.configEntries, service));
  const value = instanceEntries(st, gateways, {}).map((e, i): ImportedInstance => {
    // The gateway's ID is never empty here, so Consul's `-instance-<i>` IDs always apply.
    const id = `${name}-instance-${i}`;
    const proxy: ServiceRecord = {
      Node: e.service.Node, Kind: CONNECT_PROXY_KIND, ID: id, Service: name, Tags: [],
      Address: e.service.Address, TaggedAddresses: e.service.TaggedAddresses, Meta: {}, Port: e.service.Port,
      SocketPath: e.service.SocketPath, Weights: e.service.Weights, EnableTagOverride: false,
      Proxy: { DestinationServiceName: service, DestinationServiceID: `${service}-instance-${i}` },
      Connect: { PeerMeta: peerMeta },
      CreateIndex: 0, ModifyIndex: 0,
    };
    return { Node: e.node, Service: proxy, Checks: flattenChecks(e.node.Node, id, name, e.checks) };
  });
  return { index, value, watch };
}

/** PeeringServiceMeta: the SNI and SPIFFE IDs the importer's proxies dial the service with (connect.PeeredServiceSNI). */
function peerMetaOf(service: string, from: ExportingCluster, trustDomain: string, protocol: string): Record<string, unknown> {
  return {
    SNI: [`${service}.default.default.${from.peer}.external.${trustDomain}`],
    SpiffeID: [`spiffe://${trustDomain}/ns/default/dc/${from.datacenter}/svc/${service}`, `spiffe://${trustDomain}/gateway/mesh/dc/${from.datacenter}`],
    Protocol: protocol,
  };
}

/** Connect and Proxy removed, and with them the virtual IP, which means nothing in the importing cluster. */
function withoutConnect(s: ServiceRecord): ServiceRecord {
  if (s.Connect === null && s.Proxy === null) return s;
  const rest = Object.entries(s.TaggedAddresses ?? {}).filter(([k]) => k !== TAGGED_ADDRESS_VIRTUAL_IP);
  const tagged = rest.length > 0 ? Object.fromEntries(rest) : null;
  return { ...s, Connect: null, Proxy: null, TaggedAddresses: tagged };
}

/** Status precedence of getMostImportantStatus (maintenance wins; then critical, warning, passing). */
const STATUS_SCORE: Record<string, number> = { maintenance: 1, critical: 2, warning: 3, passing: 4 };

/** flattenChecks: one check with the instance's aggregated status; none when it has none. */
function flattenChecks(node: string, serviceID: string, serviceName: string, checks: CheckRecord[]): CheckRecord[] {
  if (checks.length === 0) return [];
  let status = 'passing';
  for (const c of checks) {
    if (c.CheckID === '_node_maintenance' || c.CheckID.startsWith('_service_maintenance:')) {
      status = 'maintenance';
      break;
    }
    if ((STATUS_SCORE[c.Status] ?? 0) < (STATUS_SCORE[status] ?? 0)) status = c.Status;
  }
  const id = serviceID === '' ? serviceName : serviceID;
  return [{
    Node: node, CheckID: `${id}:overall-check`, Name: 'overall-check', Status: status as CheckStatus, Notes: '', Output: '',
    ServiceID: id, ServiceName: serviceName, ServiceTags: [], Type: '', Interval: '', Timeout: '', ExposedPort: 0,
    Definition: {}, CreateIndex: 0, ModifyIndex: 0,
  }];
}
