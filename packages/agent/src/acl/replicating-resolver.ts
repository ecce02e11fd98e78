/**
 * A secondary datacenter's server with token replication resolves tokens from its replicated
 * state once that state holds a token; until then (the first replication round has not written
 * one, or replication fails) its answer is not authoritative and a secret is resolved in the
 * primary, as without token replication. Consul's serverACLResolverBackend.ResolveIdentityFromToken
 * (acl_server.go): the local answer counts when `InPrimaryDatacenter() || index > 0`.
 * The secrets this agent's own configuration knows (initial_management, agent_recovery) stay local.
 */
import type { AclConfig } from './config.js';
import { ANONYMOUS_TOKEN_SECRET } from './identities.js';
import type { RemoteAclResolver } from './remote-resolver.js';
import type { AclResolver, ExactResolver, Identity, IdentityResolver } from './resolver.js';

export class ReplicatingResolver implements IdentityResolver, ExactResolver {
  constructor(
    private readonly local: AclResolver,
    private readonly primary: RemoteAclResolver,
    /** True once the replicated tokens table has held a token. */
    private readonly authoritative: () => boolean,
    private readonly config: AclConfig,
  ) {}

  get enabled(): boolean {
    return this.config.enabled;
  }

  invalidate(): void {
    this.local.invalidate();
    this.primary.invalidate();
  }

  resolve(secret: string): Identity | Promise<Identity> {
    const effective = secret === '' ? this.config.tokens.default : secret;
    return this.resolveExact(effective === '' ? ANONYMOUS_TOKEN_SECRET : effective);
  }

  resolveExact(secret: string): Identity | Promise<Identity> {
    const t = this.config.tokens;
    const own = secret !== '' && (secret === t.initialManagement || secret === t.agentRecovery);
    if (own || this.authoritative()) return this.local.resolveExact(secret);
    return this.primary.resolve(secret === '' ? ANONYMOUS_TOKEN_SECRET : secret);
  }
}
