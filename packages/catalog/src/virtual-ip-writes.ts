/**
 * When catalog writes give and take back virtual IPs (Consul's agent/consul/state/catalog.go
 * ensureServiceTxn / deleteServiceTxn / freeServiceVirtualIP, config_entry.go
 * ensureConfigEntryTxn): a connect-proxy or Connect-native instance gives its service name an
 * address and carries it as the `consul-virtual` tagged address; a service-resolver, -router or
 * -splitter gives its name one too, and so does a terminating gateway for the services it links
 * (terminating-gateway-vips.ts). The address goes back when the name has no instance left, no
 * config entry of the kinds below names it and no terminating gateway links it.
 */
import { isIP } from 'node:net';
import type { ApplyResult } from './commands.js';
import { configEntryName } from './config-entry/index.js';
import type { ConfigEntryCommand } from './config-entry-types.js';
import { CONNECT_PROXY_KIND } from './connect-index.js';
import type { ServiceRecord } from './records.js';
import type { CatalogStore } from './store.js';
import { gatewaysOfService } from './gateway-services.js';
import { gatewayVirtualIPNames, withGatewayVirtualIPs } from './terminating-gateway-vips.js';
import { TAGGED_ADDRESS_VIRTUAL_IP, VIRTUAL_IPS_EXHAUSTED, type ServiceVirtualIPSetCommand } from './virtual-ips.js';
import { fail, lower } from './util.js';

/** Config entry kinds whose writing assigns their name a virtual IP. */
export const VIP_ASSIGNING_KINDS = ['service-resolver', 'service-router', 'service-splitter'];
/** Config entry kinds that keep their name's virtual IP from being freed. */
const VIP_KEEPING_KINDS = [...VIP_ASSIGNING_KINDS, 'service-defaults', 'service-intentions'];

/**
 * The service name whose virtual IP an instance carries: a proxy's destination, a
 * Connect-native instance's own name; undefined for any other instance.
 */
export function virtualIPServiceOf(rec: ServiceRecord): string | undefined {
  if (rec.Kind === CONNECT_PROXY_KIND) {
    const dest = rec.Proxy?.['DestinationServiceName'];
    return typeof dest === 'string' && dest !== '' ? dest : undefined;
  }
  return rec.Connect?.['Native'] === true && rec.Service !== '' ? rec.Service : undefined;
}

/** Consul's registration error when `rec` needs a virtual IP and none is left, else undefined. */
export function virtualIPError(st: CatalogStore, rec: ServiceRecord): string | undefined {
  const name = virtualIPServiceOf(rec);
  if (name !== undefined && !st.virtualIPs.canAssign(name)) return `failed inserting service: failed updating virtual IP: ${VIRTUAL_IPS_EXHAUSTED}`;
  if (!st.virtualIPs.canAssignAll(gatewayVirtualIPNames(st, rec))) return `failed inserting service: ${VIRTUAL_IPS_EXHAUSTED}`;
  return undefined;
}

/**
 * `rec` with its service's virtual IP as `consul-virtual` (assigned at `idx` when new) and, on a
 * terminating gateway, those of the services it links; others unchanged. `peer`: the peering an
 * imported instance came from (its address is keyed by peer and name, as Consul's
 * ensureServiceTxn with a PeerName).
 */
export function withVirtualIP(st: CatalogStore, idx: number, rec: ServiceRecord, peer = ''): ServiceRecord {
  const name = virtualIPServiceOf(rec);
  const out = peer === '' ? withGatewayVirtualIPs(st, idx, rec) : rec;
  if (name === undefined) return out;
  const vip = st.virtualIPs.assign(name, idx, peer);
  return { ...out, TaggedAddresses: { ...out.TaggedAddresses, [TAGGED_ADDRESS_VIRTUAL_IP]: { Address: vip, Port: rec.Port } } };
}

/** Whether a service named `service` has an instance here (`peer` ''), or imported from `peer`. */
function hasInstances(st: CatalogStore, service: string, peer: string): boolean {
  if (peer === '') return (st.servicesByName.get(lower(service))?.size ?? 0) > 0;
  const imported = st.peerings.importsOf(peer).services;
  return Object.entries(imported).some(([name, list]) => lower(name) === lower(service) && list.length > 0);
}

/**
 * freeServiceVirtualIP: gives back the address of `service` (of `peer`) when nothing holds it
 * any more. As in Consul, the config entries and terminating gateways that hold an address are
 * looked up by name alone, whatever the peer; `excludeGateway` is a gateway whose links no longer count.
 */
export function freeVirtualIPIfUnused(st: CatalogStore, idx: number, service: string, peer = '', excludeGateway?: string): void {
  if (st.virtualIPs.get(service, peer) === undefined) return;
  if (hasInstances(st, service, peer)) return;
  if (VIP_KEEPING_KINDS.some((kind) => st.configEntries.get(kind, service) !== undefined)) return;
  const gateways = gatewaysOfService(st, service, 'terminating-gateway').gateways;
  if (gateways.some((g) => excludeGateway === undefined || lower(g) !== lower(excludeGateway))) return;
  st.virtualIPs.free(service, idx, peer);
}

/** A config entry write that succeeded: a resolver, router or splitter's name gets an address, a deletion may free one. */
export function configEntryVirtualIP(st: CatalogStore, idx: number, c: ConfigEntryCommand): void {
  const kind = lower(c.Entry.Kind);
  const name = configEntryName(c.Entry.Kind, c.Entry);
  if (name === '') return;
  if (c.Op === 'upsert' || c.Op === 'upsert-cas') {
    if (VIP_ASSIGNING_KINDS.includes(kind) && st.configEntries.get(kind, name) !== undefined && st.virtualIPs.canAssign(name)) {
      st.virtualIPs.assign(name, idx);
    }
  } else if (VIP_ASSIGNING_KINDS.includes(kind)) {
    // deleteConfigEntryTxn frees only for these kinds; a service-defaults or service-intentions
    // entry holds an address while it exists, and its deletion frees nothing.
    freeVirtualIPIfUnused(st, idx, name);
  }
}

/** Most manual addresses one service may hold (a bound of Proconsul's). */
export const MANUAL_VIPS_MAX = 256;

/** AssignManualServiceVIPs through the log: the addresses are checked again here, as input of the log. */
export function setManualVirtualIPs(st: CatalogStore, idx: number, c: ServiceVirtualIPSetCommand): ApplyResult {
  if (typeof c.Service !== 'string' || c.Service === '') return fail('Must provide a service name');
  if (!Array.isArray(c.ManualVIPs) || c.ManualVIPs.length > MANUAL_VIPS_MAX) return fail(`ManualVIPs must be a list of at most ${MANUAL_VIPS_MAX} addresses`);
  for (const ip of c.ManualVIPs) {
    if (typeof ip !== 'string' || isIP(ip) !== 4) return fail(`${JSON.stringify(ip)} is not a valid IPv4 address`);
  }
  const r = st.virtualIPs.setManual(c.Service, c.ManualVIPs, idx);
  return { ok: true, manualVIPs: r };
}
