/**
 * A client agent's ACL resolver, as Consul's: the client keeps no ACL tables, so it reads a
 * token (`ACL.TokenRead`), its roles (`ACL.RoleResolve`) and policies (`ACL.PolicyResolve`)
 * from a server over agent RPC and caches each for acl.token_ttl / role_ttl / policy_ttl.
 * agent_recovery is resolved locally, so it works with every server down. When no server
 * answers, acl.down_policy decides: `extend-cache` and `async-cache` keep using what is cached
 * (past its TTL; `async-cache` also refreshes in the background instead of waiting), and
 * without a cached entry act as the default policy; `allow` allows and `deny` denies all.
 */
import type { AclPolicyRecord, AclRoleRecord, AclTokenRecord } from '@proconsul/catalog';
import type { Logger } from '../log.js';
import { Authorizer } from './authorizer.js';
import type { AclConfig } from './config.js';
import { ANONYMOUS_TOKEN_ID, ANONYMOUS_TOKEN_SECRET } from './identities.js';
import { AclNotFoundError, agentRecoveryIdentity, compileAuthorizer, type Identity, type IdentityResolver } from './resolver.js';
import { emptyRules } from './rules.js';

/** Calls a server (ClientCluster.call): resolves with the answer, rejects with the error text. */
export type ServerCall = (method: string, body: unknown) => Promise<unknown>;

/** Consul's text (agent/consul/acl.go ACLRemoteError). */
export class AclRemoteError extends Error {
  constructor(cause: unknown) {
    super(`Error communicating with the ACL Datacenter: ${(cause as Error).message}`);
  }
}

/** Bound on each cache (entries); a full cache is emptied, as the server's resolver does. */
const CACHE_MAX = 10_000;
/** The AccessorID Consul shows for a request decided by the down policy. */
const DOWN_ACCESSOR = 'primary-dc-down';

interface Entry<V> {
  value: V;
  at: number;
}

export class RemoteAclResolver implements IdentityResolver {
  readonly #tokens = new Map<string, Entry<AclTokenRecord | null>>();
  readonly #policies = new Map<string, Entry<AclPolicyRecord | null>>();
  readonly #roles = new Map<string, Entry<AclRoleRecord | null>>();
  readonly #compiled = new Map<string, Entry<{ deps: unknown[]; identity: Identity }>>();
  /** One RPC at a time per key (Consul's singleflight groups). */
  readonly #inflight = new Map<string, Promise<unknown>>();
  readonly #down: Authorizer;

  constructor(
    private readonly config: AclConfig,
    private readonly call: ServerCall,
    private readonly nodeName: string,
    private readonly log: Logger,
    /** The agent's datacenter: policies scoped to others grant nothing here. */
    private readonly datacenter: string,
    private readonly now: () => number = Date.now,
  ) {
    const p = config.downPolicy;
    this.#down = new Authorizer(emptyRules(), p === 'allow' ? 'allow' : p === 'deny' ? 'deny' : config.defaultPolicy);
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  invalidate(): void {
    this.#tokens.clear();
  }

  async resolve(secret: string): Promise<Identity> {
    const effective = secret === '' ? this.config.tokens.default : secret;
    if (this.config.tokens.agentRecovery !== '' && effective === this.config.tokens.agentRecovery) return agentRecoveryIdentity(this.nodeName);
    const wire = effective === '' ? ANONYMOUS_TOKEN_SECRET : effective;
    try {
      const token = await this.#token(wire);
      if (token === null) {
        // No anonymous token on the servers (ACLs not bootstrapped): the default policy alone.
        if (wire === ANONYMOUS_TOKEN_SECRET) return { accessorId: ANONYMOUS_TOKEN_ID, authz: new Authorizer(emptyRules(), this.config.defaultPolicy) };
        throw new AclNotFoundError();
      }
      if (token.ExpirationTime !== undefined && Date.parse(token.ExpirationTime) <= this.now()) throw new AclNotFoundError();
      const roles = await this.#batch('role', this.#roles, this.config.roleTtlMs, token.Roles.map((r) => r.ID), wire);
      const policyIds = new Set(token.Policies.map((p) => p.ID));
      for (const r of roles.values()) for (const p of r?.Policies ?? []) policyIds.add(p.ID);
      const policies = await this.#batch('policy', this.#policies, this.config.policyTtlMs, [...policyIds], wire);
      // Compiled once per secret while the token, its roles and policies are the same records.
      const deps = [token, ...roles.values(), ...policies.values()];
      const hit = this.#compiled.get(wire)?.value;
      if (hit && hit.deps.length === deps.length && hit.deps.every((d, i) => d === deps[i])) return hit.identity;
      const authz = compileAuthorizer(token, (id) => policies.get(id), (id) => roles.get(id), this.config.defaultPolicy, this.datacenter);
      const identity = { accessorId: token.AccessorID, authz };
      put(this.#compiled, wire, { deps, identity }, 0);
      return identity;
    } catch (err) {
      if (!(err instanceof AclRemoteError)) throw err;
      this.log.error({ error: err.message }, 'Error resolving token');
      return { accessorId: DOWN_ACCESSOR, authz: this.#down };
    }
  }

  #extends(): boolean {
    return this.config.downPolicy === 'extend-cache' || this.config.downPolicy === 'async-cache';
  }

  async #token(secret: string): Promise<AclTokenRecord | null> {
    const cached = this.#tokens.get(secret);
    if (cached && this.now() - cached.at < this.config.tokenTtlMs) return cached.value;
    const fetch = this.#once(`token:${secret}`, async () => {
      try {
        const r = (await this.call('ACL.TokenRead', { Token: secret })) as { Token?: AclTokenRecord | null };
        put(this.#tokens, secret, r.Token ?? null, this.now());
        return r.Token ?? null;
      } catch (err) {
        if (isNotFound(err)) {
          this.#tokens.delete(secret);
          throw new AclNotFoundError();
        }
        if (cached && this.#extends()) {
          put(this.#tokens, secret, cached.value, this.now()); // extend the cache
          return cached.value;
        }
        this.#tokens.delete(secret);
        throw new AclRemoteError(err);
      }
    });
    // async-cache answers from the expired entry and lets the refresh run on its own.
    if (cached && this.config.downPolicy === 'async-cache') {
      fetch.catch(() => undefined);
      return cached.value;
    }
    return fetch;
  }

  /** Policies or roles by ID: fresh cache entries, the rest fetched in one RPC. */
  async #batch<V extends { ID: string }>(kind: 'policy' | 'role', cache: Map<string, Entry<V | null>>, ttlMs: number, ids: string[], secret: string): Promise<Map<string, V | null>> {
    const out = new Map<string, V | null>();
    const stale: string[] = [];
    let missing = false;
    for (const id of ids) {
      const e = cache.get(id);
      if (e && this.now() - e.at < ttlMs) out.set(id, e.value);
      else {
        stale.push(id);
        if (!e) missing = true;
        else out.set(id, e.value);
      }
    }
    if (stale.length === 0) return out;
    const method = kind === 'policy' ? 'ACL.PolicyResolve' : 'ACL.RoleResolve';
    const fetch = this.#once(`${kind}:${secret}:${stale.join(',')}`, async () => {
      try {
        const r = (await this.call(method, kind === 'policy' ? { Token: secret, PolicyIDs: stale } : { Token: secret, RoleIDs: stale })) as Record<string, V[] | null>;
        const found = new Map((r[kind === 'policy' ? 'Policies' : 'Roles'] ?? []).map((v) => [v.ID, v]));
        for (const id of stale) put(cache, id, found.get(id) ?? null, this.now());
      } catch (err) {
        if (isNotFound(err)) {
          this.#tokens.delete(secret);
          throw new AclNotFoundError();
        }
        if (missing || !this.#extends()) throw new AclRemoteError(err);
        for (const id of stale) put(cache, id, cache.get(id)?.value ?? null, this.now());
      }
    });
    if (!missing && this.config.downPolicy === 'async-cache') {
      fetch.catch(() => undefined);
      return out;
    }
    await fetch;
    for (const id of stale) out.set(id, cache.get(id)?.value ?? null);
    return out;
  }

  #once<T>(key: string, run: () => Promise<T>): Promise<T> {
    const running = this.#inflight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const p = run().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, p);
    return p;
  }
}

function put<V>(cache: Map<string, Entry<V>>, key: string, value: V, at: number): void {
  if (cache.size >= CACHE_MAX && !cache.has(key)) cache.clear();
  cache.set(key, { value, at });
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && err.message === 'ACL not found';
}
