/**
 * The exported-services kind (Consul's agent/structs/config_entry_exports.go and, for CE,
 * config_entry_exports_ce.go and validateExportedServicesName): which local services each
 * cluster peer may import. Its struct has no Kind field (MarshalJSON puts Kind first).
 */
import { metaErrors } from './validate.js';
import { multiError, o, f, type StructType } from './schema.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const WILDCARD = '*';

/** structs.ExportedServicesConfigEntry (CE: no EnterpriseMeta fields). */
export const EXPORTED_SERVICES: StructType = {
  fields: [
    f('Name', 'string'),
    o('Services', {
      list: {
        fields: [
          f('Name', 'string'), o('Namespace', 'string'),
          o('Consumers', { list: { fields: [o('Partition', 'string'), o('Peer', 'string', 'peer_name'), o('SamenessGroup', 'string', 'sameness_group')] } }),
        ],
      },
    }),
    o('Meta', 'stringMap'),
  ],
};

/** Normalize (CE: nothing to fill) then Validate, with Consul's texts. */
export function exportedServices(e: Obj): string | undefined {
  if (e.Name !== 'default') return 'exported-services Name must be "default"';
  const meta = metaErrors(e.Meta);
  if (meta.length > 0) return multiError(meta);
  const services = list(e.Services);
  // validateServicesEnterprise (CE).
  for (const [i, svc] of services.entries()) {
    for (const [j, c] of list(svc.Consumers).entries()) {
      if (str(c.Partition) !== '' && c.Partition !== 'default') return `Services[${i}].Consumers[${j}]: partitions are an enterprise-only feature`;
      if (str(c.SamenessGroup) !== '') return `Services[${i}].Consumers[${j}]: sameness-groups are an enterprise-only feature`;
    }
  }
  for (const [i, svc] of services.entries()) {
    if (str(svc.Name) === '') return `Services[${i}]: service name cannot be empty`;
    if (svc.Namespace === WILDCARD && svc.Name !== WILDCARD) return `Services[${i}]: service name must be wildcard if namespace is wildcard`;
    const consumers = list(svc.Consumers);
    if (consumers.length === 0) return `Services[${i}]: must have at least one consumer`;
    for (const [j, c] of consumers.entries()) {
      const count = [c.Peer, c.Partition, c.SamenessGroup].filter((v) => str(v) !== '').length;
      if (count > 1) return `Services[${i}].Consumers[${j}]: must define at most one of Peer, Partition, or SamenessGroup`;
      if (c.Partition === WILDCARD) return `Services[${i}].Consumers[${j}]: exporting to all partitions (wildcard) is not supported`;
      if (c.Peer === WILDCARD) return `Services[${i}].Consumers[${j}]: exporting to all peers (wildcard) is not supported`;
    }
  }
  return undefined;
}

/** The names of the services an exported-services entry exports to `peer` ("*": every service). */
export function servicesExportedTo(entry: Obj | undefined, peer: string): string[] {
  const out: string[] = [];
  for (const svc of list(entry?.Services)) {
    if (list(svc.Consumers).some((c) => str(c.Peer).toLowerCase() === peer.toLowerCase())) out.push(str(svc.Name));
  }
  return out;
}

/** api.ResolvedExportedService as Consul CE serves it: Peers is omitempty, Partitions never set. */
export interface ResolvedExportedService {
  Service: string;
  Consumers: { Peers?: string[] };
}

/**
 * GET /v1/exported-services (Consul CE's resolvedExportedServicesTxn, getUniqueExportedServices
 * and prepareExportedServicesResponse in agent/consul/state): the entry's services with `*`
 * expanded to the typical services, `consul` left out, one row per service with its consumer
 * peers merged, sorted and deduplicated, rows sorted by name.
 */
export function resolveExportedServices(entry: Obj | undefined, typicalServices: () => string[]): ResolvedExportedService[] {
  const peersOf = new Map<string, Set<string>>();
  const add = (name: string, consumers: Obj[]): void => {
    if (name === 'consul') return;
    let peers = peersOf.get(name);
    if (!peers) peersOf.set(name, (peers = new Set()));
    for (const c of consumers) if (str(c.Peer) !== '') peers.add(str(c.Peer));
  };
  for (const svc of list(entry?.Services)) {
    const consumers = list(svc.Consumers);
    // A service with no consumers is no row (the map of consumers stays empty in Consul).
    if (consumers.length === 0) continue;
    if (svc.Name === WILDCARD) for (const name of typicalServices()) add(name, consumers);
    else add(str(svc.Name), consumers);
  }
  return [...peersOf.keys()].sort().map((name) => {
    const peers = [...peersOf.get(name)!].sort();
    return { Service: name, Consumers: peers.length > 0 ? { Peers: peers } : {} };
  });
}
