/**
 * The `ConnectCA.SignIntermediate` RPC (Consul's agent/consul/connect_ca_endpoint.go
 * SignIntermediate): a secondary datacenter's leader sends its CA CSR with the replication token
 * to any server of the primary, which passes it to its leader; only the primary datacenter
 * signs, and only for a token with operator:write. The answer is the intermediate's PEM.
 */
import { permissionDenied } from '../acl/enforce.js';
import type { ExactResolver } from '../acl/resolver.js';
import type { ServerCluster } from '../cluster/server-cluster.js';
import type { AgentContext } from '../context.js';
import { CONNECT_NOT_ENABLED } from './config.js';
import { CSR_BYTES_MAX, type CASignCall } from './sign-rpc.js';

const LEADER_TIMEOUT_MS = 30_000;

export function serveConnectCASignIntermediate(cluster: ServerCluster, ctx: AgentContext, resolver: ExactResolver): void {
  cluster.rpc.handle('ConnectCA.SignIntermediate', async (body) => {
    const call = body as Partial<CASignCall> | null;
    if (!ctx.config.connect.enabled || !ctx.connectCA) throw new Error(CONNECT_NOT_ENABLED);
    if (typeof call?.CSR !== 'string' || call.CSR.length > CSR_BYTES_MAX) throw new Error('invalid CSR');
    const manager = ctx.connectCA;
    return cluster.onLeader('ConnectCA.SignIntermediate', call, LEADER_TIMEOUT_MS, false, async (): Promise<string> =>
      manager.signIntermediate(call.CSR!, async () => {
        if (!resolver.enabled) return;
        const id = await resolver.resolveExact(call.Token ?? '');
        if (!id.authz.allowedSingle('operator', 'write')) throw permissionDenied(id, { resource: 'operator', need: 'write' });
      }),
    );
  });
}
