/**
 * The ACL RPC methods a server answers for its client agents (Consul's ACL.TokenRead,
 * ACL.PolicyResolve, ACL.RoleResolve), from its own state (stale reads, as Consul's clients
 * ask): a token by its secret, and only the policies and roles that token links to. A server of
 * a secondary datacenter without token replication holds no tokens: it passes the three calls
 * to the primary datacenter (`primary`), as Consul's TokenRead forwards when local tokens are off;
 * with token replication it does so only while its state is not `authoritative` (no token
 * replicated yet: acl/replicating-resolver.ts).
 */
import type { AclPolicyRecord, AclRoleRecord, AclStore, AclTokenRecord } from '@proconsul/catalog';
import type { RpcServer } from '../rpc/server.js';
import type { AclConfig } from './config.js';
import type { ServerCall } from './remote-resolver.js';
import { ANONYMOUS_TOKEN_ID, ANONYMOUS_TOKEN_SECRET, GLOBAL_MANAGEMENT_POLICY_ID, GLOBAL_MANAGEMENT_POLICY_NAME } from './identities.js';

type Body = Record<string, unknown>;

function secretOf(body: unknown): string {
  const t = (body as Body | null)?.Token;
  return typeof t === 'string' ? t : '';
}

function idsOf(body: unknown, key: string): string[] {
  const v = (body as Body | null)?.[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, 1024) : [];
}

export function serveAclRpc(
  rpc: RpcServer,
  acl: AclConfig,
  store: () => Readonly<AclStore>,
  primary?: ServerCall,
  authoritative: () => boolean = () => primary === undefined,
): void {
  const handle = (method: string, local: (body: unknown) => unknown): void =>
    rpc.handle(method, async (body) => {
      if (!acl.enabled) throw new Error('ACL support disabled');
      return primary && !authoritative() ? primary(method, body) : local(body);
    });
  /** The token a secret names, or null (anonymous missing); throws "ACL not found". */
  const tokenOf = (secret: string): AclTokenRecord | null => {
    const s = store();
    if (secret === ANONYMOUS_TOKEN_SECRET || secret === '') return s.tokens.get(ANONYMOUS_TOKEN_ID) ?? null;
    const t = s.tokensBySecret.get(secret);
    if (t) return t;
    // The configured initial_management secret is management before it is in the state.
    if (acl.tokens.initialManagement !== '' && secret === acl.tokens.initialManagement) {
      return {
        AccessorID: '', SecretID: secret, Description: 'Initial Management Token', Local: false, CreateTime: '', Hash: '', CreateIndex: 0, ModifyIndex: 0,
        Policies: [{ ID: GLOBAL_MANAGEMENT_POLICY_ID, Name: GLOBAL_MANAGEMENT_POLICY_NAME }], Roles: [], ServiceIdentities: [], NodeIdentities: [],
      };
    }
    throw new Error('ACL not found');
  };

  handle('ACL.TokenRead', (body) => ({ Token: tokenOf(secretOf(body)) }));

  handle('ACL.RoleResolve', (body) => {
    const token = tokenOf(secretOf(body));
    const linked = new Set(token?.Roles.map((r) => r.ID) ?? []);
    const roles: AclRoleRecord[] = [];
    for (const id of idsOf(body, 'RoleIDs')) {
      const r = linked.has(id) ? store().roles.get(id) : undefined;
      if (r) roles.push(r);
    }
    return { Roles: roles };
  });

  handle('ACL.PolicyResolve', (body) => {
    const token = tokenOf(secretOf(body));
    const s = store();
    const linked = new Set(token?.Policies.map((p) => p.ID) ?? []);
    for (const link of token?.Roles ?? []) for (const p of s.roles.get(link.ID)?.Policies ?? []) linked.add(p.ID);
    const policies: AclPolicyRecord[] = [];
    for (const id of idsOf(body, 'PolicyIDs')) {
      const p = linked.has(id) ? s.policies.get(id) : undefined;
      if (p) policies.push(p);
    }
    return { Policies: policies };
  });
}
