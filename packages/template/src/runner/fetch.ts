// Turns a dependency into a blocking fetch through @proconsul/api, converting
// the answer into consul-template's data shapes.

import { ConsulError, type Consul, type QueryResult } from '@proconsul/api';
import type { KVGetValue } from '../consul/brain.js';
import { aggregatedStatus, CatalogNode, CatalogSnippet, HealthService, KeyPair, Node, ServiceTags, cmp } from '../consul/data.js';
import { CARoot, LeafCert } from '../consul/connect-data.js';
import type { ConsulScope, Dependency } from '../consul/query.js';
import { ExportedService, ImportedService, Partition, Peering, sortPeerings, sortStableBy } from '../consul/peering-data.js';

export interface FetchParams {
  index: number;
  wait: number;
  /** ?stale: any server may answer. */
  stale: boolean;
  signal: AbortSignal;
}

export type Fetcher = (p: FetchParams) => Promise<QueryResult<unknown>>;

/** A query's `?ns=&partition=&peer=&sameness-group=` as client options (unset when empty). */
function scopeOptions(d: ConsulScope): { namespace?: string; partition?: string; peer?: string; samenessGroup?: string } {
  return { namespace: d.namespace || undefined, partition: d.partition || undefined, peer: d.peer || undefined, samenessGroup: d.samenessGroup || undefined };
}

export function fetcherFor(client: Consul, d: Dependency): Fetcher {
  switch (d.type) {
    case 'health.service':
      return async (p) => {
        const passingOnly = d.filters.length === 1 && d.filters[0] === 'passing';
        const opts = {
          ...p,
          tags: d.tag ? [d.tag] : [],
          passing: passingOnly,
          datacenter: d.dc || undefined,
          near: d.near || undefined,
          ...scopeOptions(d),
        };
        // `connect`: /v1/health/connect with the same options and filtering (health_service.go).
        const res = d.connect ? await client.health.connect(d.name, opts) : await client.health.service(d.name, opts);
        const list: HealthService[] = [];
        for (const e of res.data) {
          const status = aggregatedStatus(e.Checks ?? []);
          if (!d.filters.some((f) => f === 'any' || f === status)) continue;
          list.push(new HealthService(e, status));
        }
        if (!d.near) list.sort((a, b) => (a.Node === b.Node ? cmp(a.ID, b.ID) : cmp(a.Node, b.Node)));
        return { data: list, meta: res.meta };
      };
    case 'catalog.services':
      return async (p) => {
        const res = await client.catalog.services({ ...p, datacenter: d.dc || undefined, ...scopeOptions(d) });
        const list = Object.keys(res.data)
          .sort(cmp)
          .map((name) => new CatalogSnippet(name, ServiceTags.from_([...new Set(res.data[name] ?? [])])));
        return { data: list, meta: res.meta };
      };
    case 'catalog.nodes':
      return async (p) => {
        const res = await client.catalog.nodes({ ...p, datacenter: d.dc || undefined, near: d.near || undefined, ...scopeOptions(d) });
        return { data: res.data.map((n) => new Node(n)), meta: res.meta };
      };
    case 'catalog.node': {
      let name = d.name;
      return async (p) => {
        if (!name) name = await client.agent.nodeName({ signal: p.signal });
        const res = await client.catalog.node(name, { ...p, datacenter: d.dc || undefined, ...scopeOptions(d) });
        return { data: res.data ? new CatalogNode(res.data) : null, meta: res.meta };
      };
    }
    case 'kv.get':
      return async (p) => {
        const res = await client.kv.get(d.key, { ...p, datacenter: d.dc || undefined, ...scopeOptions(d) });
        const v: KVGetValue = res.data
          ? { exists: true, value: res.data.Value ? Buffer.from(res.data.Value, 'base64').toString('utf8') : '' }
          : { exists: false, value: '' };
        return { data: v, meta: res.meta };
      };
    case 'kv.list':
      return async (p) => {
        const res = await client.kv.list(d.prefix, { ...p, datacenter: d.dc || undefined, ...scopeOptions(d) });
        const list = res.data.map((pair) => new KeyPair(pair, pair.Key.slice(d.prefix.length).replace(/^\/+/, '')));
        return { data: list, meta: res.meta };
      };
    case 'connect.caroots':
      return async (p) => {
        const res = await client.agent.connectCARoots(p);
        return { data: (res.data.Roots ?? []).map((r) => new CARoot(r)), meta: res.meta };
      };
    case 'connect.caleaf':
      return async (p) => {
        const res = await client.agent.connectCALeaf(d.service, p);
        return { data: new LeafCert(res.data), meta: res.meta };
      };
    // consul_peering.go: /v1/peerings?partition=, sorted ByPeer.
    case 'list.peerings':
      return async (p) => {
        const res = await client.peerings.listWithMeta({ ...p, partition: d.partition || undefined });
        return { data: sortPeerings(res.data.map((x) => new Peering(x))), meta: res.meta };
      };
    // consul_exported_services.go: /v1/exported-services?partition=, sorted by service.
    case 'list.exportedServices':
      return async (p) => {
        const res = await client.serviceExports.exported({ ...p, partition: d.partition || undefined });
        return { data: sortStableBy(res.data.map((x) => new ExportedService(x)), (x) => x.Service), meta: res.meta };
      };
    // consul_imported_services.go: /v1/imported-services?partition=, sorted by service.
    case 'list.importedServices':
      return async (p) => {
        const res = await client.serviceExports.imported({ ...p, partition: d.partition || undefined });
        return { data: sortStableBy(res.data.map((x) => new ImportedService(x)), (x) => x.Service), meta: res.meta };
      };
    case 'catalog.datacenters':
    case 'file':
    case 'list.partitions':
      throw new Error(`${d.id} is polled, not fetched`);
  }
}

/**
 * `partitions` (consul_partitions.go): /v1/partitions, sorted by name. A Consul without
 * partitions (CE, Proconsul) answers 404 "Invalid URL path...", which consul-template reports as
 * "Partitions are an enterprise feature".
 */
export async function fetchPartitions(client: Consul, signal: AbortSignal): Promise<Partition[]> {
  try {
    const res = await client.partitions.list({ signal });
    return sortStableBy(res.data.filter((x) => x !== null).map((x) => new Partition(x)), (x) => x.Name);
  } catch (err) {
    if (err instanceof ConsulError && err.message.includes('Invalid URL path')) throw new Error(`list.partitions: Partitions are an enterprise feature: ${err.message}`, { cause: err });
    throw err;
  }
}
