// A hand-driven cluster of Raft cores for targeted scenarios (etcd's interaction tests): the
// test decides which messages are delivered or dropped, which node ticks, crashes or
// restarts. Ready handling persists (to a per-node "disk" that survives crashes), queues the
// messages and records what is applied. After every Ready it checks that no index committed
// anywhere ever names a different entry, so a scenario cannot silently lose a commit.

import type { RaftConfig } from '../config.js';
import { seededRandom } from '../rand.js';
import { bootstrapState, joinState, Raft, type RaftInitialState } from '../raft.js';
import type { Entry, Message, NodeId, ReadState } from '../types.js';
import { describeEntry, sameEntry } from './entries.js';

type Pred = (m: Message) => boolean;

export class Cluster {
  queue: Message[] = [];
  readonly applied = new Map<NodeId, Entry[]>();
  readonly readStates = new Map<NodeId, ReadState[]>();
  /** index -> the entry first seen committed there. */
  readonly committed = new Map<number, Entry>();
  private readonly disks = new Map<NodeId, RaftInitialState>();
  private readonly live = new Map<NodeId, Raft | null>();
  private readonly cut = new Set<string>();
  private restarts = 0;

  constructor(
    readonly ids: NodeId[],
    private readonly cfg: Partial<RaftConfig> = {},
  ) {
    for (const id of ids) {
      this.disks.set(id, bootstrapState(ids));
      this.applied.set(id, []);
      this.readStates.set(id, []);
      this.start(id);
    }
  }

  get(id: NodeId): Raft {
    const r = this.live.get(id);
    if (!r) throw new Error(`${id} is down`);
    return r;
  }

  leader(): Raft | undefined {
    let best: Raft | undefined;
    for (const r of this.live.values()) if (r?.role === 'leader' && (!best || r.term > best.term)) best = r;
    return best;
  }

  /** Persists, queues messages (unless the link is cut) and applies, for every live node. */
  flush(): void {
    for (const [id, r] of this.live) {
      if (!r?.hasReady()) continue;
      const rd = r.ready();
      const disk = this.disks.get(id)!;
      if (rd.hardState) disk.hardState = { ...rd.hardState };
      if (rd.snapshot) {
        disk.snapshot = rd.snapshot;
        disk.entries = [];
      }
      if (rd.entries.length > 0) {
        const keep = rd.entries[0].index - disk.snapshot.meta.index - 1;
        disk.entries = disk.entries.slice(0, keep).concat(rd.entries);
      }
      for (const m of rd.messages) if (!this.cut.has(`${m.from}>${m.to}`)) this.queue.push(m);
      this.applied.get(id)!.push(...rd.committedEntries);
      this.readStates.get(id)!.push(...rd.readStates);
      r.advance();
      this.checkCommitted(id, r);
    }
  }

  /** Delivers the queued messages that match (in order); the others stay queued. */
  deliver(pred: Pred = () => true): number {
    const now = this.queue.filter(pred);
    this.queue = this.queue.filter((m) => !pred(m));
    for (const m of now) this.live.get(m.to)?.step(m);
    return now.length;
  }

  drop(pred: Pred = () => true): number {
    const n = this.queue.length;
    this.queue = this.queue.filter((m) => !pred(m));
    return n - this.queue.length;
  }

  /** Flushes and delivers everything until nothing moves (bounded). */
  settle(): void {
    for (let i = 0; i < 1000; i++) {
      this.flush();
      if (this.queue.length === 0) return;
      this.deliver();
    }
    throw new Error('cluster did not settle');
  }

  /** Ticks the given nodes (all live ones by default) n times, settling after each tick. */
  tick(n = 1, ids: NodeId[] = this.ids): void {
    for (let i = 0; i < n; i++) {
      for (const id of ids) this.live.get(id)?.tick();
      this.settle();
    }
  }

  crash(id: NodeId): void {
    this.live.set(id, null);
    this.queue = this.queue.filter((m) => m.to !== id);
  }

  start(id: NodeId): Raft {
    const d = this.disks.get(id)!;
    const r = new Raft(
      { id, random: seededRandom(++this.restarts), ...this.cfg },
      { hardState: { ...d.hardState }, snapshot: d.snapshot, entries: [...d.entries] },
    );
    this.live.set(id, r);
    return r;
  }

  /** Starts a node outside the configuration (to be added by a membership change). */
  join(id: NodeId): Raft {
    this.ids.push(id);
    this.disks.set(id, joinState());
    this.applied.set(id, []);
    this.readStates.set(id, []);
    return this.start(id);
  }

  isolate(id: NodeId): void {
    for (const o of this.ids) if (o !== id) this.cutLink(id, o);
  }

  /** Cuts a<->b, or only a->b. */
  cutLink(a: NodeId, b: NodeId, bothWays = true): void {
    this.cut.add(`${a}>${b}`);
    if (bothWays) this.cut.add(`${b}>${a}`);
    this.queue = this.queue.filter((m) => !this.cut.has(`${m.from}>${m.to}`));
  }

  heal(): void {
    this.cut.clear();
  }

  /**
   * Makes `id` leader with the votes of `voters` only (vote requests to others are dropped),
   * retrying in later terms when a voter had already voted. Needs preVote off.
   */
  elect(id: NodeId, voters: NodeId[]): Raft {
    const r = this.get(id);
    for (let attempt = 0; attempt < 5 && r.role !== 'leader'; attempt++) {
      r.campaign();
      this.flush();
      this.drop((m) => m.type === 'vote' && !voters.includes(m.to));
      this.deliver((m) => m.type === 'vote');
      this.flush();
      this.deliver((m) => m.type === 'voteResp');
    }
    if (r.role !== 'leader') throw new Error(`${id} was not elected by ${voters.join(',')}`);
    return r;
  }

  private checkCommitted(id: NodeId, r: Raft): void {
    const lg = r.log;
    for (let i = lg.firstIndex(); i <= lg.committed; i++) {
      const e = lg.entry(i)!;
      const c = this.committed.get(i);
      if (c === undefined) this.committed.set(i, e);
      else if (!sameEntry(c, e)) {
        throw new Error(`safety: ${id} committed ${describeEntry(e)} where ${describeEntry(c)} was committed`);
      }
    }
  }
}

export const to = (id: NodeId): ((m: Message) => boolean) => (m) => m.to === id;
export const from = (id: NodeId): ((m: Message) => boolean) => (m) => m.from === id;
