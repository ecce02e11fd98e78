/**
 * The `ConnectCA.Sign` RPC (Consul's agent/consul/connect_ca_endpoint.go Sign): an agent sends
 * a CSR and its caller's token; a server passes it to the leader, which checks the token for
 * service:write on the CSR's service and signs with the active root (ca-manager.ts).
 */
import { permissionDenied } from '../acl/enforce.js';
import type { ExactResolver } from '../acl/resolver.js';
import type { ServerCluster } from '../cluster/server-cluster.js';
import type { AgentContext } from '../context.js';
import type { IssuedCert } from './ca-manager.js';
import { CONNECT_NOT_ENABLED } from './config.js';

/** structs.CASignRequest, plus the hop count of a call passed on to the leader. */
export interface CASignCall {
  Datacenter: string;
  CSR: string;
  Token?: string;
  Hops?: number;
}

/** Bound on a CSR's PEM (a 4096-bit RSA CSR is under 2 KiB). */
export const CSR_BYTES_MAX = 64 * 1024;
const LEADER_TIMEOUT_MS = 30_000;

/** The ACL check of a CSR (AuthorizeAndSignCertificate): service:write for a service, node:write for an agent. */
export function signAuthorizer(resolver: ExactResolver, token: string): (resource: 'service' | 'node', name: string) => Promise<void> {
  return async (resource, name) => {
    if (!resolver.enabled) return;
    const id = await resolver.resolveExact(token);
    if (!id.authz.allowed(resource, name, 'write')) throw permissionDenied(id, { resource, need: 'write', name });
  };
}

export function serveConnectCASign(cluster: ServerCluster, ctx: AgentContext, resolver: ExactResolver): void {
  cluster.rpc.handle('ConnectCA.Sign', async (body) => {
    const call = body as Partial<CASignCall> | null;
    if (typeof call?.CSR !== 'string' || call.CSR.length > CSR_BYTES_MAX) throw new Error('invalid CSR');
    if (!ctx.config.connect.enabled || !ctx.connectCA) throw new Error(CONNECT_NOT_ENABLED);
    const manager = ctx.connectCA;
    return cluster.onLeader('ConnectCA.Sign', call, LEADER_TIMEOUT_MS, false, async (): Promise<IssuedCert> =>
      manager.sign(call.CSR!, signAuthorizer(resolver, call.Token ?? '')),
    );
  });
}
