// Network coordinates of nodes (Consul's `coordinates` table): written in batches by the leader
// (`CoordinateBatchUpdate`, Consul's CoordinateBatchUpdateType), read by /v1/coordinate/* and
// by `?near` sorting, deleted with their node, kept in snapshots.
import type { ApplyResult } from './commands.js';
import { byString, lower } from './util.js';

/** serf's coordinate.Coordinate as Consul's JSON carries it (seconds). */
export interface NetworkCoordinate {
  Vec: number[];
  Error: number;
  Adjustment: number;
  Height: number;
}

/** One element of /v1/coordinate/nodes (structs.Coordinate). */
export interface CoordinateEntry {
  Node: string;
  Segment: string;
  Coord: NetworkCoordinate;
}

/** The leader's batch of pending updates (Consul batches them every update_period). */
export interface CoordinateBatchUpdateCommand {
  Type: 'CoordinateBatchUpdate';
  Coordinates: CoordinateEntry[];
}

/** In snapshots: the table's index and its entries (absent in snapshots taken before it existed). */
export interface CoordinateSnapshot {
  Index: number;
  Entries: CoordinateEntry[];
}

/** The watch key of the coordinates table. */
export const COORDINATES_WATCH_KEY = 'coordinates';
/** Bound on a coordinate's dimensions (serf uses 8). */
const DIMS_MAX = 16;

/** Consul's Coordinate.IsValid plus the shape: every component a finite number. */
export function isValidNetworkCoordinate(c: unknown): c is NetworkCoordinate {
  if (typeof c !== 'object' || c === null) return false;
  const { Vec, Error: err, Adjustment, Height } = c as Record<string, unknown>;
  const fin = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
  return Array.isArray(Vec) && Vec.length > 0 && Vec.length <= DIMS_MAX && Vec.every(fin) && fin(err) && fin(Adjustment) && fin(Height);
}

const keyOf = (node: string, segment: string): string => `${lower(node)}\u0000${segment}`;

export class CoordinateTable {
  /** Max index of the table (0 when never written). */
  index = 0;
  private readonly entries = new Map<string, CoordinateEntry>();

  clear(): void {
    this.index = 0;
    this.entries.clear();
  }

  /**
   * Upserts a batch. As in Consul, invalid coordinates and nodes not in the catalog are skipped
   * silently (the node's next update fixes it); the table index moves in any case.
   */
  apply(idx: number, c: CoordinateBatchUpdateCommand, nodeExists: (node: string) => boolean): ApplyResult {
    if (!Array.isArray(c.Coordinates)) return { ok: false, error: 'Invalid Coordinates: expected an array' };
    for (const u of c.Coordinates) {
      if (typeof u !== 'object' || u === null || typeof u.Node !== 'string' || !isValidNetworkCoordinate(u.Coord)) continue;
      if (!nodeExists(u.Node)) continue;
      const segment = typeof u.Segment === 'string' ? u.Segment : '';
      const { Vec, Error: err, Adjustment, Height } = u.Coord;
      this.entries.set(keyOf(u.Node, segment), { Node: u.Node, Segment: segment, Coord: { Vec: [...Vec], Error: err, Adjustment, Height } });
    }
    this.index = Math.max(this.index, idx);
    return { ok: true, value: true };
  }

  /** Drops a node's coordinates (it was deregistered); true if it had any. */
  deleteNode(node: string, idx: number): boolean {
    const prefix = `${lower(node)}\u0000`;
    let any = false;
    for (const k of [...this.entries.keys()]) {
      if (k.startsWith(prefix)) {
        this.entries.delete(k);
        any = true;
      }
    }
    if (any) this.index = Math.max(this.index, idx);
    return any;
  }

  /** Puts entries back as they were (a rolled-back transaction); the index is the caller's. */
  reinstate(entries: CoordinateEntry[]): void {
    for (const e of entries) this.entries.set(keyOf(e.Node, e.Segment), e);
  }

  /** Every entry, by node then segment (Consul's id index order). */
  list(): CoordinateEntry[] {
    return [...this.entries.entries()].sort((a, b) => byString(a[0], b[0])).map((e) => e[1]);
  }

  /** One node's entries (one per segment). */
  forNode(node: string): CoordinateEntry[] {
    return this.list().filter((e) => lower(e.Node) === lower(node));
  }

  snapshot(): CoordinateSnapshot {
    return { Index: this.index, Entries: structuredClone(this.list()) };
  }

  restore(s: CoordinateSnapshot | undefined): void {
    this.clear();
    if (!s) return;
    this.index = s.Index;
    for (const e of s.Entries) this.entries.set(keyOf(e.Node, e.Segment), structuredClone(e));
  }
}
