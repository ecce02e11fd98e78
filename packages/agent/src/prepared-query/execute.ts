/**
 * Executing a prepared query (Consul's PreparedQuery.Execute / ExecuteRemote): resolve the
 * name (rendering a template), read the service's instances with their checks, drop the
 * critical ones (and the warning ones with `OnlyPassing`) unless the check is in
 * `IgnoreCheckIDs`, keep those matching `NodeMeta`, `ServiceMeta` and `Tags` (`!tag`
 * excludes), filter by the ACL token (the query's own `Token`, else the caller's), shuffle,
 * sort near `Near`/`?near` (`_agent`, `_ip`, a node) and put that node first, apply `?limit`,
 * and fail over to other datacenters or cluster peers when nothing is left. With `Service.Peer`
 * the instances are those that peer exported here.
 */
import type { Catalog, PreparedQuery, ServiceEntry } from '@proconsul/catalog';
import { LOCAL_ONLY_SEAMS, queryFailover, type ExecuteResponse, type QuerySeams, type RemoteOptions } from './failover.js';

export type { ExecuteResponse, QuerySeams, RemoteOptions } from './failover.js';

/** Who asks: the agent that took the request (HTTP or DNS) and, for `_ip`, the client's address. */
export interface QueryAgent {
  node: string;
  datacenter: string;
  segment?: string;
}

export interface ExecuteOptions extends RemoteOptions {
  agent: QueryAgent;
  /** `?near=`: overrides the query's `Near`. */
  near?: string;
  /** The client's IP (X-Forwarded-For first, else the peer), for `_ip`. */
  sourceIp?: string;
}

/** Drops what `token` may not read; `filtered` tells whether anything was dropped. */
export type AclNodeFilter = (token: string, nodes: ServiceEntry[]) => { nodes: ServiceEntry[]; filtered: boolean };

export interface ExecutorDeps {
  catalog: Catalog;
  datacenter: string;
  seams?: Partial<QuerySeams>;
  aclFilter?: AclNodeFilter;
  warn?: (msg: string, fields: object) => void;
  random?: () => number;
}

export interface ExecuteResult {
  response: ExecuteResponse;
  /** X-Consul-Results-Filtered-By-ACLs. */
  filtered: boolean;
}

const lower = (s: string): string => s.toLowerCase();

/** Consul's FilterIgnore: critical drops an instance, so does non-passing with OnlyPassing; ignored check IDs do not count. */
export function healthFilter(nodes: ServiceEntry[], onlyPassing: boolean, ignore: string[] | null): ServiceEntry[] {
  const ignored = new Set(ignore ?? []);
  return nodes.filter((n) =>
    n.Checks.every((c) => ignored.has(c.CheckID) || !(c.Status === 'critical' || (onlyPassing && c.Status !== 'passing'))),
  );
}

/** Every required tag present, no `!excluded` one, without regard to case. */
export function tagFilter(nodes: ServiceEntry[], tags: string[]): ServiceEntry[] {
  const must: string[] = [];
  const not: string[] = [];
  for (const t of tags.map(lower)) (t.startsWith('!') ? not : must).push(t.replace(/^!/, ''));
  return nodes.filter((n) => {
    const have = new Set(n.Service.Tags.map(lower));
    return must.every((t) => have.has(t)) && !not.some((t) => have.has(t));
  });
}

const metaMatches = (meta: Record<string, string> | null | undefined, want: Record<string, string>): boolean =>
  Object.entries(want).every(([k, v]) => meta?.[k] === v);

export class PreparedQueryExecutor {
  private readonly seams: QuerySeams;

  constructor(private readonly deps: ExecutorDeps) {
    this.seams = { ...LOCAL_ONLY_SEAMS, ...deps.seams };
  }

  /** The query an ID or name resolves to (a template rendered); undefined when none. Throws Consul's errors. */
  resolve(idOrName: string, agent: QueryAgent): PreparedQuery | undefined {
    return this.deps.catalog.preparedQueries.resolve(idOrName, { Segment: agent.segment ?? '' });
  }

  /** Instances of the query's service (or, with Connect, of its Connect-capable proxies and native instances). */
  private instances(query: PreparedQuery, connect: boolean): ServiceEntry[] {
    const { catalog } = this.deps;
    const name = query.Service.Service;
    // What a cluster peer exported here (Consul reads the rows with that PeerName).
    const peer = query.Service.Peer;
    if (peer !== '') return connect || query.Service.Connect ? catalog.importedConnectEntries(peer, name).value : catalog.importedServiceEntries(peer, name).value;
    // The catalog's connect index (connect-index.ts) answers the Connect case.
    return connect || query.Service.Connect ? catalog.checkConnectServiceNodes(name).value : catalog.checkServiceNodes(name).value;
  }

  /** The local datacenter's answer, unsorted and unlimited (Consul's execute). */
  private executeLocal(query: PreparedQuery, connect: boolean): ExecuteResponse {
    const svc = query.Service;
    let nodes = healthFilter(this.instances(query, connect), svc.OnlyPassing, svc.IgnoreCheckIDs);
    if (svc.NodeMeta && Object.keys(svc.NodeMeta).length > 0) nodes = nodes.filter((n) => metaMatches(n.Node.Meta, svc.NodeMeta!));
    if (svc.ServiceMeta && Object.keys(svc.ServiceMeta).length > 0) nodes = nodes.filter((n) => metaMatches(n.Service.Meta, svc.ServiceMeta!));
    if (svc.Tags && svc.Tags.length > 0) nodes = tagFilter(nodes, svc.Tags);
    // Stamped with this datacenter, or with the peer and no datacenter (Consul's execute).
    const from = svc.Peer !== '' ? { Datacenter: '', PeerName: svc.Peer } : { Datacenter: this.deps.datacenter, PeerName: '' };
    return { Service: svc.Service, Nodes: nodes, DNS: { ...query.DNS }, ...from, Failovers: 0 };
  }

  private aclFilter(token: string, nodes: ServiceEntry[]): { nodes: ServiceEntry[]; filtered: boolean } {
    return this.deps.aclFilter ? this.deps.aclFilter(token, nodes) : { nodes, filtered: false };
  }

  private shuffle(nodes: ServiceEntry[]): void {
    const random = this.deps.random ?? Math.random;
    for (let i = nodes.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
    }
  }

  /** Execute: the query found by ID or name; undefined when there is none (HTTP 404, DNS NXDOMAIN). */
  async execute(idOrName: string, options: ExecuteOptions): Promise<ExecuteResult | undefined> {
    const query = this.resolve(idOrName, options.agent);
    if (!query) return undefined;
    const response = this.executeLocal(query, options.connect);
    const token = query.Token !== '' ? query.Token : options.token;
    const acl = this.aclFilter(token, response.Nodes);
    response.Nodes = acl.nodes;
    this.shuffle(response.Nodes);

    // The node to sort near: ?near first, else the query's Near; `_agent` is the asking agent.
    let near = options.near || query.Service.Near;
    if (near === '_agent') near = options.agent.node;
    else if (near === '_ip') {
      const ip = options.sourceIp ?? '';
      near = ip !== '' ? (this.deps.catalog.nodes().value.find((n) => n.Address === ip)?.Node ?? '') : '';
    }
    const source = { node: near, datacenter: options.agent.datacenter };
    if (near !== '') await this.seams.sortByDistance(source, response.Nodes);
    // The node asked for comes first (within the first 10), when the answer is from its datacenter.
    if (near !== '' && response.Datacenter === source.datacenter) {
      const i = response.Nodes.slice(0, 10).findIndex((n) => lower(n.Node.Node) === lower(near));
      if (i > 0) [response.Nodes[0], response.Nodes[i]] = [response.Nodes[i]!, response.Nodes[0]!];
    }
    if (options.limit > 0 && response.Nodes.length > options.limit) response.Nodes = response.Nodes.slice(0, options.limit);
    if (response.Nodes.length === 0) {
      const here = (q: PreparedQuery, o: RemoteOptions): ExecuteResponse => this.executeRemote(q, o).response;
      await queryFailover(this.seams, here, query, { limit: options.limit, connect: options.connect, token: options.token }, response, this.deps.warn ?? (() => undefined));
    }
    return { response, filtered: acl.filtered };
  }

  /** ExecuteRemote: runs a query sent by another datacenter's failover (no sort, no further failover). */
  executeRemote(query: PreparedQuery, options: RemoteOptions): ExecuteResult {
    const response = this.executeLocal(query, options.connect);
    const acl = this.aclFilter(query.Token !== '' ? query.Token : options.token, response.Nodes);
    response.Nodes = acl.nodes;
    this.shuffle(response.Nodes);
    if (options.limit > 0 && response.Nodes.length > options.limit) response.Nodes = response.Nodes.slice(0, options.limit);
    return { response, filtered: acl.filtered };
  }
}
