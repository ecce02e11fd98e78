/**
 * Decides whether a token may do something, as Consul's policy authorizer chained over a
 * static one (acl/policy_authorizer.go, acl/static_authorizer.go): for a name, an exact rule
 * beats any prefix rule, else the longest matching prefix rule decides; with no rule the
 * fallback decides (default_policy allow or deny, or management which allows everything).
 * Only management reaches the `acl` resource without a rule, as in Consul.
 */
import type { Access, PolicyRules, SegmentResource, SingleResource } from './rules.js';

export type Need = 'read' | 'list' | 'write';
export type Fallback = 'allow' | 'deny' | 'manage';

/** Consul's enforce(): write grants all, list grants read and list, read grants read. */
function grants(access: Access, need: Need): boolean {
  if (access === 'write') return true;
  if (access === 'list') return need !== 'write';
  if (access === 'read') return need === 'read';
  return false;
}

export class Authorizer {
  constructor(
    private readonly rules: PolicyRules | null,
    readonly fallback: Fallback,
  ) {}

  static manageAll(): Authorizer {
    return new Authorizer(null, 'manage');
  }

  get isManagement(): boolean {
    return this.fallback === 'manage';
  }

  /** The rule governing `name`: the exact one, else the longest prefix; undefined when none. */
  private governing(resource: SegmentResource, name: string): Access | undefined {
    if (!this.rules) return undefined;
    const seg = this.rules.segments[resource];
    const exact = seg.exact.get(name);
    if (exact !== undefined) return exact;
    return this.longestPrefix(resource, name);
  }

  private longestPrefix(resource: SegmentResource, name: string): Access | undefined {
    let best: string | undefined;
    let access: Access | undefined;
    for (const [prefix, a] of this.rules!.segments[resource].prefix) {
      if (name.startsWith(prefix) && (best === undefined || prefix.length > best.length)) {
        best = prefix;
        access = a;
      }
    }
    return access;
  }

  private fallbackAllows(): boolean {
    return this.fallback !== 'deny';
  }

  allowed(resource: SegmentResource, name: string, need: Need): boolean {
    const access = this.governing(resource, name);
    return access === undefined ? this.fallbackAllows() : grants(access, need);
  }

  /** Consul's IntentionRead/IntentionWrite on a destination name: exact rule, else longest prefix, else the fallback. */
  intentionAllowed(name: string, need: 'read' | 'write'): boolean {
    if (!this.rules) return this.fallbackAllows();
    if (name === '*') return this.intentionWildcardAllowed(need);
    const it = this.rules.intentions;
    let access = it.exact.get(name);
    if (access === undefined) {
      let best = -1;
      for (const [prefix, a] of it.prefix) {
        if (name.startsWith(prefix) && prefix.length > best) {
          best = prefix.length;
          access = a;
        }
      }
    }
    return access === undefined ? this.fallbackAllows() : grants(access, need);
  }

  /**
   * The wildcard destination (policy_authorizer.go anyAllowed/allAllowed): read when any
   * intention rule grants it, write when no rule denies it; a `""` prefix rule sets the start,
   * else the fallback decides.
   */
  private intentionWildcardAllowed(need: 'read' | 'write'): boolean {
    const it = this.rules!.intentions;
    const top = it.prefix.get('');
    const decision: boolean | undefined = top === undefined ? undefined : grants(top, need);
    const names = new Set([...it.exact.keys(), ...it.prefix.keys()]);
    for (const n of names) {
      const prefix = it.prefix.get(n);
      const exact = it.exact.get(n);
      const byPrefix = prefix === undefined ? undefined : grants(prefix, need);
      if (need === 'read') {
        if (byPrefix === true || (exact !== undefined && grants(exact, need))) return true;
      } else if (byPrefix === false || (exact !== undefined && !grants(exact, need))) {
        return false;
      }
    }
    return decision ?? this.fallbackAllows();
  }

  /**
   * Consul's ServiceWriteAny (policy_authorizer.go anyAllowed): some service rule, exact or
   * prefix, grants write; else the fallback decides.
   */
  serviceWriteAny(): boolean {
    const seg = this.rules?.segments.service;
    if (seg && [...seg.exact.values(), ...seg.prefix.values()].some((a) => grants(a, 'write'))) return true;
    return this.fallbackAllows();
  }

  /** Consul's MeshRead/MeshWrite: the mesh rule, else the operator rule (policy_authorizer.go). */
  meshAllowed(need: 'read' | 'write'): boolean {
    return this.rules?.single.mesh !== undefined ? this.allowedSingle('mesh', need) : this.allowedSingle('operator', need);
  }

  /** Consul's PeeringRead/PeeringWrite: the peering rule, else the operator rule (policy_authorizer.go). */
  peeringAllowed(need: 'read' | 'write'): boolean {
    return this.rules?.single.peering !== undefined ? this.allowedSingle('peering', need) : this.allowedSingle('operator', need);
  }

  allowedSingle(resource: SingleResource, need: 'read' | 'write'): boolean {
    const access = this.rules?.single[resource];
    if (access !== undefined) return grants(access, need);
    return resource === 'acl' ? this.isManagement : this.fallbackAllows();
  }

  /**
   * Write on every key under `prefix` (recursive delete): the prefix rule that covers `prefix`
   * grants write and no rule under `prefix` grants less (Consul's KeyWritePrefix).
   */
  keyWritePrefix(prefix: string): boolean {
    if (!this.rules) return this.fallbackAllows();
    const seg = this.rules.segments.key;
    for (const kind of [seg.exact, seg.prefix]) {
      for (const [name, access] of kind) {
        if (name.startsWith(prefix) && access !== 'write') return false;
      }
    }
    const covering = this.longestPrefix('key', prefix);
    return covering === undefined ? this.fallbackAllows() : covering === 'write';
  }
}
