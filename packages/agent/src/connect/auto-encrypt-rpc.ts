/**
 * The `AutoEncrypt.Sign` RPC (Consul's agent/consul/auto_encrypt_endpoint.go): a client agent with
 * `auto_encrypt.tls` sends a CSR for its agent SPIFFE ID, over the RPCTLSInsecure connection for
 * its first certificate; a server with `auto_encrypt.allow_tls` passes it to the leader, which
 * signs it with the Connect CA (node:write on the agent's name) and answers the certificate, the
 * Connect roots, the servers' manually configured CA certificates and verify_server_hostname.
 */
import type { ExactResolver } from '../acl/resolver.js';
import type { ServerCluster } from '../cluster/server-cluster.js';
import type { AgentContext } from '../context.js';
import type { RpcTls } from '../tls/rpc-tls.js';
import type { IssuedCert } from './ca-manager.js';
import { indexedRoots } from './ca-routes.js';
import { CONNECT_NOT_ENABLED } from './config.js';
import { CSR_BYTES_MAX, signAuthorizer, type CASignCall } from './sign-rpc.js';

/** ErrAutoEncryptAllowTLSNotEnabled. */
export const ALLOW_TLS_NOT_ENABLED = 'AutoEncrypt.AllowTLS must be enabled in order to use this endpoint';
const LEADER_TIMEOUT_MS = 30_000;

/** A CARoot as the reply carries it (structs.CARoot's public fields). */
export interface SignedRoot {
  ID: string;
  RootCert: string;
  Active: boolean;
  [field: string]: unknown;
}

/** structs.SignedResponse. */
export interface SignedResponse {
  IssuedCert: IssuedCert;
  ConnectCARoots: { ActiveRootID: string; TrustDomain: string; Roots: SignedRoot[]; Index: number };
  ManualCARoots: string[];
  VerifyServerHostname: boolean;
}

export function serveAutoEncryptSign(cluster: ServerCluster, ctx: AgentContext, resolver: ExactResolver, rpcTls: RpcTls | null): void {
  cluster.rpc.handle('AutoEncrypt.Sign', async (body) => {
    const call = body as Partial<CASignCall> | null;
    if (typeof call?.CSR !== 'string' || call.CSR.length > CSR_BYTES_MAX) throw new Error('invalid CSR');
    if (!ctx.config.connect.enabled || !ctx.connectCA) throw new Error(CONNECT_NOT_ENABLED);
    if (!ctx.config.autoEncrypt.allowTls) throw new Error(ALLOW_TLS_NOT_ENABLED);
    // Certificates of another datacenter would not be valid here: a misconfigured client.
    const dc = ctx.config.datacenter;
    if (call.Datacenter !== dc) throw new Error(`mismatched datacenter (client_dc='${String(call.Datacenter)}' server_dc='${dc}'); check client has same datacenter set as servers`);
    const manager = ctx.connectCA;
    return cluster.onLeader('AutoEncrypt.Sign', call, LEADER_TIMEOUT_MS, false, async (): Promise<SignedResponse> => {
      const roots = indexedRoots(ctx.catalog);
      const cert = await manager.sign(call.CSR!, signAuthorizer(resolver, call.Token ?? ''));
      return {
        IssuedCert: cert,
        ConnectCARoots: { ...roots.value, Roots: roots.value.Roots as SignedRoot[], Index: roots.index },
        ManualCARoots: rpcTls?.manualCaPems ?? [],
        VerifyServerHostname: rpcTls?.verifyServerHostname ?? false,
      };
    });
  });
}

/**
 * Consul's trackAutoEncryptCARoots (agent/consul/server.go): a server with allow_tls trusts the
 * Connect roots for incoming RPC, so clients' auto_encrypt certificates pass verify_incoming.
 * Runs on every server until `signal` aborts.
 */
export async function trackAutoEncryptCARoots(ctx: AgentContext, rpcTls: RpcTls, signal: AbortSignal): Promise<void> {
  let last = '';
  while (!signal.aborted) {
    const r = ctx.catalog.connectCARead((ca) => ca.rootList().map((root) => root.RootCert));
    const key = r.value.join('');
    if (key !== last) {
      try {
        rpcTls.updateAutoTlsCa(r.value);
        last = key;
        ctx.log.agent.debug({ roots: r.value.length }, 'updated the Connect roots trusted for incoming RPC');
      } catch (err) {
        ctx.log.agent.error({ error: (err as Error).message }, 'Failed to update the Connect roots trusted for incoming RPC');
      }
    }
    await ctx.catalog.watch(r.watch, signal);
  }
}
