// The member table. Records are immutable and replaced on change, which lets many cores in one
// simulator share one base table (copy-on-write): 10,000 members that each know 10,000 members
// then cost one shared array plus each core's own changes, not 10^8 records.
import type { Tags } from './messages.js';

export type MemberState = 'alive' | 'suspect' | 'failed' | 'left';

export interface MemberRecord {
  readonly name: string;
  readonly addr: string;
  readonly port: number;
  readonly tags: Tags;
  readonly incarnation: number;
  readonly state: MemberState;
  /** Core time of the last state change (0 for a shared base record). */
  readonly stateChangeMs: number;
}

/** An immutable table shared by many cores, all of which start out knowing it. */
export class SharedMembers {
  readonly records: readonly MemberRecord[];
  readonly index: ReadonlyMap<string, number>;

  constructor(records: MemberRecord[]) {
    this.records = Object.freeze(records.slice());
    this.index = new Map(records.map((r, i) => [r.name, i]));
  }
}

const isLive = (r: MemberRecord | null | undefined): boolean => !!r && (r.state === 'alive' || r.state === 'suspect');

export class MemberTable {
  private readonly own = new Map<string, MemberRecord | null>(); // null: a reaped base record
  private extra: (string | null)[] = [];
  private extraHoles = 0;
  private count: number;
  private live: number;

  constructor(private readonly base?: SharedMembers) {
    this.count = base?.records.length ?? 0;
    this.live = base ? base.records.filter(isLive).length : 0;
  }

  get(name: string): MemberRecord | undefined {
    const o = this.own.get(name);
    if (o !== undefined) return o ?? undefined;
    const i = this.base?.index.get(name);
    return i === undefined ? undefined : this.base!.records[i];
  }

  set(r: MemberRecord): void {
    const prev = this.get(r.name);
    if (!prev) {
      this.count++;
      if (!this.base?.index.has(r.name)) this.extra.push(r.name);
    }
    if (isLive(prev)) this.live--;
    if (isLive(r)) this.live++;
    this.own.set(r.name, r);
  }

  delete(name: string): void {
    const prev = this.get(name);
    if (!prev) return;
    this.count--;
    if (isLive(prev)) this.live--;
    if (this.base?.index.has(name)) {
      this.own.set(name, null);
    } else {
      this.own.delete(name);
    }
    const at = this.extra.indexOf(name);
    if (at >= 0) {
      this.extra[at] = null;
      if (++this.extraHoles > 64 && this.extraHoles > this.extra.length / 2) {
        this.extra = this.extra.filter((n) => n !== null);
        this.extraHoles = 0;
      }
    }
  }

  /** Members in the table (any state). */
  get size(): number {
    return this.count;
  }

  /** Members alive or suspect: the n of the log(n) formulas. */
  get liveCount(): number {
    return this.live;
  }

  /** Slots to draw from for probing and random selection; a slot may be empty. */
  get slots(): number {
    return (this.base?.records.length ?? 0) + this.extra.length;
  }

  at(slot: number): MemberRecord | undefined {
    const b = this.base?.records.length ?? 0;
    if (slot < b) return this.get(this.base!.records[slot]!.name);
    const name = this.extra[slot - b];
    return name ? this.get(name) : undefined;
  }

  *values(): IterableIterator<MemberRecord> {
    const n = this.slots;
    for (let i = 0; i < n; i++) {
      const r = this.at(i);
      if (r) yield r;
    }
  }
}
