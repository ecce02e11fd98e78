// The values consul-template hands to templates (its dependency package's
// structs), built from Consul API responses. They are classes so the engine
// treats them as Go structs: a misspelled field is an error, not "<no value>".

import type { CatalogNode as ApiCatalogNode, KVPair as ApiKVPair, Node as ApiNode, ServiceEntry } from '@proconsul/api';

type StringMap = Record<string, string>;

/** []string with consul-template's `.Contains` method. */
export class ServiceTags extends Array<string> {
  static goTypeName = 'dependency.ServiceTags';
  static from_(tags: readonly string[] | null | undefined): ServiceTags {
    const t = new ServiceTags();
    for (const x of [...(tags ?? [])].sort()) t.push(x);
    return t;
  }
  Contains(s: string): boolean {
    return this.includes(s);
  }
  // Array methods (map, filter) must build plain arrays.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

/** Aggregated status as api.HealthChecks.AggregatedStatus: maintenance > critical > warning > passing. */
export function aggregatedStatus(checks: ReadonlyArray<{ CheckID: string; Status: string }>): string {
  let passing = false;
  let warning = false;
  let critical = false;
  let maintenance = false;
  for (const c of checks) {
    if (c.CheckID === '_node_maintenance' || c.CheckID.startsWith('_service_maintenance:')) {
      maintenance = true;
      continue;
    }
    if (c.Status === 'passing') passing = true;
    else if (c.Status === 'warning') warning = true;
    else if (c.Status === 'critical') critical = true;
    else return '';
  }
  if (maintenance) return 'maintenance';
  if (critical) return 'critical';
  if (warning) return 'warning';
  if (passing) return 'passing';
  return 'passing';
}

/** api.ServiceAddress */
export class ServiceAddress {
  static goTypeName = 'api.ServiceAddress';
  constructor(
    public Address: string,
    public Port: number,
  ) {}
}

/** api.AgentWeights */
export class AgentWeights {
  static goTypeName = 'api.AgentWeights';
  constructor(
    public Passing: number,
    public Warning: number,
  ) {}
}

/** dependency.HealthService: one instance from `service` (fields in consul-template's order). */
export class HealthService {
  static goTypeName = '*dependency.HealthService';
  Node: string;
  NodeID: string;
  NodeAddress: string;
  NodeTaggedAddresses: StringMap;
  NodeMeta: StringMap;
  ServiceMeta: StringMap;
  Address: string;
  ServiceTaggedAddresses: Record<string, ServiceAddress>;
  ID: string;
  Name: string;
  Tags: ServiceTags;
  Checks: unknown[];
  Status: string;
  Port: number;
  Weights: AgentWeights;

  constructor(e: ServiceEntry, status: string) {
    this.Node = e.Node.Node;
    this.NodeID = e.Node.ID ?? '';
    this.NodeAddress = e.Node.Address;
    this.NodeTaggedAddresses = e.Node.TaggedAddresses ?? {};
    this.NodeMeta = e.Node.Meta ?? {};
    this.ServiceMeta = e.Service.Meta ?? {};
    this.Address = e.Service.Address || e.Node.Address;
    // fromEntries defines own keys: assigning a "__proto__" key would set the prototype.
    this.ServiceTaggedAddresses = Object.fromEntries(
      Object.entries(e.Service.TaggedAddresses ?? {}).map(([k, v]) => [k, new ServiceAddress(v.Address, v.Port)]),
    );
    this.ID = e.Service.ID;
    this.Name = e.Service.Service;
    this.Tags = ServiceTags.from_(e.Service.Tags);
    this.Checks = e.Checks ?? [];
    this.Status = status;
    this.Port = e.Service.Port ?? 0;
    this.Weights = new AgentWeights(e.Service.Weights?.Passing ?? 1, e.Service.Weights?.Warning ?? 1);
  }
}

/** dependency.CatalogSnippet: one entry of `services`. */
export class CatalogSnippet {
  static goTypeName = '*dependency.CatalogSnippet';
  constructor(
    public Name: string,
    public Tags: ServiceTags,
  ) {}
}

/** dependency.Node: one entry of `nodes`, and `.Node` of `node`. */
export class Node {
  static goTypeName = '*dependency.Node';
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: StringMap;
  Meta: StringMap;
  constructor(n: ApiNode) {
    this.ID = n.ID ?? '';
    this.Node = n.Node;
    this.Address = n.Address;
    this.Datacenter = n.Datacenter ?? '';
    this.TaggedAddresses = n.TaggedAddresses ?? {};
    this.Meta = n.Meta ?? {};
  }
}

/** dependency.CatalogNodeService: one service of `node`. */
export class CatalogNodeService {
  static goTypeName = '*dependency.CatalogNodeService';
  ID: string;
  Service: string;
  Tags: ServiceTags;
  Meta: StringMap;
  Port: number;
  Address: string;
  EnableTagOverride: boolean;
  constructor(s: ApiCatalogNode['Services'][string]) {
    this.ID = s.ID;
    this.Service = s.Service;
    this.Tags = ServiceTags.from_(s.Tags);
    this.Meta = s.Meta ?? {};
    this.Port = s.Port ?? 0;
    this.Address = s.Address ?? '';
    this.EnableTagOverride = s.EnableTagOverride ?? false;
  }
}

/** dependency.CatalogNode: the result of `node`. */
export class CatalogNode {
  static goTypeName = '*dependency.CatalogNode';
  Node: Node;
  Services: CatalogNodeService[];
  constructor(n: ApiCatalogNode) {
    this.Node = new Node(n.Node);
    this.Services = Object.values(n.Services ?? {})
      .map((s) => new CatalogNodeService(s))
      .sort((a, b) => (a.Service === b.Service ? cmp(a.ID, b.ID) : cmp(a.Service, b.Service)));
  }
}

/** dependency.KeyPair: one entry of `ls`/`tree`; Key is relative to the prefix. */
export class KeyPair {
  static goTypeName = '*dependency.KeyPair';
  Path: string;
  Key: string;
  Value: string;
  Exists: boolean;
  CreateIndex: number;
  ModifyIndex: number;
  LockIndex: number;
  Flags: number;
  Session: string;
  constructor(p: ApiKVPair, key: string) {
    this.Path = p.Key;
    this.Key = key;
    this.Value = p.Value ? Buffer.from(p.Value, 'base64').toString('utf8') : '';
    this.Exists = true;
    this.CreateIndex = p.CreateIndex;
    this.ModifyIndex = p.ModifyIndex;
    this.LockIndex = p.LockIndex;
    this.Flags = p.Flags;
    this.Session = p.Session ?? '';
  }
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
