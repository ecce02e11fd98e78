/**
 * Virtual IPs of mesh services (Consul's agent/consul/state/catalog.go: assignServiceVirtualIP,
 * freeServiceVirtualIP, AssignManualServiceVIPs; tables `service-virtual-ips` and
 * `free-virtual-ips` in catalog_schema.go). A service name gets one address of 240.0.0.0/4,
 * kept as an offset from 240.0.0.0: a freed offset is reused first, else the counter moves on
 * (the first is 240.0.0.1). The counter never passes 15.255.255.254, as in Consul.
 * Entries are keyed by peer and service name, as Consul's PeeredServiceName (catalog_schema.go
 * indexFromPeeredServiceName, both lowercased): '' is this cluster, else the local name of the
 * peering a service was imported from.
 */
import { byString, lower } from './util.js';

/** structs.TaggedAddressVirtualIP: the tagged address that carries a service's virtual IP. */
export const TAGGED_ADDRESS_VIRTUAL_IP = 'consul-virtual';

/** Consul's virtualIPMaxOffset (15.255.255.254): the counter may not reach it. */
const MAX_OFFSET = 0x0fff_fffe;
/** Consul's startingVirtualIP, 240.0.0.0. */
const START = 240 * 2 ** 24;

export const VIRTUAL_IPS_EXHAUSTED = 'cannot allocate any more unique service virtual IPs';

/** PUT /v1/internal/service-virtual-ip through the log (Consul's UpdateVirtualIPRequestType). */
export interface ServiceVirtualIPSetCommand {
  Type: 'ServiceVirtualIPSet';
  Service: string;
  ManualVIPs: string[];
}

export interface ServiceVirtualIP {
  /** The service name as first written. */
  Service: string;
  /** The peering the service was imported from; absent for this cluster's (and in older snapshots). */
  Peer?: string;
  /** Offset from 240.0.0.0. */
  Offset: number;
  /** Extra addresses set through PUT /v1/internal/service-virtual-ip. */
  ManualIPs: string[];
  CreateIndex: number;
  ModifyIndex: number;
}

export interface VirtualIPSnapshot {
  Index: number;
  /** The last offset the counter gave out (0: none yet). */
  Counter: number;
  /** Freed offsets, ascending. */
  Free: number[];
  Services: ServiceVirtualIP[];
}

/** 240.0.0.0 + offset as a dotted quad. */
export function virtualIPString(offset: number): string {
  const n = START + offset;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The table's key of a service of `peer` ('' for this cluster). */
const keyOf = (service: string, peer: string): string => `${lower(peer)}\u0000${lower(service)}`;

/** The tables `service-virtual-ips` and `free-virtual-ips` with Consul's counter. */
export class VirtualIPTable {
  /** Max index of the table (0 when never written). */
  index = 0;
  #counter = 0;
  /** Freed offsets, kept ascending so the lowest is reused first. */
  #free: number[] = [];
  /** keyOf(service, peer) -> its entry (entries are replaced, never changed in place). */
  readonly #byName = new Map<string, ServiceVirtualIP>();

  clear(): void {
    this.restore(undefined);
  }

  get(service: string, peer = ''): ServiceVirtualIP | undefined {
    return this.#byName.get(keyOf(service, peer));
  }

  /** The virtual IP of `service` (of `peer`), or '' when it has none (VirtualIPForService). */
  ipOf(service: string, peer = ''): string {
    const e = this.get(service, peer);
    return e ? virtualIPString(e.Offset) : '';
  }

  /** False only when `service` has no address yet and none is left to give. */
  canAssign(service: string, peer = ''): boolean {
    return this.get(service, peer) !== undefined || this.#free.length > 0 || this.#counter + 1 < MAX_OFFSET;
  }

  /** Whether every one of `services` (of `peer`) has an address or can be given one. */
  canAssignAll(services: Iterable<string>, peer = ''): boolean {
    const missing = new Set([...services].map(lower).filter((s) => this.get(s, peer) === undefined)).size;
    return missing <= this.#free.length + Math.max(0, MAX_OFFSET - 1 - this.#counter);
  }

  /** The virtual IP of `service` (of `peer`), given one at `idx` when it had none. Call canAssign first. */
  assign(service: string, idx: number, peer = ''): string {
    const existing = this.get(service, peer);
    if (existing) return virtualIPString(existing.Offset);
    let offset = this.#free.shift();
    if (offset === undefined) {
      if (!this.canAssign(service, peer)) throw new Error(VIRTUAL_IPS_EXHAUSTED);
      offset = ++this.#counter;
    }
    const entry: ServiceVirtualIP = { Service: service, ...(peer !== '' ? { Peer: peer } : {}), Offset: offset, ManualIPs: [], CreateIndex: idx, ModifyIndex: idx };
    this.#byName.set(keyOf(service, peer), entry);
    this.index = idx;
    return virtualIPString(offset);
  }

  /** The services of `peer` that have an address, as first written. */
  servicesOf(peer: string): string[] {
    const prefix = keyOf('', peer);
    return [...this.#byName.entries()].filter(([k]) => k.startsWith(prefix)).map(([, e]) => e.Service);
  }

  /** Gives back the address of `service` (of `peer`) for reuse; false when it had none. */
  free(service: string, idx: number, peer = ''): boolean {
    const key = keyOf(service, peer);
    const e = this.#byName.get(key);
    if (!e) return false;
    this.#byName.delete(key);
    const at = this.#free.findIndex((o) => o > e.Offset);
    this.#free.splice(at === -1 ? this.#free.length : at, 0, e.Offset);
    this.index = idx;
    return true;
  }

  /**
   * AssignManualServiceVIPs: `ips` become the manual addresses of `service` and are taken away
   * from any other service that had them. Returns whether `service` has a virtual IP entry
   * (nothing is written when it has none) and the services that lost an address.
   */
  setManual(service: string, ips: string[], idx: number): { found: boolean; unassignedFrom: string[] } {
    const key = keyOf(service, '');
    const target = this.#byName.get(key);
    if (!target) return { found: false, unassignedFrom: [] };
    const taken = new Set(ips);
    const unassignedFrom: string[] = [];
    for (const [k, e] of this.#byName) {
      if (k === key || !e.ManualIPs.some((ip) => taken.has(ip))) continue;
      this.#byName.set(k, { ...e, ManualIPs: e.ManualIPs.filter((ip) => !taken.has(ip)), ModifyIndex: idx });
      unassignedFrom.push(e.Service);
    }
    this.#byName.set(key, { ...target, ManualIPs: [...ips], ModifyIndex: idx });
    this.index = idx;
    return { found: true, unassignedFrom: unassignedFrom.sort(byString) };
  }

  /** The table as a plain object, entries in name order (their records are shared: never changed in place). */
  snapshot(): VirtualIPSnapshot {
    const services = [...this.#byName.entries()].sort((a, b) => byString(a[0], b[0])).map(([, e]) => e);
    return { Index: this.index, Counter: this.#counter, Free: [...this.#free], Services: services };
  }

  /** The table's state, cheaply (for a transaction's undo: entries shared, never changed in place). */
  save(): VirtualIPSnapshot {
    return { Index: this.index, Counter: this.#counter, Free: [...this.#free], Services: [...this.#byName.values()] };
  }

  /** Loads a snapshot's table; absent (a snapshot taken before virtual IPs existed): empty. */
  restore(snap: VirtualIPSnapshot | undefined): void {
    this.#byName.clear();
    this.index = snap?.Index ?? 0;
    this.#counter = snap?.Counter ?? 0;
    this.#free = [...(snap?.Free ?? [])].sort((a, b) => a - b);
    for (const e of snap?.Services ?? []) this.#byName.set(keyOf(e.Service, e.Peer ?? ''), e);
  }
}
