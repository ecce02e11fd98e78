// The servers' side of Coordinate.Update (Consul's agent/consul/coordinate_endpoint.go): updates
// are kept in memory, the latest per node and segment, and flushed every update_period as Raft
// writes of update_batch_size entries, at most update_max_batches per period; the rest is
// discarded with a warning, so coordinate traffic can never flood the log.
import { isValidNetworkCoordinate, type ApplyResult, type Command, type CoordinateEntry } from '@proconsul/catalog';
import type { Applier } from '../apply/applier.js';
import type { AgentContext } from '../context.js';
import type { Logger } from '../log.js';

export interface CoordinateUpdatesOptions {
  applier: Applier<Command, ApplyResult>;
  batchSize: number;
  maxBatches: number;
  periodMs: number;
  log: Logger;
}

export class CoordinateUpdates {
  #pending = new Map<string, CoordinateEntry>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  /** Updates dropped past the per-period limit (or the pending bound), and entries written. */
  discarded = 0;
  written = 0;

  constructor(private readonly o: CoordinateUpdatesOptions) {}

  /** Most updates one period may write; pending entries past a few periods' worth are refused. */
  get limit(): number {
    return this.o.batchSize * this.o.maxBatches;
  }

  get pending(): number {
    return this.#pending.size;
  }

  /** Queues an update (a newer one for the same node and segment replaces it). */
  submit(u: CoordinateEntry): void {
    const key = `${u.Node}:${u.Segment}`;
    if (!this.#pending.has(key) && this.#pending.size >= 4 * this.limit) {
      this.discarded++;
      return;
    }
    this.#pending.set(key, u);
  }

  start(): void {
    this.#timer = setInterval(() => void this.flush(), this.o.periodMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Writes what is pending (one flush at a time). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flush());
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    const pending = [...this.#pending.values()];
    this.#pending = new Map();
    if (pending.length === 0) return;
    if (pending.length > this.limit) {
      this.o.log.warn({ discarded: pending.length - this.limit }, 'Discarded coordinate updates');
      this.discarded += pending.length - this.limit;
      pending.length = this.limit;
    }
    try {
      for (let start = 0; start < pending.length; start += this.o.batchSize) {
        const slice = pending.slice(start, start + this.o.batchSize);
        const r = await this.o.applier.apply({ Type: 'CoordinateBatchUpdate', Coordinates: slice });
        if (!r.ok) throw new Error(r.error ?? 'apply failed');
        this.written += slice.length;
      }
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'Batch update failed');
    }
  }
}

const registry = new WeakMap<AgentContext, CoordinateUpdates>();

/** The server's pending coordinate updates (created on first use, flushed every update_period). */
export function coordinateUpdatesFor(ctx: AgentContext): CoordinateUpdates {
  let u = registry.get(ctx);
  if (!u) {
    const c = ctx.config.coordinate;
    u = new CoordinateUpdates({ applier: ctx.applier, batchSize: c.updateBatchSize, maxBatches: c.updateMaxBatches, periodMs: c.updatePeriodMs, log: ctx.log.agent });
    registry.set(ctx, u);
  }
  return u;
}

/**
 * Consul's Coordinate.Update checks of a node's coordinate, by the HTTP endpoint and the RPC
 * alike: its dimensionality against this server's own coordinate, and finite numbers (JSON
 * has no NaN, but 1e999 parses as Infinity). The error text, or undefined.
 */
export function coordinateUpdateError(ctx: AgentContext, coord: unknown): string | undefined {
  const vec = (coord as { Vec?: unknown } | null)?.Vec;
  const ours = ctx.gossip.lan.node.coordinate();
  if (!Array.isArray(vec) || vec.length === 0 || (ours && ours.Vec.length !== vec.length)) return 'incompatible coordinate';
  if (!isValidNetworkCoordinate(coord)) return 'invalid coordinate';
  return undefined;
}
