/**
 * Virtual IPs of the services a terminating gateway links (Consul's agent/consul/state/catalog.go
 * getTermGatewayVirtualIPs, updateTerminatingGatewayVirtualIPs and ensureServiceTxn): every name
 * in a terminating-gateway entry's `Services` (`*` included, as Consul does) gets an address of
 * this cluster, and each instance of the gateway carries them as the tagged addresses
 * `consul-virtual:<service>` (an Address, Port 0). A write of the entry that changes its
 * `Services` rewrites those addresses on the gateway's instances and frees the addresses of the
 * services it no longer links, when they have no connect instance and nothing else holds them.
 * Deleting the entry changes nothing here, as in Consul: the addresses go with the services'
 * last instances (deleteServiceTxn).
 */
import { ensureService } from './catalog-writes.js';
import type { ConfigEntry, ConfigEntryCommand } from './config-entry-types.js';
import type { ServiceRecord } from './records.js';
import type { CatalogStore } from './store.js';
import { freeVirtualIPIfUnused } from './virtual-ip-writes.js';
import { TAGGED_ADDRESS_VIRTUAL_IP, VIRTUAL_IPS_EXHAUSTED } from './virtual-ips.js';
import { isObj } from './shape-check.js';
import { fail, lower } from './util.js';
import type { ApplyResult } from './commands.js';

const GATEWAY_KIND = 'terminating-gateway';
/** structs.ServiceGatewayVirtualIPTag: `consul-virtual:` + the service name (CE). */
const TAG_PREFIX = `${TAGGED_ADDRESS_VIRTUAL_IP}:`;

type TaggedAddresses = NonNullable<ServiceRecord['TaggedAddresses']>;

/** The service names an entry links, in its order. */
function linkedNames(entry: ConfigEntry | undefined): string[] {
  const services = Array.isArray(entry?.['Services']) ? (entry['Services'] as Array<Record<string, unknown>>) : [];
  return services.map((s) => (typeof s?.['Name'] === 'string' ? s['Name'] : '')).filter((n) => n !== '');
}

/** The names whose addresses an instance of a terminating gateway carries (none for any other instance). */
export function gatewayVirtualIPNames(st: CatalogStore, rec: ServiceRecord): string[] {
  if (rec.Kind !== GATEWAY_KIND) return [];
  return linkedNames(st.configEntries.get(GATEWAY_KIND, rec.Service));
}

/** getTermGatewayVirtualIPs: `consul-virtual:<name>` -> the address of each name (assigned at `idx` when new). */
function gatewayAddresses(st: CatalogStore, idx: number, names: string[]): TaggedAddresses {
  const out: TaggedAddresses = {};
  for (const name of names) out[TAG_PREFIX + name] = { Address: st.virtualIPs.assign(name, idx), Port: 0 };
  return out;
}

/** A terminating gateway's instance with the addresses of the services its entry links; others unchanged. */
export function withGatewayVirtualIPs(st: CatalogStore, idx: number, rec: ServiceRecord): ServiceRecord {
  const names = gatewayVirtualIPNames(st, rec);
  if (names.length === 0) return rec;
  return { ...rec, TaggedAddresses: { ...rec.TaggedAddresses, ...gatewayAddresses(st, idx, names) } };
}

/** Whether `c` writes a terminating-gateway entry (a command not yet checked may be malformed). */
const writesGatewayEntry = (c: ConfigEntryCommand): boolean =>
  isObj(c.Entry) && typeof c.Entry.Kind === 'string' && lower(c.Entry.Kind) === GATEWAY_KIND && (c.Op === 'upsert' || c.Op === 'upsert-cas');

const entryOf = (st: CatalogStore, c: ConfigEntryCommand): ConfigEntry | undefined =>
  st.configEntries.get(GATEWAY_KIND, typeof c.Entry.Name === 'string' ? c.Entry.Name : '');

/** The terminating-gateway entry `c` is about to replace, if any (for gatewayEntryWritten). */
export function gatewayEntryBefore(st: CatalogStore, c: ConfigEntryCommand): ConfigEntry | undefined {
  return writesGatewayEntry(c) ? entryOf(st, c) : undefined;
}

/** The error of a terminating-gateway entry write whose new links cannot all get an address. */
export function gatewayEntryVirtualIPError(st: CatalogStore, c: ConfigEntryCommand): ApplyResult | undefined {
  if (!writesGatewayEntry(c) || st.virtualIPs.canAssignAll(linkedNames(c.Entry))) return undefined;
  return fail(`failed to associate services to gateway: ${VIRTUAL_IPS_EXHAUSTED}`);
}

/**
 * updateTerminatingGatewayVirtualIPs, after a config entry command succeeded: when it wrote a
 * terminating-gateway entry whose `Services` differ from `before`'s, the linked services get
 * their addresses, the gateway's instances carry exactly those, and the services it dropped
 * give theirs back when nothing else holds them.
 */
export function gatewayEntryWritten(st: CatalogStore, idx: number, before: ConfigEntry | undefined, c: ConfigEntryCommand): void {
  if (!writesGatewayEntry(c)) return;
  const entry = entryOf(st, c);
  if (!entry || entry.ModifyIndex !== idx) return; // a refused CAS wrote nothing
  if (before && JSON.stringify(before['Services'] ?? null) === JSON.stringify(entry['Services'] ?? null)) return;
  const gateway = entry.Name ?? '';
  const names = linkedNames(entry);
  const addrs = gatewayAddresses(st, idx, names);

  for (const rec of [...(st.servicesByName.get(lower(gateway))?.values() ?? [])]) {
    const kept = Object.entries(rec.TaggedAddresses ?? {}).filter(([k]) => !k.startsWith(TAG_PREFIX));
    const next: TaggedAddresses = { ...Object.fromEntries(kept), ...addrs };
    const tagged = Object.keys(next).length > 0 ? next : null;
    if (JSON.stringify(tagged) === JSON.stringify(rec.TaggedAddresses ?? null)) continue;
    ensureService(st, idx, lower(rec.Node), { ...rec, TaggedAddresses: tagged, ModifyIndex: idx });
  }

  const linked = new Set(names.map(lower));
  for (const name of linkedNames(before)) {
    if (linked.has(lower(name)) || (st.connect.instances(lower(name))?.size ?? 0) > 0) continue;
    freeVirtualIPIfUnused(st, idx, name, '', gateway);
  }
}
