// The agent's side of Coordinate.Update (Consul's Agent.sendCoordinate): every
// RateScaledInterval(sync_coordinate_rate_target, sync_coordinate_interval_min, LAN members) plus
// a random stagger of up to as much again, this agent sends its LAN coordinate to the servers,
// so the cluster as a whole sends about rate_target updates per second whatever its size.
import type { AgentContext } from '../context.js';
import { agentCallToken, deniedAccessor, isAclError } from '../acl/agent-tokens.js';
import type { CoordinateUpdateCall } from '../cluster/sync-endpoints.js';
import { coordinateUpdatesFor } from './updates.js';

const SEND_TIMEOUT_MS = 30_000;
/** Consul's minRate: below one action a day across the cluster, the minimum interval applies. */
const MIN_RATE = 1 / 86_400;

/** lib.RateScaledInterval: the interval that makes n agents together act `rate` times a second. */
export function rateScaledIntervalMs(rate: number, minMs: number, n: number): number {
  if (rate <= MIN_RATE) return minMs;
  return Math.max(minMs, (1000 * n) / rate);
}

/** Sends this agent's coordinate once (Coordinate.Update, which the leader queues). */
export async function sendCoordinate(ctx: AgentContext): Promise<void> {
  const c = ctx.gossip.lan.node.coordinate();
  if (!c) return;
  const call: CoordinateUpdateCall = {
    Node: ctx.config.nodeName,
    Segment: '',
    Coord: { Vec: [...c.Vec], Error: c.Error, Adjustment: c.Adjustment, Height: c.Height },
    Token: agentCallToken(ctx.config.acl),
  };
  await ctx.cluster.serverRpc('Coordinate.Update', call, SEND_TIMEOUT_MS, false);
}

/** Starts the periodic send (and, on a server, the batched writes); returns the stop function. */
export function startCoordinateSync(ctx: AgentContext): () => void {
  const cfg = ctx.config.coordinate;
  if (cfg.disabled) return () => undefined;
  const updates = ctx.cluster.server ? coordinateUpdatesFor(ctx) : undefined;
  updates?.start();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    const intv = rateScaledIntervalMs(cfg.syncRateTarget, cfg.syncIntervalMinMs, ctx.gossip.lan.members().length);
    timer = setTimeout(() => {
      void sendCoordinate(ctx)
        .catch((err: Error) =>
          isAclError(err)
            ? ctx.log.agent.warn({ accessorID: deniedAccessor(err) }, 'Coordinate update blocked by ACLs')
            : ctx.log.agent.warn({ err: err.message }, 'Coordinate update error'),
        )
        .finally(() => {
          if (!stopped) schedule();
        });
    }, intv + Math.random() * intv);
    timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
    updates?.stop();
  };
}
