// The order in which /v1/catalog/datacenters (and the DNS and prepared-query failover that
// follow it) list datacenters. Consul sorts by the median round-trip time to each datacenter's
// servers from network coordinates, then by name; without coordinates every distance is equal,
// which leaves name order. Network coordinates replace this function (setDatacenterOrder).

/** Orders datacenter names; `local` is this agent's datacenter. */
export type DatacenterOrder = (names: readonly string[], local: string) => string[];

/** Name order: what Consul's distance sort gives when no coordinates are known. */
export const byName: DatacenterOrder = (names) => [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

let current: DatacenterOrder = byName;

export function orderDatacenters(names: readonly string[], local: string): string[] {
  return current(names, local);
}

/** Installs another ordering (network coordinates: nearest first). */
export function setDatacenterOrder(order: DatacenterOrder): void {
  current = order;
}
