// The seam between the DNS server and the agent: everything the server needs to read from
// the catalog. The agent implements it over its state store (or RPC to a server); tests use
// the in-memory backend in ./testing/. Keep this interface stable: other packages implement it.

/** Aggregated health of one service instance: the worst of its service checks and its node's checks. */
export type DnsHealth = 'passing' | 'warning' | 'critical';

/** One registered service instance, as a health query (`/v1/health/service/:name`) sees it. */
export interface DnsServiceInstance {
  /** Node name (`Node.Node`). */
  node: string;
  /** Node address (`Node.Address`): an IP, or a hostname (answered with a CNAME). */
  nodeAddress: string;
  /** Datacenter of the node (`Node.Datacenter`). */
  datacenter: string;
  /** Node tagged addresses (`Node.TaggedAddresses`, e.g. `lan`, `wan`); used by translate_wan_addrs. */
  nodeTaggedAddresses?: Record<string, string>;
  /** Node meta (`Node.Meta`): TXT records (RFC 1464 `key=value`). */
  nodeMeta?: Record<string, string>;
  /** `Service.ID`. */
  serviceId: string;
  /** `Service.Service`. */
  serviceName: string;
  /** `Service.Address`; empty string (or undefined) when the instance uses the node address. */
  serviceAddress?: string;
  /** `Service.TaggedAddresses` flattened to `name -> address` (e.g. `wan`, `lan_ipv4`). */
  serviceTaggedAddresses?: Record<string, string>;
  /** `Service.Port`. */
  port: number;
  /** `Service.Tags`. */
  tags: string[];
  /** `Service.Weights` (default `{ passing: 1, warning: 1 }`). */
  weights?: { passing: number; warning: number };
  /**
   * Worst status over the instance's service checks AND its node's checks (`serfHealth`,
   * `_node_maintenance`, ...). `passing` when there are no checks. The server filters on it
   * (critical always dropped; warning dropped when only_passing is set).
   */
  health: DnsHealth;
}

/** One catalog node (`/v1/catalog/node/:node`). */
export interface DnsNode {
  name: string;
  address: string;
  datacenter: string;
  taggedAddresses?: Record<string, string>;
  meta?: Record<string, string>;
}

/** What a prepared query lookup (`<name>.query.consul`) answers: the query's executed result. */
export interface DnsPreparedQueryResult {
  /** The service the query selected (for the agent's per-service TTL when `ttl` is absent). */
  service: string;
  /** The datacenter the instances came from (a failover may answer from another); '' for a peer's. */
  datacenter: string;
  /** The cluster peer the instances came from, when a failover to a peer answered. */
  peer?: string;
  /** The query's `DNS.TTL` in seconds, when it set one. */
  ttl?: number;
  /** In the query's order (shuffled or sorted near a node); already filtered for health and tags. */
  instances: DnsServiceInstance[];
}

export interface DnsBackend {
  /**
   * Every instance of `service` in `datacenter`, with health, tags unfiltered (the DNS server
   * filters tags and health itself). The name match is case-insensitive, as Consul's catalog
   * index is. An unknown service → `[]`. Only called with a datacenter from `datacenters()`
   * or the local one.
   */
  serviceInstances(service: string, datacenter: string): Promise<DnsServiceInstance[]>;
  /** The node `name` (case-insensitive) in `datacenter`, or undefined. */
  node(name: string, datacenter: string): Promise<DnsNode | undefined>;
  /**
   * Optional (`<service>.connect[.<dc>].<domain>`): the instances that take mesh traffic for
   * `service` (its connect-proxies and Connect-native instances, with their own addresses and
   * ports), as `serviceInstances` gives them. Without it every `.connect.` name is NXDOMAIN.
   */
  connectInstances?(service: string, datacenter: string): Promise<DnsServiceInstance[]>;
  /**
   * Optional (`<service>.ingress[.<dc>].<domain>`): the instances of the ingress gateways whose
   * config entries route to `service`, as `serviceInstances` gives them. Without it every
   * `.ingress.` name is NXDOMAIN.
   */
  ingressInstances?(service: string, datacenter: string): Promise<DnsServiceInstance[]>;
  /**
   * Optional (`<service>.service.<peer>.peer.<domain>`): every instance of `service` that the
   * cluster peer `peer` exports to this cluster, as `serviceInstances` gives them (`datacenter`
   * is the peer's). An unknown peer or service → `[]`. Without it every `.peer.` name is NXDOMAIN.
   */
  peerServiceInstances?(service: string, peer: string): Promise<DnsServiceInstance[]>;
  /** Optional (`<node>.node.<peer>.peer.<domain>`): a node the peer `peer` exports instances on. */
  peerNode?(name: string, peer: string): Promise<DnsNode | undefined>;
  /**
   * Optional (`<service>.virtual[.<peer>].<domain>`): the virtual IP of a mesh service in this
   * datacenter (`peer` '' for the local cluster, else a cluster peer's imported service), or
   * '' / undefined when it has none. Without it every `.virtual.` name answers empty.
   */
  virtualIP?(service: string, peer: string): Promise<string | undefined>;
  /** Every datacenter known (local + WAN); a query for any other → NXDOMAIN. */
  datacenters(): Promise<string[]>;
  /**
   * Optional (PTR lookups, `<reversed-ip>.in-addr.arpa` / `ip6.arpa`): the node of `datacenter`
   * whose `Address` is `address`; failing that, a service instance whose `Service.Address` is
   * `address` (IPv4 dotted, IPv6 in RFC 5952 form: compare by value). Undefined when neither exists. Without this method every PTR is NXDOMAIN (or
   * goes to the recursors).
   */
  reverseLookup?(
    address: string,
    datacenter: string,
  ): Promise<{ node: string; datacenter: string } | { service: string; datacenter: string } | undefined>;
  /**
   * Optional, synchronous: a number that changes whenever any answer could change (e.g. the
   * catalog's highest Raft index, bumped also by health changes). When given, the server caches
   * lookups and response encodings until it moves. Leave it out when you cannot promise that.
   */
  generation?(): number;
  /**
   * Optional (`<name or id>.query[.<dc>].<domain>`): executes the prepared query `nameOrId` in
   * `datacenter`; undefined when no query has that name or ID (NXDOMAIN). Without this method
   * every `.query.` name is NXDOMAIN. Answers are never cached (a query may sort near the asker).
   */
  preparedQuery?(nameOrId: string, datacenter: string): Promise<DnsPreparedQueryResult | undefined>;
}
