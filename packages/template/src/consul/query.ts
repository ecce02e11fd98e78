// Dependencies: what a template reads from Consul (or the file system), parsed
// from consul-template's query strings. Two templates asking for the same thing
// get the same `id`, so the runner keeps one blocking query per id.

export type Dependency =
  /** `service`, and `connect` (connect: true) for the instances that take Connect traffic. */
  | { type: 'health.service'; id: string; name: string; tag: string; dc: string; near: string; filters: string[]; connect: boolean }
  | { type: 'catalog.services'; id: string; dc: string }
  | { type: 'catalog.nodes'; id: string; dc: string; near: string }
  | { type: 'catalog.node'; id: string; name: string; dc: string }
  | { type: 'catalog.datacenters'; id: string }
  | { type: 'kv.get'; id: string; key: string; dc: string }
  | { type: 'kv.list'; id: string; prefix: string; dc: string }
  | { type: 'file'; id: string; path: string }
  | { type: 'connect.caroots'; id: string }
  | { type: 'connect.caleaf'; id: string; service: string }
  /** `peerings`, `exportedServices`, `importedServices`, `partitions` (consul-template's dependency/consul_*.go). */
  | { type: 'list.peerings'; id: string; partition: string }
  | { type: 'list.exportedServices'; id: string; partition: string }
  | { type: 'list.importedServices'; id: string; partition: string }
  | { type: 'list.partitions'; id: string };

export type HealthServiceDependency = Extract<Dependency, { type: 'health.service' }>;

/**
 * consul-template's Dependency.CanShare: may a de-duplication leader hand this value to other
 * instances? Not `node` (without a name it is each instance's own node), `file` (local), nor
 * the agent's CA roots and leaf certificates (connect_ca.go, connect_leaf.go: a private key
 * never leaves the instance that asked for it).
 */
export function canShare(d: Dependency): boolean {
  // consul_peering.go: ListPeeringQuery.CanShare is false.
  return d.type !== 'catalog.node' && d.type !== 'file' && d.type !== 'connect.caroots' && d.type !== 'connect.caleaf' && d.type !== 'list.peerings';
}

export class QueryError extends Error {}

const W = 'A-Za-z0-9_';
const TAG = `(?:([${W}=:.\\-]+)\\.)?`;
const DC = `(?:@([${W}.\\-]+))?`;
const NEAR = `(?:~([${W}.\\-]+))?`;
const FILTER = `(?:\\|([${W},]+))?`;
const SERVICE_RE = new RegExp(`^${TAG}([${W}\\-]+)${DC}${NEAR}${FILTER}$`);
const KEY_RE = new RegExp(`^/?([^@]+)${DC}$`);
const NODE_RE = new RegExp(`^([${W}.\\-]+)?${DC}$`);
const DC_NEAR_RE = new RegExp(`^${DC}${NEAR}$`);
const FILTERS = new Set(['any', 'passing', 'warning', 'critical', 'maintenance']);

/**
 * `service "tag.name@dc~near|filter,filter"`; with `connect`, the same grammar for `connect`
 * (consul-template's NewHealthConnectQuery: /v1/health/connect, id `health.connect(...)`).
 */
export function healthServiceQuery(s: string, connect = false): HealthServiceDependency {
  const m = SERVICE_RE.exec(s);
  if (!m) throw new QueryError(`health.service: invalid format: ${JSON.stringify(s)}`);
  const [, tag = '', name = '', dc = '', near = '', filter = ''] = m;
  let filters: string[];
  if (filter) {
    filters = [];
    for (const f of filter.split(',').map((x) => x.trim())) {
      if (f === '') continue;
      if (!FILTERS.has(f)) throw new QueryError(`health.service: invalid filter: ${JSON.stringify(f)} in ${JSON.stringify(s)}`);
      filters.push(f);
    }
    filters.sort();
  } else filters = ['passing'];
  let id = tag ? `${tag}.${name}` : name;
  if (dc) id += `@${dc}`;
  if (near) id += `~${near}`;
  id += `|${filters.join(',')}`;
  return { type: 'health.service', id: `${connect ? 'health.connect' : 'health.service'}(${id})`, name, tag, dc, near, filters, connect };
}

export function kvGetQuery(s: string): Dependency {
  const m = KEY_RE.exec(s);
  if (!m) throw new QueryError(`kv.get: invalid format: ${JSON.stringify(s)}`);
  const [, key = '', dc = ''] = m;
  return { type: 'kv.get', id: `kv.get(${key}${dc ? '@' + dc : ''})`, key, dc };
}

export function kvListQuery(s: string): Dependency {
  const m = KEY_RE.exec(s);
  if (!m) throw new QueryError(`kv.list: invalid format: ${JSON.stringify(s)}`);
  let [, prefix = '', dc = ''] = m;
  prefix = prefix.replace(/^\/+/, '');
  return { type: 'kv.list', id: `kv.list(${prefix}${dc ? '@' + dc : ''})`, prefix, dc };
}

export function catalogServicesQuery(s: string): Dependency {
  const m = DC_NEAR_RE.exec(s);
  if (!m) throw new QueryError(`catalog.services: invalid format: ${JSON.stringify(s)}`);
  const dc = m[1] ?? '';
  return { type: 'catalog.services', id: `catalog.services${dc ? '(@' + dc + ')' : ''}`, dc };
}

export function catalogNodesQuery(s: string): Dependency {
  const m = DC_NEAR_RE.exec(s);
  if (!m) throw new QueryError(`catalog.nodes: invalid format: ${JSON.stringify(s)}`);
  const dc = m[1] ?? '';
  const near = m[2] ?? '';
  const arg = (dc ? '@' + dc : '') + (near ? '~' + near : '');
  return { type: 'catalog.nodes', id: `catalog.nodes${arg ? '(' + arg + ')' : ''}`, dc, near };
}

export function catalogNodeQuery(s: string): Dependency {
  const m = NODE_RE.exec(s);
  if (!m) throw new QueryError(`catalog.node: invalid format: ${JSON.stringify(s)}`);
  const name = m[1] ?? '';
  const dc = m[2] ?? '';
  return { type: 'catalog.node', id: `catalog.node(${name}${dc ? '@' + dc : ''})`, name, dc };
}

export function datacentersQuery(): Dependency {
  return { type: 'catalog.datacenters', id: 'catalog.datacenters' };
}

export function fileQuery(path: string): Dependency {
  return { type: 'file', id: `file(${path})`, path };
}

/** `caRoots`: the agent's view of the Connect CA roots (consul-template's connect_ca.go). */
export function connectCARootsQuery(): Dependency {
  return { type: 'connect.caroots', id: 'connect.caroots' };
}

/** `caLeaf "<service>"`: the agent's leaf certificate for a service (connect_leaf.go). */
export function connectLeafQuery(service: string): Dependency {
  return { type: 'connect.caleaf', id: `connect.caleaf(${service})`, service };
}

/** consul-template's queryRe: `?key=value&...` and nothing else. */
const QUERY_RE = new RegExp(`^(?:\\?([${W}\\-=&]+))?$`);
const QUERY_KEYS = ['ns', 'peer', 'partition', 'sameness-group'];

/**
 * `peerings "?partition=p"` (consul_peering.go NewListPeeringQuery and GetConsulQueryOpts):
 * the optional query may name only ns, peer, partition and sameness-group; the partition is used.
 */
export function listPeeringsQuery(s: string): Dependency {
  const m = QUERY_RE.exec(s);
  if (!m) throw new QueryError(`list.peering: invalid format: ${JSON.stringify(s)}`);
  const raw = m[1] ?? '';
  const params = new URLSearchParams(raw);
  for (const key of params.keys()) {
    if (!QUERY_KEYS.includes(key)) {
      throw new QueryError(`list.peering: invalid query parameter key ${JSON.stringify(key)} in query ${JSON.stringify(raw)}: supported keys: ${QUERY_KEYS.join(',')}`);
    }
  }
  const partition = params.get('partition') ?? '';
  return { type: 'list.peerings', id: partition ? `list.peerings?partition=${partition}` : 'list.peerings', partition };
}

/** `exportedServices ["partition"]` (consul_exported_services.go). */
export function listExportedServicesQuery(partition: string): Dependency {
  return { type: 'list.exportedServices', id: `list.exportedServices(${partition})`, partition };
}

/** `importedServices "partition"` (consul_imported_services.go). */
export function listImportedServicesQuery(partition: string): Dependency {
  return { type: 'list.importedServices', id: `list.importedServices(${partition})`, partition };
}

/** `partitions` (consul_partitions.go): polled, the endpoint does not block. */
export function listPartitionsQuery(): Dependency {
  return { type: 'list.partitions', id: 'list.partitions' };
}
