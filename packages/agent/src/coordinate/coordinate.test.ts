import type { ApplyResult, Command, CoordinateEntry } from '@proconsul/catalog';
import { describe, expect, it } from 'vitest';
import type { Applier } from '../apply/applier.js';
import { createLoggers } from '../log.js';
import { datacenterMap } from './datacenters.js';
import { sortByDistance } from './near.js';
import { rateScaledIntervalMs } from './sync.js';
import { CoordinateUpdates } from './updates.js';

const at = (x: number) => ({ Vec: [x, 0, 0, 0, 0, 0, 0, 0], Error: 0.2, Adjustment: 0, Height: 0.0001 });
const entry = (node: string, x: number): CoordinateEntry => ({ Node: node, Segment: '', Coord: at(x) });

/** The applier seam, recording what would go to the Raft log. */
function recordingApplier(fail = false): Applier<Command, ApplyResult> & { batches: Command[] } {
  const batches: Command[] = [];
  return {
    batches,
    lastIndex: 0,
    apply: async (c) => {
      batches.push(c);
      return fail ? { ok: false, error: 'No cluster leader' } : { ok: true, value: true };
    },
    applyIndexed: async () => ({ result: { ok: true }, index: 1 }),
    restore: async () => undefined,
    close: async () => undefined,
  };
}

const log = createLoggers('error' as never).agent;

describe('batched coordinate updates (Consul Coordinate.batchApplyUpdates)', () => {
  it('keeps the latest update per node, writes batches of update_batch_size, discards past update_max_batches', async () => {
    const applier = recordingApplier();
    const u = new CoordinateUpdates({ applier, batchSize: 2, maxBatches: 2, periodMs: 1000, log });
    u.submit(entry('a', 1));
    u.submit(entry('a', 2)); // replaces the first
    for (const n of ['b', 'c', 'd', 'e']) u.submit(entry(n, 3));
    expect(u.pending).toBe(5);
    await u.flush();
    expect(applier.batches.map((b) => (b as { Coordinates: unknown[] }).Coordinates.length)).toEqual([2, 2]);
    expect((applier.batches[0] as { Coordinates: CoordinateEntry[] }).Coordinates[0]).toEqual(entry('a', 2));
    expect(u.discarded).toBe(1);
    expect(u.written).toBe(4);
    expect(u.pending).toBe(0);
    await u.flush(); // nothing pending: no write
    expect(applier.batches).toHaveLength(2);
  });

  it('bounds what is pending at 4x the per-period limit; a failed write is dropped, not retried forever', async () => {
    const applier = recordingApplier(true);
    const u = new CoordinateUpdates({ applier, batchSize: 1, maxBatches: 1, periodMs: 1000, log });
    for (let i = 0; i < 10; i++) u.submit(entry(`n${i}`, i));
    expect(u.pending).toBe(4);
    expect(u.discarded).toBe(6);
    await u.flush();
    expect(u.written).toBe(0);
    expect(u.pending).toBe(0);
  });
});

describe('?near sorting', () => {
  it('sorts by estimated RTT from the source; entries without a coordinate go last in their order; unknown source: unchanged', () => {
    const coords = [entry('src', 0), entry('far', 0.05), entry('near', 0.001)];
    const items = [{ Node: 'x' }, { Node: 'far' }, { Node: 'y' }, { Node: 'near' }, { Node: 'SRC' }];
    expect(sortByDistance(items, 'src', coords).map((i) => i.Node)).toEqual(['SRC', 'near', 'far', 'x', 'y']);
    expect(sortByDistance(items, 'ghost', coords)).toBe(items);
    // health/service entries carry the node as Node.Node.
    const entries = [{ Node: { Node: 'far' } }, { Node: { Node: 'near' } }];
    expect(sortByDistance(entries, 'src', coords).map((e) => e.Node.Node)).toEqual(['near', 'far']);
  });
});

describe('coordinate datacenters and sync interval', () => {
  it('a datacenter entry lists its servers with a coordinate, suffix stripped, by name', () => {
    const m = datacenterMap('dc2', [{ name: 's2.dc2', coord: at(1) }, { name: 's1.dc2', coord: at(2) }, { name: 's3.dc2', coord: undefined }]);
    expect(m).toEqual({ Datacenter: 'dc2', AreaID: 'wan', Coordinates: [{ Node: 's1', Segment: '', Coord: at(2) }, { Node: 's2', Segment: '', Coord: at(1) }] });
  });

  it("RateScaledInterval: n / rate seconds, never below the minimum (Consul's lib)", () => {
    expect(rateScaledIntervalMs(64, 15_000, 10)).toBe(15_000);
    expect(rateScaledIntervalMs(64, 15_000, 6400)).toBe(100_000);
    expect(rateScaledIntervalMs(0, 15_000, 6400)).toBe(15_000);
  });
});
