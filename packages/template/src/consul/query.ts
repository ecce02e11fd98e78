// Dependencies: what a template reads from Consul (or the file system), parsed
// from consul-template's query strings. Two templates asking for the same thing
// get the same `id`, so the runner keeps one blocking query per id.

export type Dependency =
  /** `service`, and `connect` (connect: true) for the instances that take Connect traffic. */
  | ({ type: 'health.service'; id: string; name: string; tag: string; dc: string; near: string; filters: string[]; connect: boolean } & ConsulScope)
  | ({ type: 'catalog.services'; id: string; dc: string } & ConsulScope)
  | ({ type: 'catalog.nodes'; id: string; dc: string; near: string } & ConsulScope)
  | ({ type: 'catalog.node'; id: string; name: string; dc: string } & ConsulScope)
  | { type: 'catalog.datacenters'; id: string }
  | ({ type: 'kv.get'; id: string; key: string; dc: string } & ConsulScope)
  | ({ type: 'kv.list'; id: string; prefix: string; dc: string } & ConsulScope)
  | { type: 'file'; id: string; path: string }
  | { type: 'connect.caroots'; id: string }
  | { type: 'connect.caleaf'; id: string; service: string }
  /** `peerings`, `exportedServices`, `importedServices`, `partitions` (consul-template's dependency/consul_*.go). */
  | { type: 'list.peerings'; id: string; partition: string }
  | { type: 'list.exportedServices'; id: string; partition: string }
  | { type: 'list.importedServices'; id: string; partition: string }
  | { type: 'list.partitions'; id: string };

/**
 * The `?ns=&partition=&peer=&sameness-group=` part of a query (dependency.go
 * GetConsulQueryOpts). Every query takes the four keys; which of them it sends is its own:
 * `service`/`connect` all four, the others ns and partition (the rest are dropped, as there).
 */
export interface ConsulScope {
  namespace: string;
  partition: string;
  peer: string;
  samenessGroup: string;
}

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

// consul-template's dependency.go regexps: tag.name?query@dc~near|filter, key?query@dc.
const W = 'A-Za-z0-9_';
const TAG = `(?:([${W}=:.\\-]+)\\.)?`;
const QUERY = `(?:\\?([${W}\\-=&]+))?`;
const DC = `(?:@([${W}.\\-]+))?`;
const NEAR = `(?:~([${W}.\\-]+))?`;
const FILTER = `(?:\\|([${W},]+))?`;
const SERVICE_RE = new RegExp(`^${TAG}([${W}\\-]+)${QUERY}${DC}${NEAR}${FILTER}$`);
const KEY_RE = new RegExp(`^/?([^@?]+)${QUERY}${DC}$`);
const NODE_RE = new RegExp(`^([${W}.\\-]+)?${QUERY}${DC}$`);
const SERVICES_RE = new RegExp(`^${QUERY}${DC}$`);
const NODES_RE = new RegExp(`^${QUERY}${DC}${NEAR}$`);
/** `peerings "?partition=p"`: the query alone. */
const QUERY_RE = new RegExp(`^${QUERY}$`);
const QUERY_KEYS = ['ns', 'peer', 'partition', 'sameness-group'];
const FILTERS = new Set(['any', 'passing', 'warning', 'critical', 'maintenance']);

/** GetConsulQueryOpts: the query's keys, each one of QUERY_KEYS; `label` names the query in errors. */
function consulScope(raw: string | undefined, label: string): ConsulScope {
  const params = new URLSearchParams(raw ?? '');
  for (const key of params.keys()) {
    if (!QUERY_KEYS.includes(key)) {
      throw new QueryError(`${label}: invalid query parameter key ${JSON.stringify(key)} in query ${JSON.stringify(raw)}: supported keys: ${QUERY_KEYS.join(',')}`);
    }
  }
  return { namespace: params.get('ns') ?? '', partition: params.get('partition') ?? '', peer: params.get('peer') ?? '', samenessGroup: params.get('sameness-group') ?? '' };
}

/** Only the namespace and partition: what every query but `service`/`connect` sends. */
function nsAndPartition(q: ConsulScope): ConsulScope {
  return { namespace: q.namespace, partition: q.partition, peer: '', samenessGroup: '' };
}

/** The `@partition=p@ns=n@peer=x@sameness-group=g` part of a dependency's String() (same order). */
function scopeSuffix(q: ConsulScope): string {
  let out = '';
  if (q.partition) out += `@partition=${q.partition}`;
  if (q.namespace) out += `@ns=${q.namespace}`;
  if (q.peer) out += `@peer=${q.peer}`;
  if (q.samenessGroup) out += `@sameness-group=${q.samenessGroup}`;
  return out;
}

/**
 * `service "tag.name?query@dc~near|filter,filter"`; with `connect`, the same grammar for `connect`
 * (consul-template's health_service.go: /v1/health/connect, id `health.connect(...)`). The query
 * may name a peer (the instances that cluster peer exports here), a namespace, a partition or a
 * sameness group (not with a peer).
 */
export function healthServiceQuery(s: string, connect = false): HealthServiceDependency {
  const m = SERVICE_RE.exec(s);
  if (!m) throw new QueryError(`health.service: invalid format: ${JSON.stringify(s)}`);
  const [, tag = '', name = '', query, dc = '', near = '', filter = ''] = m;
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
  const scope = consulScope(query, 'health.service');
  if (scope.peer && scope.samenessGroup) throw new QueryError('health.service: cannot specify both peer and sameness-group');
  let id = tag ? `${tag}.${name}` : name;
  if (dc) id += `@${dc}`;
  id += scopeSuffix(scope);
  if (near) id += `~${near}`;
  id += `|${filters.join(',')}`;
  return { type: 'health.service', id: `${connect ? 'health.connect' : 'health.service'}(${id})`, name, tag, dc, near, filters, connect, ...scope };
}

export function kvGetQuery(s: string): Dependency {
  const m = KEY_RE.exec(s);
  if (!m) throw new QueryError(`kv.get: invalid format: ${JSON.stringify(s)}`);
  const [, key = '', query, dc = ''] = m;
  const scope = nsAndPartition(consulScope(query, 'kv.get'));
  return { type: 'kv.get', id: `kv.get(${key}${dc ? '@' + dc : ''}${scopeSuffix(scope)})`, key, dc, ...scope };
}

export function kvListQuery(s: string): Dependency {
  const m = KEY_RE.exec(s);
  if (!m) throw new QueryError(`kv.list: invalid format: ${JSON.stringify(s)}`);
  let [, prefix = '', query, dc = ''] = m;
  prefix = prefix.replace(/^\/+/, '');
  const scope = nsAndPartition(consulScope(query, 'kv.list'));
  return { type: 'kv.list', id: `kv.list(${prefix}${dc ? '@' + dc : ''}${scopeSuffix(scope)})`, prefix, dc, ...scope };
}

export function catalogServicesQuery(s: string): Dependency {
  const m = SERVICES_RE.exec(s);
  if (!m) throw new QueryError(`catalog.services: invalid format: ${JSON.stringify(s)}`);
  const dc = m[2] ?? '';
  const scope = nsAndPartition(consulScope(m[1], 'catalog.services'));
  const arg = (dc ? '@' + dc : '') + scopeSuffix(scope);
  return { type: 'catalog.services', id: `catalog.services${arg ? '(' + arg + ')' : ''}`, dc, ...scope };
}

export function catalogNodesQuery(s: string): Dependency {
  const m = NODES_RE.exec(s);
  if (!m) throw new QueryError(`catalog.nodes: invalid format: ${JSON.stringify(s)}`);
  const dc = m[2] ?? '';
  const near = m[3] ?? '';
  const scope = nsAndPartition(consulScope(m[1], 'catalog.nodes'));
  const arg = (dc ? '@' + dc : '') + scopeSuffix(scope) + (near ? '~' + near : '');
  return { type: 'catalog.nodes', id: `catalog.nodes${arg ? '(' + arg + ')' : ''}`, dc, near, ...scope };
}

export function catalogNodeQuery(s: string): Dependency {
  const m = NODE_RE.exec(s);
  if (!m) throw new QueryError(`catalog.node: invalid format: ${JSON.stringify(s)}`);
  const name = m[1] ?? '';
  const dc = m[3] ?? '';
  const scope = nsAndPartition(consulScope(m[2], 'catalog.node'));
  return { type: 'catalog.node', id: `catalog.node(${name}${dc ? '@' + dc : ''}${scopeSuffix(scope)})`, name, dc, ...scope };
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


/**
 * `peerings "?partition=p"` (consul_peering.go NewListPeeringQuery and GetConsulQueryOpts):
 * the optional query may name only ns, peer, partition and sameness-group; the partition is used.
 */
export function listPeeringsQuery(s: string): Dependency {
  const m = QUERY_RE.exec(s);
  if (!m) throw new QueryError(`list.peering: invalid format: ${JSON.stringify(s)}`);
  const { partition } = consulScope(m[1], 'list.peering');
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
