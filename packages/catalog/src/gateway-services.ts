/**
 * The gateway-services index (Consul's agent/consul/state/catalog.go, table gateway-services:
 * updateGatewayServices, updateGatewayNamespace, checkGatewayWildcardsAndUpdate,
 * cleanupGatewayWildcards): which services each ingress and terminating gateway fronts.
 * Derived on read from the config entries and the services table, so a snapshot restore and a
 * rolled-back transaction need nothing of their own (the connect index is kept the same way).
 *
 * An entry names services, or `*`: every service name with a typical instance (not "consul")
 * that an ingress gateway can reach (it has a proxy or a Connect-native instance) or a
 * terminating gateway can reach (it has an instance that is not Connect-native; for a
 * terminating gateway also the service-defaults with a Destination). A named service takes the
 * place of the wildcard's mapping on the same port. Mappings carry their entry's ModifyIndex, a
 * wildcard's the later of that and the service's first instance, which is what Consul's table
 * holds after a snapshot restore.
 */
import type { ConfigEntry } from './config-entry-types.js';
import { serviceProtocol } from './discovery-chain/compile.js';
import { CONFIG_ENTRIES_WATCH_KEY } from './config-entry-store.js';
import type { ServiceRecord } from './records.js';
import type { CatalogStore } from './store.js';
import type { WatchKey } from './types.js';
import { lower } from './util.js';

export type GatewayKind = 'ingress-gateway' | 'terminating-gateway';

/** structs.GatewayService as JSON (OSS: a ServiceName is just its Name). */
export interface GatewayService {
  Gateway: { Name: string };
  Service: { Name: string };
  GatewayKind: GatewayKind;
  Port?: number;
  Protocol?: string;
  Hosts?: string[];
  CAFile?: string;
  CertFile?: string;
  KeyFile?: string;
  SNI?: string;
  FromWildcard?: boolean;
  /** structs.GatewayServiceKind: "service" (it has instances) or "destination" (service-defaults Destination). */
  ServiceKind?: 'service' | 'destination';
  CreateIndex: number;
  ModifyIndex: number;
}

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const WILDCARD = '*';
/** The watch key of the services table (any instance registered or removed). */
const SERVICES_TABLE_KEY: WatchKey = 'services';

/** The gateway entry of `gateway` (case-insensitive), either kind. */
function gatewayEntry(st: CatalogStore, gateway: string): ConfigEntry | undefined {
  return st.configEntries.get('ingress-gateway', gateway) ?? st.configEntries.get('terminating-gateway', gateway);
}

/** A mapping in GatewayService's JSON field order, without its empty fields (omitempty). */
function mapping(m: Omit<GatewayService, 'CreateIndex' | 'ModifyIndex'>, index: number): GatewayService {
  const out: Obj = { Gateway: m.Gateway, Service: m.Service, GatewayKind: m.GatewayKind };
  for (const k of ['Port', 'Protocol', 'Hosts', 'CAFile', 'CertFile', 'KeyFile', 'SNI', 'FromWildcard', 'ServiceKind'] as const) {
    const v = m[k];
    if (v === undefined || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return { ...(out as Omit<GatewayService, 'CreateIndex' | 'ModifyIndex'>), CreateIndex: index, ModifyIndex: index };
}

/** GatewayServiceKind: "service" when it has instances, "destination" for a service-defaults Destination. */
function serviceKindOf(st: CatalogStore, name: string): 'service' | 'destination' | undefined {
  if ((st.servicesByName.get(lower(name))?.size ?? 0) > 0) return 'service';
  const sd = st.configEntries.get('service-defaults', name);
  return sd && sd.Destination ? 'destination' : undefined;
}

/** A service name the wildcard of `kind` covers, with the CreateIndex of its first such instance. */
interface Covered {
  name: string;
  firstIndex: number;
  serviceKind?: 'service' | 'destination';
}

const earliest = (instances: readonly ServiceRecord[]): number => Math.min(...instances.map((s) => s.CreateIndex));

/** The service names a wildcard of `kind` covers (serviceHasConnectInstances' rules), by name. */
function wildcardCovered(st: CatalogStore, kind: GatewayKind): Covered[] {
  const out: Covered[] = [];
  for (const [nameKey, byKey] of st.servicesByName) {
    const typical = [...byKey.values()].filter((s) => s.Kind === '');
    if (typical.length === 0 || nameKey === 'consul') continue;
    const name = typical[0]!.Service;
    let firstIndex: number;
    if (kind === 'ingress-gateway') {
      // Covered once it has both a typical instance and a proxy (or is Connect-native).
      const connect = st.connect.instances(nameKey);
      if (!connect || connect.size === 0) continue;
      firstIndex = Math.max(earliest(typical), earliest([...connect.values()]));
    } else {
      const plain = [...byKey.values()].filter((s) => s.Connect?.['Native'] !== true);
      if (plain.length === 0) continue;
      firstIndex = earliest(plain);
    }
    out.push({ name, firstIndex, ...(kind === 'terminating-gateway' ? { serviceKind: 'service' as const } : {}) });
  }
  if (kind === 'terminating-gateway') {
    for (const sd of st.configEntries.list('service-defaults')) {
      if (!sd.Destination || out.some((c) => lower(c.name) === lower(sd.Name ?? ''))) continue;
      out.push({ name: sd.Name ?? '', firstIndex: sd.CreateIndex, serviceKind: 'destination' });
    }
  }
  return out;
}

/** Every mapping of one gateway entry, including the `*` rows themselves (Consul keeps them). */
function entryMappings(st: CatalogStore, entry: ConfigEntry): GatewayService[] {
  const gateway = { Name: entry.Name ?? '' };
  const idx = entry.ModifyIndex;
  const out: GatewayService[] = [];
  if (entry.Kind === 'ingress-gateway') {
    const listeners = list(entry.Listeners);
    const named = new Set(listeners.flatMap((l) => list(l.Services).map((s) => `${lower(str(s.Name))}\0${String(l.Port)}`)));
    let covered: Covered[] | undefined;
    for (const l of listeners) {
      const base = { Gateway: gateway, GatewayKind: 'ingress-gateway' as const, Port: l.Port as number, Protocol: str(l.Protocol) };
      for (const s of list(l.Services)) {
        const row = mapping({ ...base, Service: { Name: str(s.Name) }, Hosts: (s.Hosts as string[] | null) ?? undefined }, idx);
        out.push(row);
        if (str(s.Name) !== WILDCARD) continue;
        covered ??= wildcardCovered(st, 'ingress-gateway');
        for (const c of covered) {
          if (named.has(`${lower(c.name)}\0${String(l.Port)}`)) continue;
          out.push(mapping({ ...base, Service: { Name: c.name }, FromWildcard: true }, Math.max(idx, c.firstIndex)));
        }
      }
    }
  } else {
    const services = list(entry.Services);
    const named = new Set(services.map((s) => lower(str(s.Name))));
    for (const s of services) {
      const tls = { CAFile: str(s.CAFile), CertFile: str(s.CertFile), KeyFile: str(s.KeyFile), SNI: str(s.SNI) };
      const base = { Gateway: gateway, GatewayKind: 'terminating-gateway' as const, ...tls };
      const name = str(s.Name);
      out.push(mapping({ ...base, Service: { Name: name }, ServiceKind: name === WILDCARD ? undefined : serviceKindOf(st, name) }, idx));
      if (name !== WILDCARD) continue;
      for (const c of wildcardCovered(st, 'terminating-gateway')) {
        if (named.has(lower(c.name))) continue;
        out.push(mapping({ ...base, Service: { Name: c.name }, FromWildcard: true, ServiceKind: c.serviceKind }, Math.max(idx, c.firstIndex)));
      }
    }
  }
  return out;
}

const hasWildcard = (entry: ConfigEntry): boolean =>
  entry.Kind === 'ingress-gateway' ? list(entry.Listeners).some((l) => list(l.Services).some((s) => s.Name === WILDCARD)) : list(entry.Services).some((s) => s.Name === WILDCARD);

/** The rows served, by service name then port (the table's gateway index order). */
const byServiceThenPort = (a: GatewayService, b: GatewayService): number =>
  a.Service.Name < b.Service.Name ? -1 : a.Service.Name > b.Service.Name ? 1 : (a.Port ?? 0) - (b.Port ?? 0);

/**
 * GatewayServices (state/catalog.go): the services `gateway` fronts, without the `*` rows and
 * without a wildcard's services whose protocol is not the listener's (checkProtocolMatch).
 */
export function gatewayServices(st: CatalogStore, gateway: string): { index: number; value: GatewayService[]; watch: WatchKey[] } {
  const entry = gatewayEntry(st, gateway);
  const watch: WatchKey[] = [CONFIG_ENTRIES_WATCH_KEY];
  let index = st.configEntries.index;
  if (!entry) return { index: Math.max(1, index), value: [], watch };
  if (hasWildcard(entry)) {
    watch.push(SERVICES_TABLE_KEY);
    index = Math.max(index, st.tables.services);
  }
  const value = entryMappings(st, entry)
    .filter((m) => m.Service.Name !== WILDCARD)
    .filter((m) => m.GatewayKind !== 'ingress-gateway' || !m.FromWildcard || serviceProtocol(st.configEntries, m.Service.Name) === m.Protocol)
    .sort(byServiceThenPort);
  for (const m of value) index = Math.max(index, m.ModifyIndex);
  return { index: Math.max(1, index), value, watch };
}

/**
 * serviceGatewayNodes' first half: the gateways of `kind` that front `service` (named, or
 * through a wildcard), with the highest ModifyIndex of those mappings; by gateway name.
 */
export function gatewaysOfService(st: CatalogStore, service: string, kind: GatewayKind): { gateways: string[]; index: number } {
  const want = lower(service);
  const gateways = new Map<string, string>();
  let index = 0;
  for (const entry of st.configEntries.list(kind)) {
    for (const m of entryMappings(st, entry)) {
      if (lower(m.Service.Name) !== want) continue;
      gateways.set(lower(m.Gateway.Name), m.Gateway.Name);
      index = Math.max(index, m.ModifyIndex);
    }
  }
  return { gateways: [...gateways.keys()].sort().map((k) => gateways.get(k)!), index };
}
