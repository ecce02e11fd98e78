// The server RPC methods an agent's own background work calls, as Consul's agents do:
// anti-entropy reads its node with `Catalog.NodeServices` and `Health.NodeChecks`, and every
// agent sends its coordinate with `Coordinate.Update`. Typed calls rather than `HTTP.Forward`:
// they carry only what they need and run none of the HTTP API's code on the leader, whose
// optimized HTTP path would otherwise meet injected request objects (docs/PERFORMANCE.md).
// Each runs on the leader (reads behind its lease, as default-consistency reads). With ACLs
// the token sent is taken as sent (no default token): a node it may not read is "Permission
// denied", what it may not read on a readable node is left out, and an update needs node:write.
import type { CatalogNode, CoordinateEntry, HealthCheck, NodeService } from '@proconsul/catalog';
import { permissionDenied } from '../acl/enforce.js';
import { checkReadable } from '../acl/permissions.js';
import type { ExactResolver, Identity } from '../acl/resolver.js';
import type { AgentContext } from '../context.js';
import { coordinateUpdateError, coordinateUpdatesFor } from '../coordinate/updates.js';
import type { ServerCluster } from './server-cluster.js';

/** The body of the three methods: the node, the caller's token, and how many servers it passed. */
export interface NodeCall {
  Node: string;
  Token?: string;
  Hops?: number;
}

export interface CoordinateUpdateCall extends NodeCall {
  Segment: string;
  Coord: CoordinateEntry['Coord'];
}

export type NodeServices = { Node: CatalogNode; Services: Record<string, NodeService> } | null;

/** How long a server waits for the leader's answer to a call it passes on. */
const LEADER_TIMEOUT_MS = 30_000;

function nodeCall(body: unknown): NodeCall {
  const b = body as Partial<NodeCall> | null;
  if (typeof b?.Node !== 'string') throw new Error('missing Node');
  return { ...b, Node: b.Node, Token: typeof b.Token === 'string' ? b.Token : '' };
}

export function serveSyncEndpoints(cluster: ServerCluster, ctx: AgentContext, resolver: ExactResolver): void {
  const identity = async (call: NodeCall): Promise<Identity | null> => (resolver.enabled ? resolver.resolveExact(call.Token ?? '') : null);
  const read = (method: string, answer: (call: NodeCall, id: Identity | null) => unknown): void =>
    cluster.rpc.handle(method, async (body) => {
      const call = nodeCall(body);
      return cluster.onLeader(method, call, LEADER_TIMEOUT_MS, true, async () => {
        await cluster.readBarrier('lease');
        return answer(call, await identity(call));
      });
    });

  read('Catalog.NodeServices', (call, id): NodeServices => {
    const v = ctx.catalog.node(call.Node).value ?? null;
    if (!id || id.authz.isManagement) return v;
    if (!id.authz.allowed('node', call.Node, 'read')) throw permissionDenied(id, { resource: 'node', need: 'read', name: call.Node });
    if (!v) return v;
    return { ...v, Services: Object.fromEntries(Object.entries(v.Services).filter(([, s]) => id.authz.allowed('service', s.Service, 'read'))) };
  });

  read('Health.NodeChecks', (call, id): HealthCheck[] => {
    const checks = ctx.catalog.nodeChecks(call.Node).value;
    return !id || id.authz.isManagement ? checks : checks.filter((c) => checkReadable(id.authz, c as unknown as Record<string, unknown>));
  });

  cluster.rpc.handle('Coordinate.Update', async (body) => {
    const call = nodeCall(body) as CoordinateUpdateCall;
    return cluster.onLeader('Coordinate.Update', call, LEADER_TIMEOUT_MS, false, async () => {
      if (ctx.config.coordinate.disabled) throw new Error('Coordinate support disabled');
      const invalid = coordinateUpdateError(ctx, call.Coord);
      if (invalid) throw new Error(invalid);
      const id = await identity(call);
      if (id && !id.authz.allowed('node', call.Node, 'write')) throw permissionDenied(id, { resource: 'node', need: 'write', name: call.Node });
      const c = call.Coord; // only its four fields are kept, whatever else a caller sent
      const coord = { Vec: [...c.Vec], Error: c.Error, Adjustment: c.Adjustment, Height: c.Height };
      coordinateUpdatesFor(ctx).submit({ Node: call.Node, Segment: typeof call.Segment === 'string' ? call.Segment : '', Coord: coord });
      return {};
    });
  });
}
