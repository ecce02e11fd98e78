/**
 * Where ACLs live across datacenters (Consul's acl_server.go): the primary datacenter
 * (`primary_datacenter`, by default this one) holds every global ACL object; a secondary
 * replicates policies and roles (and global tokens with acl.enable_token_replication) and
 * forwards writes of global objects to the primary.
 */
import type { AclConfig } from './config.js';

export interface AclPlacement {
  datacenter: string;
  primaryDatacenter: string;
}

/** Consul's InPrimaryDatacenter. */
export function inPrimaryDatacenter(p: AclPlacement): boolean {
  return p.primaryDatacenter === '' || p.primaryDatacenter === p.datacenter;
}

/**
 * Consul's LocalTokensEnabled: tokens are kept here (the primary, or a secondary with token
 * replication and a replication token); otherwise token reads and writes go to the primary.
 */
export function localTokensEnabled(p: AclPlacement, acl: Pick<AclConfig, 'enableTokenReplication' | 'tokens'>): boolean {
  return inPrimaryDatacenter(p) || (acl.enableTokenReplication && acl.tokens.replication !== '');
}

/**
 * Consul's ResolveIdentityFromToken: a secondary without token replication holds no tokens to
 * resolve; it asks the primary (only the config decides, not whether a replication token is set).
 */
export function resolvesTokensInPrimary(p: AclPlacement, acl: Pick<AclConfig, 'enableTokenReplication'>): boolean {
  return !inPrimaryDatacenter(p) && !acl.enableTokenReplication;
}
