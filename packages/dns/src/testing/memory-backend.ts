// An in-memory DnsBackend for tests and the benchmark: services and nodes set directly.
import type { DnsBackend, DnsNode, DnsPreparedQueryResult, DnsServiceInstance } from '../backend.js';

export class MemoryBackend implements DnsBackend {
  private instances: DnsServiceInstance[] = [];
  private nodes: DnsNode[] = [];
  private dcs: string[];
  private gen = 1;
  /** Set to make every lookup fail (SERVFAIL path). */
  failing = false;
  calls = 0;

  constructor(datacenters: string[] = ['dc1']) {
    this.dcs = datacenters;
  }

  addNode(node: DnsNode): this {
    this.nodes.push(node);
    this.gen++;
    return this;
  }

  addInstance(instance: Partial<DnsServiceInstance> & Pick<DnsServiceInstance, 'node' | 'serviceName' | 'port'>): this {
    const node = this.nodes.find((n) => n.name === instance.node);
    this.instances.push({
      serviceId: instance.serviceName,
      nodeAddress: node?.address ?? '127.0.0.1',
      datacenter: node?.datacenter ?? this.dcs[0]!,
      tags: [],
      health: 'passing',
      ...(node?.meta ? { nodeMeta: node.meta } : {}),
      ...(node?.taggedAddresses ? { nodeTaggedAddresses: node.taggedAddresses } : {}),
      ...instance,
    });
    this.gen++;
    return this;
  }

  setHealth(serviceId: string, health: DnsServiceInstance['health']): void {
    for (const i of this.instances) if (i.serviceId === serviceId) i.health = health;
    this.gen++;
  }

  clear(): void {
    this.instances = [];
    this.nodes = [];
    this.gen++;
  }

  async serviceInstances(service: string, datacenter: string): Promise<DnsServiceInstance[]> {
    this.calls++;
    if (this.failing) throw new Error('backend unavailable');
    const s = service.toLowerCase();
    return this.instances.filter((i) => i.serviceName.toLowerCase() === s && i.datacenter === datacenter);
  }

  async node(name: string, datacenter: string): Promise<DnsNode | undefined> {
    this.calls++;
    if (this.failing) throw new Error('backend unavailable');
    const n = name.toLowerCase();
    return this.nodes.find((x) => x.name.toLowerCase() === n && x.datacenter === datacenter);
  }

  async datacenters(): Promise<string[]> {
    return this.dcs;
  }

  async reverseLookup(address: string, datacenter: string) {
    const node = this.nodes.find((n) => n.address === address && n.datacenter === datacenter);
    if (node) return { node: node.name, datacenter };
    const inst = this.instances.find((i) => i.serviceAddress === address && i.datacenter === datacenter);
    return inst ? { service: inst.serviceName, datacenter } : undefined;
  }

  generation(): number {
    return this.gen;
  }

  /** Prepared queries by lowercase name: the result each answers, and the datacenters asked. */
  readonly queries = new Map<string, DnsPreparedQueryResult>();
  readonly queryCalls: Array<{ name: string; datacenter: string }> = [];

  async preparedQuery(nameOrId: string, datacenter: string): Promise<DnsPreparedQueryResult | undefined> {
    this.queryCalls.push({ name: nameOrId, datacenter });
    if (this.failing) throw new Error('backend unavailable');
    return this.queries.get(nameOrId.toLowerCase());
  }
}
