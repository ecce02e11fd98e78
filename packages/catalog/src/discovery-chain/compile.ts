/**
 * The discovery chain compiler (Consul's agent/consul/discoverychain/compile.go): from the config
 * entries of a service (its service-router, the service-splitters and service-resolvers it
 * reaches, service-defaults and proxy-defaults) to a graph of router, splitter and resolver
 * nodes ending in targets, in the JSON shape of structs.CompiledDiscoveryChain. Pure: it reads a
 * view of the config-entry table, so the same code checks a proposed write inside the Raft
 * apply (config-entry-graph.ts) and answers GET /v1/discovery-chain/:service.
 *
 * OSS only: every target is in the default namespace and partition; peers are carried through
 * without protocol checks as Consul does. Not compiled: sameness groups, locality, failover
 * policies (all Enterprise; validation refuses them), and proxy-defaults' FailoverPolicy.
 */
import { formatGoDuration, parseGoDuration } from '../duration.js';
import type { ConfigEntry } from '../config-entry-types.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const orDefault = (v: string, d: string): string => (v !== '' ? v : d);

const DEFAULT = 'default';
const DEFAULT_CONNECT_TIMEOUT_NS = 5e9;

/** A read of the config-entry table (the store, or the store with a proposed change). */
export interface ConfigEntryView {
  get(kind: string, name: string): ConfigEntry | undefined;
  list(kind?: string): ConfigEntry[];
}

/** structs.ConfigEntryGraphError: the chain cannot be compiled (Consul's text). */
export class DiscoveryChainGraphError extends Error {}

export interface CompileRequest {
  serviceName: string;
  evaluateInDatacenter: string;
  evaluateInTrustDomain: string;
  /** DiscoveryChainRequest.OverrideProtocol. */
  overrideProtocol?: string;
  /** OverrideConnectTimeout, in nanoseconds. */
  overrideConnectTimeoutNs?: number;
  /** OverrideMeshGateway.Mode. */
  overrideMeshGatewayMode?: string;
}

/** structs.IsProtocolHTTPLike. */
export const isProtocolHttpLike = (p: string): boolean => p === 'http' || p === 'http2' || p === 'grpc';

/** A discovery target (structs.DiscoveryTarget) while compiling. */
interface Target {
  ID: string;
  Service: string;
  ServiceSubset: string;
  Namespace: string;
  Partition: string;
  Datacenter: string;
  Peer: string;
  MeshGateway: Obj;
  Subset: Obj;
  TransparentProxy: Obj;
  connectTimeoutNs: number;
  External: boolean;
  SNI: string;
  Name: string;
}

type TargetOpts = Partial<Pick<Target, 'Service' | 'ServiceSubset' | 'Namespace' | 'Partition' | 'Datacenter' | 'Peer'>>;

interface Node {
  Type: 'router' | 'splitter' | 'resolver';
  Name: string;
  Routes?: { Definition: Obj; NextNode: string }[];
  Splits?: { Definition: Obj; Weight: number; NextNode: string }[];
  Resolver?: { Default: boolean; ConnectTimeoutNs: number; RequestTimeoutNs: number; Target: string; Failover?: { Targets: string[] } };
  LoadBalancer?: Obj;
}

const mapKey = (n: Node): string => `${n.Type}:${n.Name}`;

/** chainID: the target ID, shaped like an SNI name. */
function chainId(o: Required<TargetOpts>): string {
  if (o.Peer !== '') return `${o.Service}.${o.Namespace}.default.external.${o.Peer}`;
  const base = `${o.Service}.${o.Namespace}.${o.Partition}.${o.Datacenter}`;
  return o.ServiceSubset === '' ? base : `${o.ServiceSubset}.${base}`;
}

/** connect.ServiceSNI for a target. */
function serviceSni(t: Required<TargetOpts>, trustDomain: string): string {
  const parts = [t.Service, orDefault(t.Namespace, DEFAULT)];
  if (t.ServiceSubset !== '') parts.unshift(t.ServiceSubset);
  const partition = orDefault(t.Partition, DEFAULT);
  if (partition === DEFAULT) return [...parts, t.Datacenter, 'internal', trustDomain].join('.');
  return [...parts, partition, t.Datacenter, 'internal-v1', trustDomain].join('.');
}

/** A stored duration (a Go duration string, or nanoseconds) in nanoseconds. */
function durationNs(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') return Math.round(parseGoDuration(v) * 1e6);
  return 0;
}

/** ServiceResolverConfigEntry.IsDefault. */
function resolverIsDefault(r: Obj): boolean {
  return str(r.DefaultSubset) === '' && Object.keys(obj(r.Subsets) ?? {}).length === 0 && !r.Redirect && Object.keys(obj(r.Failover) ?? {}).length === 0 &&
    durationNs(r.ConnectTimeout) === 0 && durationNs(r.RequestTimeout) === 0 && !r.LoadBalancer;
}

/** The Protocol of proxy-defaults' opaque Config (mapstructure.WeakDecode: any key case, scalars as text). */
function proxyConfigProtocol(config: unknown): string {
  const c = obj(config) ?? {};
  const key = Object.keys(c).find((k) => k.toLowerCase() === 'protocol');
  const v = key === undefined ? undefined : c[key];
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

/**
 * The protocol a service's own entries give it: service-defaults' Protocol when that entry
 * exists, else proxy-defaults' `Config.protocol`; tcp when empty (the compiler's
 * recordServiceProtocol; the gateways' listener checks use it too).
 */
export function serviceProtocol(view: ConfigEntryView, service: string): string {
  const sd = view.get('service-defaults', service);
  const raw = sd ? str(sd.Protocol) : proxyConfigProtocol(view.get('proxy-defaults', 'global')?.Config);
  return raw === '' ? 'tcp' : raw.toLowerCase();
}

/** A 64-bit FNV-1a of a string, in hex (the customization hash; Consul hashes with hashstructure). */
function fnv64(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(s, 'utf8')) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
}

class Compiler {
  private readonly resolvers = new Map<string, Obj>();
  private splitterNodes = new Map<string, Node>();
  private resolveNodes = new Map<string, Node>();
  readonly nodes = new Map<string, Node>();
  readonly loadedTargets = new Map<string, Target>();
  private readonly retainedTargets = new Set<string>();
  private usesAdvancedRouting = false;
  private readonly disableAdvancedRouting: boolean;
  private readonly customizedBy = { meshGateway: false, protocol: false, connectTimeout: false };
  private protocol = '';
  private startNode = '';

  constructor(private readonly view: ConfigEntryView, private readonly req: CompileRequest) {
    this.disableAdvancedRouting = req.overrideProtocol !== undefined && req.overrideProtocol !== '' && !isProtocolHttpLike(req.overrideProtocol);
  }

  private serviceDefaults(service: string): Obj | undefined {
    return this.view.get('service-defaults', service);
  }

  private proxyDefaults(): Obj | undefined {
    return this.view.get('proxy-defaults', 'global');
  }

  private recordServiceProtocol(service: string): void {
    const protocol = serviceProtocol(this.view, service);
    if (this.protocol === '') this.protocol = protocol;
    else if (this.protocol !== protocol) {
      throw new DiscoveryChainGraphError(
        `discovery chain ${JSON.stringify(this.req.serviceName)} uses inconsistent protocols; service ${JSON.stringify(service)} has ${JSON.stringify(protocol)} which is not ${JSON.stringify(this.protocol)}`,
      );
    }
  }

  private recordNode(node: Node): void {
    if (node.Type === 'splitter') this.splitterNodes.set(node.Name, node);
    else if (node.Type === 'resolver') this.resolveNodes.set(node.Resolver!.Target, node);
    this.nodes.set(mapKey(node), node);
  }

  private newTarget(opts: TargetOpts): Target {
    const peer = opts.Peer ?? '';
    const o: Required<TargetOpts> = peer === ''
      ? {
          Service: opts.Service!, ServiceSubset: opts.ServiceSubset ?? '', Peer: '',
          Datacenter: orDefault(opts.Datacenter ?? '', this.req.evaluateInDatacenter),
          Namespace: orDefault(opts.Namespace ?? '', DEFAULT), Partition: orDefault(opts.Partition ?? '', DEFAULT),
        }
      : { Service: opts.Service!, ServiceSubset: opts.ServiceSubset ?? '', Peer: peer, Datacenter: '', Partition: DEFAULT, Namespace: orDefault(opts.Namespace ?? '', DEFAULT) };
    const id = chainId(o);
    const prev = this.loadedTargets.get(id);
    if (prev) return prev;
    // No SNI for a peer's target: its trust domain is not known here.
    const sni = peer === '' ? serviceSni(o, this.req.evaluateInTrustDomain) : '';
    const t: Target = { ID: id, ...o, MeshGateway: {}, Subset: {}, TransparentProxy: {}, connectTimeoutNs: 0, External: false, SNI: sni, Name: sni };
    this.loadedTargets.set(id, t);
    return t;
  }

  private rewriteTarget(t: Target, opts: TargetOpts): Target {
    const merged: TargetOpts = { Service: t.Service, ServiceSubset: t.ServiceSubset, Namespace: t.Namespace, Partition: t.Partition, Datacenter: t.Datacenter, Peer: t.Peer };
    if (opts.Service && opts.Service !== merged.Service) {
      merged.Service = opts.Service;
      merged.ServiceSubset = ''; // another service: its own default subset applies
    }
    if (opts.ServiceSubset) merged.ServiceSubset = opts.ServiceSubset;
    if (opts.Partition) merged.Partition = opts.Partition;
    if (opts.Namespace || opts.Peer) merged.Namespace = opts.Namespace ?? '';
    if (opts.Datacenter) merged.Datacenter = opts.Datacenter;
    merged.Peer = opts.Peer ?? '';
    return this.newTarget(merged);
  }

  compile(): Obj {
    const name = this.req.serviceName;
    const router = this.view.get('service-router', name);
    let routerUsed: Obj | undefined = router;
    if (router && this.disableAdvancedRouting) {
      routerUsed = undefined;
      this.customizedBy.protocol = true;
    }
    if (!routerUsed) {
      this.startNode = mapKey(this.splitterOrResolverNode(this.newTarget({ Service: name })));
    } else {
      this.assembleRouter(routerUsed);
    }
    this.splitterNodes = new Map();
    this.resolveNodes = new Map();
    this.detectCircularReferences();
    this.flattenAdjacentSplitterNodes();
    this.removeUnusedNodes();
    for (const id of [...this.loadedTargets.keys()]) if (!this.retainedTargets.has(id)) this.loadedTargets.delete(id);

    if (!isProtocolHttpLike(this.protocol) && this.usesAdvancedRouting) {
      throw new DiscoveryChainGraphError(`discovery chain ${JSON.stringify(name)} uses a protocol ${JSON.stringify(this.protocol)} that does not permit advanced routing or splitting behavior`);
    }
    const override = this.req.overrideProtocol ?? '';
    if (override !== '' && override !== this.protocol) {
      this.protocol = override;
      this.customizedBy.protocol = true;
    }
    return this.output();
  }

  private assembleRouter(router: Obj): void {
    const name = str(router.Name);
    const node: Node = { Type: 'router', Name: `${name}.default.default`, Routes: [] };
    this.usesAdvancedRouting = true;
    this.recordServiceProtocol(name);
    for (const route of list(router.Routes)) {
      const compiled = { Definition: route, NextNode: '' };
      node.Routes!.push(compiled);
      const dest = obj(route.Destination) ?? {};
      const svc = orDefault(str(dest.Service), this.req.serviceName);
      const opts = { Service: svc, Namespace: orDefault(str(dest.Namespace), DEFAULT), Partition: orDefault(str(dest.Partition), DEFAULT) };
      const subset = str(dest.ServiceSubset);
      const next = subset === '' ? this.splitterOrResolverNode(this.newTarget(opts)) : this.resolverNode(this.newTarget({ ...opts, ServiceSubset: subset }), false);
      compiled.NextNode = mapKey(next);
    }
    // The catch-all route sends what no route matched on down the chain.
    const fallback = this.splitterOrResolverNode(this.newTarget({ Service: name, Namespace: DEFAULT, Partition: DEFAULT }));
    node.Routes!.push({
      Definition: { Match: { HTTP: { PathPrefix: '/' } }, Destination: { Service: name, Namespace: DEFAULT, Partition: DEFAULT } },
      NextNode: mapKey(fallback),
    });
    this.startNode = mapKey(node);
    this.recordNode(node);
  }

  private splitterOrResolverNode(target: Target): Node {
    return this.splitterNode(target.Service) ?? this.resolverNode(target, false);
  }

  private splitterNode(service: string): Node | undefined {
    const name = `${service}.default.default`;
    const prev = this.splitterNodes.get(name);
    if (prev) return prev;
    let splitter: Obj | undefined = this.view.get('service-splitter', service);
    if (splitter && this.disableAdvancedRouting) {
      splitter = undefined;
      this.customizedBy.protocol = true;
    }
    if (!splitter) return undefined;
    const node: Node = { Type: 'splitter', Name: name, Splits: [] };
    // Recorded before recursing, so a loop below finds it.
    this.recordNode(node);
    let hasLb = false;
    for (const split of list(splitter.Splits)) {
      const compiled = { Definition: split, Weight: typeof split.Weight === 'number' ? split.Weight : 0, NextNode: '' };
      node.Splits!.push(compiled);
      const svc = orDefault(str(split.Service), service);
      const subset = str(split.ServiceSubset);
      if (svc !== service && subset === '') {
        const next = this.splitterNode(svc);
        if (next) {
          compiled.NextNode = mapKey(next);
          continue;
        }
      }
      const next = this.resolverNode(this.newTarget({ Service: svc, ServiceSubset: subset, Namespace: DEFAULT, Partition: DEFAULT }), false);
      compiled.NextNode = mapKey(next);
      // One hash policy per route: the first hash-based load balancer met wins.
      const lb = next.LoadBalancer;
      if (!hasLb && lb && (lb.Policy === 'ring_hash' || lb.Policy === 'maglev')) {
        node.LoadBalancer = lb;
        hasLb = true;
      }
    }
    this.usesAdvancedRouting = true;
    return node;
  }

  private resolverFor(service: string): Obj {
    const key = service.toLowerCase();
    let r = this.resolvers.get(key);
    if (!r) {
      r = this.view.get('service-resolver', service) ?? { Kind: 'service-resolver', Name: service };
      this.resolvers.set(key, r);
    }
    return r;
  }

  /** getResolverNode: redirects, the default subset, the node, and failover targets. */
  private resolverNode(start: Target, recursedForFailover: boolean): Node {
    const history = new Set<string>();
    const order: string[] = [];
    let target = start;
    let resolver: Obj;
    for (;;) {
      const prev = this.resolveNodes.get(target.ID);
      if (prev) return prev;
      if (target.Peer === '') this.recordServiceProtocol(target.Service);
      resolver = this.resolverFor(target.Service);
      if (history.has(target.ID)) {
        order.push(target.ID);
        throw new DiscoveryChainGraphError(`detected circular resolver redirect: [${order.join(' -> ')}]`);
      }
      history.add(target.ID);
      order.push(target.ID);
      const redirect = obj(resolver.Redirect);
      if (redirect) {
        const redirected = this.rewriteTarget(target, {
          Service: str(redirect.Service), ServiceSubset: str(redirect.ServiceSubset), Namespace: str(redirect.Namespace),
          Partition: str(redirect.Partition), Datacenter: str(redirect.Datacenter), Peer: str(redirect.Peer),
        });
        if (redirected.ID !== target.ID) {
          target = redirected;
          continue;
        }
      }
      const defaultSubset = str(resolver.DefaultSubset);
      if (target.ServiceSubset === '' && defaultSubset !== '') {
        target = this.rewriteTarget(target, { ServiceSubset: defaultSubset });
        continue;
      }
      break;
    }
    const subsets = obj(resolver.Subsets) ?? {};
    if (target.ServiceSubset !== '' && !Object.hasOwn(subsets, target.ServiceSubset)) {
      throw new DiscoveryChainGraphError(`service ${JSON.stringify(target.Service)} does not have a subset named ${JSON.stringify(target.ServiceSubset)}`);
    }
    let connectTimeoutNs = durationNs(resolver.ConnectTimeout);
    if (connectTimeoutNs < 1) connectTimeoutNs = DEFAULT_CONNECT_TIMEOUT_NS;
    const overrideTimeout = this.req.overrideConnectTimeoutNs ?? 0;
    if (overrideTimeout > 0 && connectTimeoutNs !== overrideTimeout) {
      connectTimeoutNs = overrideTimeout;
      this.customizedBy.connectTimeout = true;
    }
    target.connectTimeoutNs = connectTimeoutNs;
    const node: Node = {
      Type: 'resolver',
      Name: target.ID,
      Resolver: { Default: resolverIsDefault(resolver), ConnectTimeoutNs: connectTimeoutNs, RequestTimeoutNs: durationNs(resolver.RequestTimeout), Target: target.ID },
      ...(resolver.LoadBalancer ? { LoadBalancer: resolver.LoadBalancer as Obj } : {}),
    };
    target.Subset = { ...(obj(subsets[target.ServiceSubset]) ?? {}) };

    const sd = this.serviceDefaults(target.Service);
    if (sd && str(sd.ExternalSNI) !== '') {
      target.SNI = str(sd.ExternalSNI);
      target.External = true;
    }
    if (target.External) {
      const why = resolver.Redirect ? 'redirects' : Object.keys(subsets).length > 0 ? 'subsets' : Object.keys(obj(resolver.Failover) ?? {}).length > 0 ? 'failover' : '';
      if (why !== '') throw new DiscoveryChainGraphError(`service ${JSON.stringify(target.Service)} has an external SNI set; cannot define ${why} for external services`);
      target.MeshGateway = {};
    } else {
      if (sd) {
        target.MeshGateway = { ...(obj(sd.MeshGateway) ?? {}) };
        const dialed = obj(sd.TransparentProxy)?.DialedDirectly === true;
        target.TransparentProxy = dialed ? { DialedDirectly: true } : {};
      }
      const pd = this.proxyDefaults();
      if (pd) {
        if (str(target.MeshGateway.Mode) === '' && str(obj(pd.MeshGateway)?.Mode) !== '') target.MeshGateway = { Mode: str(obj(pd.MeshGateway)?.Mode) };
        if (target.TransparentProxy.DialedDirectly !== true && obj(pd.TransparentProxy)?.DialedDirectly === true) target.TransparentProxy = { DialedDirectly: true };
      }
      const mode = this.req.overrideMeshGatewayMode ?? '';
      if (mode !== '' && str(target.MeshGateway.Mode) !== mode) {
        target.MeshGateway = { Mode: mode };
        this.customizedBy.meshGateway = true;
      }
    }
    this.retainedTargets.add(target.ID);
    // A failover target's node is only a carrier for its target: not recorded, no failover of its own.
    if (recursedForFailover) return node;
    this.recordNode(node);

    const failovers = obj(resolver.Failover) ?? {};
    const failover = obj(failovers[target.ServiceSubset]) ?? obj(failovers['*']);
    if (!failover) return node;
    const base: TargetOpts = { Service: str(failover.Service), ServiceSubset: str(failover.ServiceSubset), Namespace: str(failover.Namespace) };
    const candidates: Target[] = [];
    const dcs = Array.isArray(failover.Datacenters) ? (failover.Datacenters as string[]) : [];
    const targets = list(failover.Targets);
    if (dcs.length > 0) for (const dc of dcs) candidates.push(this.rewriteTarget(target, { ...base, Datacenter: dc }));
    else if (targets.length > 0) {
      for (const t of targets) {
        candidates.push(this.rewriteTarget(target, {
          Service: str(t.Service), ServiceSubset: str(t.ServiceSubset), Namespace: str(t.Namespace), Partition: str(t.Partition), Datacenter: str(t.Datacenter), Peer: str(t.Peer),
        }));
      }
    } else candidates.push(this.rewriteTarget(target, base));
    const others = candidates.filter((c) => c.ID !== target.ID); // never fail over to yourself
    if (others.length > 0) {
      node.Resolver!.Failover = { Targets: others.map((c) => this.resolverNode(c, true).Resolver!.Target) };
    }
    return node;
  }

  private detectCircularReferences(): void {
    const todo: string[] = [this.startNode];
    const visited = new Set<string>();
    const chain: string[] = [];
    for (;;) {
      const current = todo.pop();
      if (current === undefined) return;
      if (current === '_popvisit') {
        const v = chain.pop();
        if (v !== undefined) visited.delete(v);
        continue;
      }
      chain.push(current);
      if (visited.has(current)) throw new DiscoveryChainGraphError(`detected circular reference: [${chain.join(' -> ')}]`);
      visited.add(current);
      todo.push('_popvisit');
      const node = this.nodes.get(current)!;
      if (node.Type === 'router') for (const r of node.Routes!) todo.push(r.NextNode);
      else if (node.Type === 'splitter') for (const s of node.Splits!) todo.push(s.NextNode);
    }
  }

  private flattenAdjacentSplitterNodes(): void {
    for (let changedAny = true; changedAny;) {
      changedAny = false;
      for (const node of this.nodes.values()) {
        if (node.Type !== 'splitter') continue;
        const fixed: NonNullable<Node['Splits']> = [];
        let changed = false;
        for (const split of node.Splits!) {
          const next = this.nodes.get(split.NextNode)!;
          if (next.Type !== 'splitter') {
            fixed.push(split);
            continue;
          }
          changed = true;
          for (const inner of next.Splits!) {
            fixed.push({ Definition: mergeParentSplit(inner.Definition, split.Definition), Weight: normalizeWeight((split.Weight * inner.Weight) / 100), NextNode: inner.NextNode });
          }
        }
        if (changed) {
          node.Splits = fixed;
          changedAny = true;
        }
      }
    }
  }

  private removeUnusedNodes(): void {
    const visited = new Set<string>();
    const todo = [this.startNode];
    while (todo.length > 0) {
      const next = todo.pop()!;
      if (visited.has(next)) continue;
      visited.add(next);
      const node = this.nodes.get(next);
      if (!node) throw new Error(`compilation references non-retained node ${JSON.stringify(next)}`);
      if (node.Type === 'router') todo.push(...node.Routes!.map((r) => r.NextNode));
      else if (node.Type === 'splitter') todo.push(...node.Splits!.map((s) => s.NextNode));
    }
    for (const key of [...this.nodes.keys()]) if (!visited.has(key)) this.nodes.delete(key);
  }

  /** determineIfDefaultChain. */
  private isDefaultChain(): boolean {
    const node = this.nodes.get(this.startNode);
    if (!node) return true;
    if (node.Type !== 'resolver' || !node.Resolver!.Default) return false;
    const t = this.loadedTargets.get(node.Resolver!.Target)!;
    return t.Service === this.req.serviceName && t.Namespace === DEFAULT && t.Partition === DEFAULT;
  }

  private customizationHash(): string {
    const c = this.customizedBy;
    if (!c.meshGateway && !c.protocol && !c.connectTimeout) return '';
    const material = JSON.stringify([c.meshGateway ? (this.req.overrideMeshGatewayMode ?? '') : '', c.protocol ? (this.req.overrideProtocol ?? '') : '', c.connectTimeout ? (this.req.overrideConnectTimeoutNs ?? 0) : 0]);
    return fnv64(material).slice(0, 8);
  }

  /** structs.CompiledDiscoveryChain as encoding/json writes it (maps by sorted key, omitempty). */
  private output(): Obj {
    const name = this.req.serviceName;
    const pd = this.proxyDefaults();
    const sd = this.serviceDefaults(name);
    const extensions = [...list(pd?.EnvoyExtensions), ...list(sd?.EnvoyExtensions)];
    const meta = obj(sd?.Meta);
    const hash = this.customizationHash();
    const nodes = Object.fromEntries([...this.nodes.keys()].sort().map((k) => [k, nodeJson(this.nodes.get(k)!)]));
    const targets = Object.fromEntries([...this.loadedTargets.keys()].sort().map((k) => [k, targetJson(this.loadedTargets.get(k)!)]));
    return {
      ServiceName: name, Namespace: DEFAULT, Partition: DEFAULT, Datacenter: this.req.evaluateInDatacenter,
      ...(hash !== '' ? { CustomizationHash: hash } : {}),
      ...(this.isDefaultChain() ? { Default: true } : {}),
      ...(this.protocol !== '' ? { Protocol: this.protocol } : {}),
      ...(meta && Object.keys(meta).length > 0 ? { ServiceMeta: meta } : {}),
      ...(extensions.length > 0 ? { EnvoyExtensions: extensions } : {}),
      StartNode: this.startNode,
      ...(Object.keys(nodes).length > 0 ? { Nodes: nodes } : {}),
      ...(Object.keys(targets).length > 0 ? { Targets: targets } : {}),
    };
  }
}

/** NormalizeServiceSplitWeight: units of 0.01%, as a float32. */
function normalizeWeight(w: number): number {
  return Math.round(Math.fround(Math.fround(w) * 100)) / 100;
}

/** structs.MergeHTTPHeaderModifiers(base, overrides). */
function mergeHeaders(base: unknown, over: unknown): Obj | undefined {
  const b = obj(base);
  const o = obj(over);
  const zero = (m: Obj | undefined): boolean => !m || ['Add', 'Set', 'Remove'].every((k) => { const v = m[k]; return v == null || (Array.isArray(v) ? v.length === 0 : Object.keys(v as Obj).length === 0); });
  if (zero(b)) return o ? structuredClone(o) : undefined;
  const merged = structuredClone(b!);
  if (zero(o)) return merged;
  merged.Add = { ...(obj(merged.Add) ?? {}), ...(obj(o!.Add) ?? {}) };
  merged.Set = { ...(obj(merged.Set) ?? {}), ...(obj(o!.Set) ?? {}) };
  const removed = Array.isArray(merged.Remove) ? [...(merged.Remove as string[])] : [];
  for (const k of Array.isArray(o!.Remove) ? (o!.Remove as string[]) : []) if (!removed.includes(k)) removed.push(k);
  merged.Remove = removed;
  return merged;
}

/** ServiceSplit.MergeParent: the parent's request changes under the child's, the child's response changes under the parent's. */
function mergeParentSplit(child: Obj, parent: Obj): Obj {
  const out = structuredClone(child);
  const req = mergeHeaders(parent.RequestHeaders, child.RequestHeaders);
  const resp = mergeHeaders(child.ResponseHeaders, parent.ResponseHeaders);
  if (req) out.RequestHeaders = req;
  if (resp) out.ResponseHeaders = resp;
  return out;
}

function nodeJson(n: Node): Obj {
  const out: Obj = { Type: n.Type, Name: n.Name };
  if (n.Routes && n.Routes.length > 0) out.Routes = n.Routes.map((r) => ({ Definition: r.Definition, ...(r.NextNode !== '' ? { NextNode: r.NextNode } : {}) }));
  if (n.Splits && n.Splits.length > 0) out.Splits = n.Splits.map((s) => ({ Definition: s.Definition, ...(s.Weight !== 0 ? { Weight: s.Weight } : {}), ...(s.NextNode !== '' ? { NextNode: s.NextNode } : {}) }));
  if (n.Resolver) {
    const r = n.Resolver;
    // DiscoveryResolver.MarshalJSON: ConnectTimeout as a string, first; RequestTimeout stays nanoseconds.
    out.Resolver = {
      ...(r.ConnectTimeoutNs !== 0 ? { ConnectTimeout: formatGoDuration(r.ConnectTimeoutNs / 1e6) } : {}),
      ...(r.Default ? { Default: true } : {}),
      ...(r.RequestTimeoutNs !== 0 ? { RequestTimeout: r.RequestTimeoutNs } : {}),
      Target: r.Target,
      ...(r.Failover ? { Failover: r.Failover } : {}),
    };
  }
  if (n.LoadBalancer) out.LoadBalancer = n.LoadBalancer;
  return out;
}

/** DiscoveryTarget.MarshalJSON: ConnectTimeout as a string, first. */
function targetJson(t: Target): Obj {
  const out: Obj = {};
  if (t.connectTimeoutNs !== 0) out.ConnectTimeout = formatGoDuration(t.connectTimeoutNs / 1e6);
  out.ID = t.ID;
  for (const k of ['Service', 'ServiceSubset', 'Namespace', 'Partition', 'Datacenter', 'Peer'] as const) if (t[k] !== '') out[k] = t[k];
  out.MeshGateway = t.MeshGateway;
  out.Subset = t.Subset;
  out.TransparentProxy = t.TransparentProxy;
  if (t.External) out.External = true;
  if (t.SNI !== '') out.SNI = t.SNI;
  if (t.Name !== '') out.Name = t.Name;
  return out;
}

/**
 * Compiles the discovery chain of `req.serviceName` over `view`. Throws DiscoveryChainGraphError
 * with Consul's text when the entries cannot form a chain.
 */
export function compileDiscoveryChain(view: ConfigEntryView, req: CompileRequest): Obj {
  return new Compiler(view, req).compile();
}
