/**
 * Resolves a request's secret to an Authorizer, as Consul's ACL resolver: no secret means the
 * agent's default token (acl.tokens.default), else the anonymous token; the configured
 * initial_management secret is management; agent_recovery may only act on this agent; an
 * unknown secret is refused with "ACL not found". Compiled authorizers are cached per
 * secret and dropped whenever the ACL tables change.
 */
import type { AclPolicyRecord, AclRoleRecord, AclStore, AclTokenRecord } from '@proconsul/catalog';
import { Authorizer } from './authorizer.js';
import type { AclConfig } from './config.js';
import { ANONYMOUS_TOKEN_ID, ANONYMOUS_TOKEN_SECRET, GLOBAL_MANAGEMENT_POLICY_ID, nodeIdentityRules, serviceIdentityRules } from './identities.js';
import { emptyRules, mergeRules, parseRules, type PolicyRules } from './rules.js';
import { renderRules, validIn } from './templated-policies.js';

export interface Identity {
  /** AccessorID shown in "Permission denied" messages. */
  accessorId: string;
  authz: Authorizer;
}

/** Bound on the compiled-authorizer cache (entries, cleared when full). */
const CACHE_MAX = 10_000;

export class AclNotFoundError extends Error {
  constructor() {
    super('ACL not found');
  }
}

export class AclResolver implements IdentityResolver {
  private cache = new Map<string, Identity>();
  private cacheIndex = -1;

  constructor(
    private readonly config: AclConfig,
    private readonly store: () => Readonly<AclStore>,
    private readonly nodeName: string,
    /** The agent's datacenter: policies scoped to others grant nothing here. */
    private readonly datacenter: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** After the agent's own tokens change (PUT /v1/agent/token). */
  invalidate(): void {
    this.cache = new Map();
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  resolve(secret: string): Identity {
    return this.resolveExact(secret === '' ? this.config.tokens.default : secret);
  }

  /** A secret as sent (a client agent's RPC): no default token; "anonymous" is the anonymous token. */
  resolveExact(secret: string): Identity {
    const store = this.store();
    if (store.index !== this.cacheIndex || this.cache.size >= CACHE_MAX) {
      this.cache = new Map();
      this.cacheIndex = store.index;
    }
    const effective = secret === ANONYMOUS_TOKEN_SECRET ? '' : secret;
    const hit = this.cache.get(effective);
    if (hit) return hit;
    const identity = this.compute(effective, store);
    this.cache.set(effective, identity);
    return identity;
  }

  private compute(secret: string, store: Readonly<AclStore>): Identity {
    const fallback = this.config.defaultPolicy;
    if (secret === '') {
      const anon = store.tokens.get(ANONYMOUS_TOKEN_ID);
      return { accessorId: ANONYMOUS_TOKEN_ID, authz: anon ? this.tokenAuthorizer(anon, store) : new Authorizer(emptyRules(), fallback) };
    }
    const t = this.config.tokens;
    if (t.initialManagement !== '' && secret === t.initialManagement && !store.tokensBySecret.has(secret)) {
      return { accessorId: '', authz: Authorizer.manageAll() };
    }
    if (t.agentRecovery !== '' && secret === t.agentRecovery) return agentRecoveryIdentity(this.nodeName);
    const token = store.tokensBySecret.get(secret);
    if (!token || this.expired(token)) throw new AclNotFoundError();
    return { accessorId: token.AccessorID, authz: this.tokenAuthorizer(token, store) };
  }

  private expired(t: AclTokenRecord): boolean {
    return t.ExpirationTime !== undefined && Date.parse(t.ExpirationTime) <= this.now();
  }

  private tokenAuthorizer(token: AclTokenRecord, store: Readonly<AclStore>): Authorizer {
    return compileAuthorizer(token, (id) => store.policies.get(id), (id) => store.roles.get(id), this.config.defaultPolicy, this.datacenter);
  }
}

/**
 * What resolves a secret exactly as a client agent sent it ('' is the anonymous token): a server's
 * state (AclResolver), or, in a secondary datacenter without token replication, the primary.
 */
export interface ExactResolver {
  readonly enabled: boolean;
  resolveExact(secret: string): Identity | Promise<Identity>;
}

/** What resolves a request's secret: the server's (state store) or a client's (through the servers). */
export interface IdentityResolver {
  readonly enabled: boolean;
  resolve(secret: string): Identity | Promise<Identity>;
  /** After the agent's own tokens change (PUT /v1/agent/token). */
  invalidate(): void;
}

/** Consul's agent recovery policy: write on this agent, read on every node; nothing else. */
export function agentRecoveryIdentity(nodeName: string): Identity {
  const rules = parseRules(`agent ${JSON.stringify(nodeName)} { policy = "write" }\nnode_prefix "" { policy = "read" }`);
  return { accessorId: 'agent-recovery-token', authz: new Authorizer(rules, 'deny') };
}

/**
 * A token's authorizer from its policies, roles, identities and templated policies (roles'
 * included); global-management makes it management. A policy or role that is gone grants
 * nothing. With a `datacenter`, what is scoped to other datacenters grants nothing (Consul's
 * filterPoliciesByScope): policies by their Datacenters, service identities and templated
 * policies by theirs, node identities by their Datacenter.
 */
export function compileAuthorizer(
  token: Pick<AclTokenRecord, 'Policies' | 'Roles' | 'ServiceIdentities' | 'NodeIdentities' | 'TemplatedPolicies'>,
  policyOf: (id: string) => AclPolicyRecord | null | undefined,
  roleOf: (id: string) => AclRoleRecord | null | undefined,
  defaultPolicy: AclConfig['defaultPolicy'],
  datacenter?: string,
): Authorizer {
  const policyIds = new Set(token.Policies.map((p) => p.ID));
  const rules: PolicyRules = emptyRules();
  const identities = (holder: Pick<AclTokenRecord, 'ServiceIdentities' | 'NodeIdentities' | 'TemplatedPolicies'>): void => {
    for (const id of holder.ServiceIdentities) if (validIn(id.Datacenters, datacenter)) mergeRules(rules, serviceIdentityRules(id));
    for (const id of holder.NodeIdentities) if (validIn([id.Datacenter], datacenter)) mergeRules(rules, nodeIdentityRules(id));
    for (const tp of holder.TemplatedPolicies ?? []) {
      if (!validIn(tp.Datacenters, datacenter)) continue;
      // Validated when written; one that no longer renders or parses grants nothing.
      try {
        mergeRules(rules, parseRules(renderRules(tp)));
      } catch {
        continue;
      }
    }
  };
  identities(token);
  for (const link of token.Roles) {
    const role = roleOf(link.ID);
    if (!role) continue;
    for (const p of role.Policies) policyIds.add(p.ID);
    identities(role);
  }
  if (policyIds.has(GLOBAL_MANAGEMENT_POLICY_ID) && validIn(policyOf(GLOBAL_MANAGEMENT_POLICY_ID)?.Datacenters, datacenter)) return Authorizer.manageAll();
  for (const id of policyIds) {
    const policy = policyOf(id);
    // Stored rules were validated when written; a policy that no longer parses grants nothing.
    if (policy && validIn(policy.Datacenters, datacenter)) {
      try {
        mergeRules(rules, parseRules(policy.Rules));
      } catch {
        continue;
      }
    }
  }
  return new Authorizer(rules, defaultPolicy);
}
