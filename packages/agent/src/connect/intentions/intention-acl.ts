/**
 * The ACL side of intentions (Consul 1.17's Intention.CanRead/CanWrite in
 * agent/structs/intention.go, IntentionReadAllowed in the Match RPC, IntentionDefaultAllow):
 * read access on either end shows an intention, writes need intentions:write on the
 * destination. Intention rules come with service rules (`intentions = "..."`, else read for a
 * read or write service policy).
 */
import type { FastifyRequest } from 'fastify';
import type { AgentContext } from '../../context.js';
import { Authorizer } from '../../acl/authorizer.js';
import { permissionDenied, requestIdentity } from '../../acl/enforce.js';
import type { Denial } from '../../acl/permissions.js';
import { HttpError } from '../../http/http-error.js';
import type { Intention } from './intention.js';

export interface RequestAuthz {
  accessorId: string;
  authz: Authorizer;
  /** ACLs are on (else everything is allowed and the default is allow). */
  enabled: boolean;
}

/** Everything allowed, the default allow: an agent without ACLs (Consul resolves no authorizer). */
const NO_ACLS: RequestAuthz = { accessorId: '', authz: new Authorizer(null, 'allow'), enabled: false };

export async function requestAuthz(ctx: AgentContext, req: FastifyRequest): Promise<RequestAuthz> {
  if (!ctx.aclResolver.enabled) return NO_ACLS;
  const id = await requestIdentity(req, ctx.aclResolver);
  return { accessorId: id.accessorId, authz: id.authz, enabled: true };
}

/** acl.ErrPermissionDenied as the intention writes and gets return it (no detail). */
export const PERMISSION_DENIED = (): HttpError => new HttpError(403, 'Permission denied');

/** acl.PermissionDeniedByACL, as IntentionReadAllowed and ServiceReadAllowed answer. */
export function deniedOn(a: RequestAuthz, denial: Denial): HttpError {
  return permissionDenied({ accessorId: a.accessorId, authz: a.authz }, denial);
}

export function intentionAllowed(a: RequestAuthz, name: string, need: 'read' | 'write'): boolean {
  return !a.enabled || a.authz.intentionAllowed(name, need);
}

/** Intention.CanRead: read on the source or on the destination. */
export function canRead(a: RequestAuthz, ixn: Pick<Intention, 'SourceName' | 'DestinationName'>): boolean {
  if (!a.enabled || a.authz.isManagement) return true;
  return (ixn.SourceName !== '' && intentionAllowed(a, ixn.SourceName, 'read')) || (ixn.DestinationName !== '' && intentionAllowed(a, ixn.DestinationName, 'read'));
}

/** Intention.CanWrite: write on the destination. */
export function canWrite(a: RequestAuthz, destinationName: string): boolean {
  if (!a.enabled || a.authz.isManagement) return true;
  return destinationName !== '' && intentionAllowed(a, destinationName, 'write');
}

/**
 * authz.IntentionDefaultAllow: policies never decide it, so the token's fallback does: allow
 * without ACLs, with a management token or with default_policy allow.
 */
export function intentionDefaultAllow(a: RequestAuthz): boolean {
  return !a.enabled || a.authz.fallback !== 'deny';
}
