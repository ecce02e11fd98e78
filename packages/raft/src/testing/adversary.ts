// An adversarial message scheduler for the Raft core, run next to the time-based simulator
// for every seed. Where the simulator models a network with delays, this one lets the seed
// pick, step by step, which single event happens next: deliver any pending message (so any
// order), drop or duplicate one, handle one node's Ready, tick every clock, crash a node
// (losing what it had not persisted), restart it, cut or heal links, propose, read, transfer
// leadership, change membership (one spare node starts outside the cluster). Appends carry one entry each, so a leader can replicate old entries without
// its own - the shape of the paper's Figure 8. Clocks tick together but each runs up to
// MAX_CLOCK_DRIFT fast (what leases must tolerate), while messages may wait any number of ticks.
//
// Checked after every step: one leader per term; an index, once committed anywhere, never
// names another entry; every applied entry was committed; a new leader holds every committed
// entry; a read point is never below an index committed before the read was requested (so a
// deposed leader's ReadIndex or lease read shows up as a stale read); and no leader holds a
// valid lease while a leader of a later term has been elected (the lease's tick accounting).
// Nodes compact their logs now and then, so lagging ones receive snapshots.

import { MAX_CLOCK_DRIFT } from '../config.js';
import { seededRandom, type RandomSource } from '../rand.js';
import { bootstrapState, joinState, Raft, type RaftInitialState } from '../raft.js';
import type { ConfChange, Entry, Message, NodeId } from '../types.js';
import { describeEntry, sameEntry } from './entries.js';

export interface AdversaryOptions {
  seed: number;
  nodes: 3 | 5;
  /** Scheduling decisions per run. */
  steps?: number;
  trace?: boolean;
}

export interface AdversaryResult {
  seed: number;
  violations: string[];
  stats: { elections: number; commits: number; reads: number; crashes: number; transfers: number; confChanges: number; snapshots: number };
  trace: string[];
}

interface Node {
  id: NodeId;
  disk: RaftInitialState;
  raft: Raft | null;
  /** Highest index of this incarnation already compared with the committed record. */
  checked: number;
  /** Clock rate in [1, 1 + MAX_CLOCK_DRIFT] and the local clock's fraction of a tick. */
  rate: number;
  phase: number;
}

interface Read {
  /** The highest index known committed anywhere when the read was requested. */
  floor: number;
  mode: 'safe' | 'lease';
}

/** Scheduling events and their base weights; each seed draws weights in [base, 2*base]. */
const EVENTS = [
  { name: 'deliver', base: 400 },
  { name: 'ready', base: 250 },
  { name: 'tick', base: 240 },
  { name: 'propose', base: 60 },
  { name: 'read', base: 50 },
  { name: 'dropOrDuplicate', base: 25 },
  { name: 'crash', base: 2 },
  { name: 'restart', base: 10 },
  { name: 'links', base: 15 },
  { name: 'transfer', base: 8 },
  { name: 'membership', base: 6 },
] as const;

export function runAdversary(opts: AdversaryOptions): AdversaryResult {
  return new Adversary(opts).run();
}

class Adversary {
  private rng: RandomSource;
  private nodes: Node[] = [];
  private pending: Message[] = [];
  private blocked = new Set<string>();
  private violations: string[] = [];
  private trace: string[] = [];
  private leaders = new Map<number, NodeId>();
  /** index -> the entry committed there (first seen). */
  private committed = new Map<number, Entry>();
  private maxCommitted = 0;
  /** The newest term in which some node became leader. */
  private maxLeaderTerm = 0;
  private reads = new Map<string, Read>();
  private nextOp = 1;
  private stats = { elections: 0, commits: 0, reads: 0, crashes: 0, transfers: 0, confChanges: 0, snapshots: 0 };
  /** Per-seed weights of the events (a calm or a stormy run), summing to WEIGHT_TOTAL. */
  private weights: number[];

  constructor(private readonly opts: AdversaryOptions) {
    this.rng = seededRandom(opts.seed * 104_729 + 3);
    const w = EVENTS.map((e) => e.base + this.rng(e.base + 1));
    const sum = w.reduce((a, b) => a + b, 0);
    this.weights = w.map((x) => x / sum);
    // Half the small clusters start with four voters: with the spare, the shape in which a
    // membership change by a leader that has not committed in its term goes wrong.
    const voters = opts.nodes === 3 ? 3 + (opts.seed % 2) : opts.nodes;
    const ids = Array.from({ length: voters }, (_, i) => `n${i + 1}`);
    for (const id of [...ids, `n${voters + 1}`]) {
      const rate = 1 + (this.rng(2) === 0 ? 0 : MAX_CLOCK_DRIFT);
      const disk = ids.includes(id) ? bootstrapState(ids) : joinState();
      const n: Node = { id, disk, raft: null, checked: 0, rate, phase: this.rng(100) / 100 };
      this.nodes.push(n);
      this.start(n);
    }
  }

  run(): AdversaryResult {
    const steps = this.opts.steps ?? 16_000;
    for (let s = 0; s < steps && this.violations.length === 0; s++) this.step();
    return { seed: this.opts.seed, violations: this.violations, stats: this.stats, trace: this.trace };
  }

  private log(s: string): void {
    if (this.opts.trace) this.trace.push(s);
  }

  private violate(s: string): void {
    this.log(`VIOLATION ${s}`);
    this.violations.push(s);
  }

  private step(): void {
    let r = this.rng(1_000_000) / 1_000_000;
    let i = 0;
    while (i < EVENTS.length - 1 && r >= this.weights[i]) r -= this.weights[i++];
    switch (EVENTS[i].name) {
      case 'deliver':
        return this.deliver();
      case 'ready':
        return this.handleReady(this.pick((n) => n.raft?.hasReady() === true));
      case 'tick':
        return this.tickAll();
      case 'propose':
        return this.propose();
      case 'read':
        return this.read();
      case 'dropOrDuplicate':
        return this.dropOrDuplicate();
      case 'crash':
        return this.crash();
      case 'restart':
        return this.restart();
      case 'links':
        return this.changeLinks();
      case 'transfer':
        return this.transfer();
      case 'membership':
        return this.changeMembership();
    }
  }

  private pick(f: (n: Node) => boolean): Node | null {
    const c = this.nodes.filter(f);
    return c.length === 0 ? null : c[this.rng(c.length)];
  }

  // ------------------------------------------------------------------ nodes

  private start(n: Node): void {
    n.raft = new Raft(
      {
        id: n.id,
        electionTick: 10,
        heartbeatTick: 1,
        readOnly: 'lease',
        maxSizePerMsg: 1, // one entry per append: old entries travel without the leader's own
        maxInflight: 4,
        random: seededRandom(this.opts.seed * 31 + this.rng(1_000_000)),
      },
      { hardState: { ...n.disk.hardState }, snapshot: n.disk.snapshot, entries: [...n.disk.entries] },
    );
    n.checked = 0;
    this.log(`${n.id} start`);
  }

  private crash(): void {
    // Prefer a leader, above all one holding an uncommitted membership change.
    const r = this.rng(4);
    const n =
      (r === 0 ? this.pick((x) => x.raft?.role === 'leader' && uncommittedConf(x.raft)) : null) ??
      (r <= 1 ? this.pick((x) => x.raft?.role === 'leader') : null) ??
      this.pick((x) => x.raft !== null);
    if (n === null) return;
    n.raft = null;
    this.stats.crashes++;
    this.log(`${n.id} crash`);
  }

  private restart(): void {
    const n = this.pick((x) => x.raft === null);
    if (n !== null) this.start(n);
  }

  /** Advances time by a quarter tick: the nodes whose clocks reach a whole tick tick. */
  private tickAll(): void {
    for (const n of this.nodes) {
      n.phase += n.rate / 4;
      for (; n.phase >= 1; n.phase--) {
        if (n.raft === null) continue;
        n.raft.tick();
        this.check(n);
      }
    }
  }

  /** Persist, then send, then apply, then advance (what RaftNode does for a follower). */
  private handleReady(n: Node | null): void {
    const raft = n?.raft;
    if (!n || !raft) return;
    const rd = raft.ready();
    if (rd.hardState) n.disk.hardState = { ...rd.hardState };
    if (rd.snapshot) this.stats.snapshots++;
    if (rd.snapshot) n.disk = { hardState: n.disk.hardState, snapshot: rd.snapshot, entries: [] };
    if (rd.entries.length > 0) {
      const keep = rd.entries[0].index - n.disk.snapshot.meta.index - 1;
      n.disk.entries = n.disk.entries.slice(0, keep).concat(rd.entries);
    }
    for (const m of rd.messages) if (!this.blocked.has(`${m.from}>${m.to}`)) this.pending.push(m);
    for (const rs of rd.readStates) {
      const req = this.reads.get(rs.context);
      if (req === undefined) continue;
      this.reads.delete(rs.context);
      this.stats.reads++;
      if (rs.index < req.floor) {
        this.violate(`stale read: ${n.id} answered ${rs.context} (${req.mode}) at index ${rs.index}, but ${req.floor} was committed before it was asked`);
      }
    }
    raft.advance();
    this.check(n); // records what this Ready made durable and committed
    for (const e of rd.committedEntries) {
      const c = this.committed.get(e.index);
      if (c === undefined || !sameEntry(c, e)) this.violate(`${n.id} applied ${describeEntry(e)}, committed there: ${c ? describeEntry(c) : 'nothing'}`);
    }
    this.maybeCompact(n, raft);
  }

  private maybeCompact(n: Node, raft: Raft): void {
    const lg = raft.log;
    if (lg.pendingSnapshot !== null || lg.applied - lg.snapshot.meta.index < 8 || this.rng(4) !== 0) return;
    const snap = raft.compact(lg.applied, new Uint8Array(0), this.rng(3));
    n.disk = { hardState: n.disk.hardState, snapshot: snap, entries: n.disk.entries.filter((e) => e.index > snap.meta.index) };
  }

  // ------------------------------------------------------------------ network

  private deliver(): void {
    if (this.pending.length === 0) return;
    const i = this.rng(this.pending.length);
    const m = this.pending[i];
    this.pending[i] = this.pending[this.pending.length - 1];
    this.pending.pop();
    const n = this.nodes.find((x) => x.id === m.to);
    if (!n?.raft || this.blocked.has(`${m.from}>${m.to}`)) return;
    n.raft.step(m);
    this.check(n);
  }

  private dropOrDuplicate(): void {
    if (this.pending.length === 0) return;
    const i = this.rng(this.pending.length);
    if (this.rng(2) === 0) this.pending.push(this.pending[i]);
    else this.pending.splice(i, 1);
  }

  /** Heals, or cuts: a random link, the leader from one follower, the leader's sending side, or the leader entirely. */
  private changeLinks(): void {
    const kind = this.rng(5);
    if (kind === 0) {
      this.blocked.clear();
      this.log('heal');
      return;
    }
    const l = this.pick((x) => x.raft?.role === 'leader')?.id;
    const other = (not: string | undefined): string | undefined => this.pick((x) => x.id !== not)?.id;
    if (kind === 1 || l === undefined) {
      const a = this.nodes[this.rng(this.nodes.length)].id;
      const b = other(a)!;
      this.blocked.add(`${a}>${b}`);
      if (this.rng(2) === 0) this.blocked.add(`${b}>${a}`);
      this.log(`cut ${a}>${b}`);
    } else if (kind === 2) {
      const f = other(l)!;
      this.blocked.add(`${l}>${f}`);
      this.blocked.add(`${f}>${l}`);
      this.log(`cut ${l}<>${f}`);
    } else {
      // The leader cannot send (its followers' answers already in flight still arrive), or is cut off entirely.
      for (const x of this.nodes) {
        if (x.id === l) continue;
        this.blocked.add(`${l}>${x.id}`);
        if (kind === 4) this.blocked.add(`${x.id}>${l}`);
      }
      this.log(kind === 4 ? `isolate ${l}` : `mute ${l}`);
    }
  }

  // ------------------------------------------------------------------ clients

  private propose(): void {
    const n = this.pick((x) => x.raft?.role === 'leader') ?? this.pick((x) => x.raft !== null);
    if (!n?.raft) return;
    const op = this.nextOp++;
    // Every other command is bytes, as the agent's are: both of the log's ways of keeping data.
    n.raft.propose(op % 2 === 0 ? new TextEncoder().encode(`w${op}`) : `w${op}`);
    this.check(n);
  }

  private read(): void {
    const n = (this.rng(4) !== 0 ? this.pick((x) => x.raft?.role === 'leader') : null) ?? this.pick((x) => x.raft !== null);
    if (!n?.raft) return;
    const ctx = `r${this.nextOp++}`;
    const mode = this.rng(2) === 0 ? 'lease' : 'safe';
    if (n.raft.readIndex(ctx, mode)) this.reads.set(ctx, { floor: this.maxCommitted, mode });
    this.check(n);
  }

  private changeMembership(): void {
    const l = this.pick((x) => x.raft?.role === 'leader');
    if (!l?.raft) return;
    const { voters, learners } = l.raft.conf;
    const outside = this.nodes.filter((x) => !voters.includes(x.id) && !learners.includes(x.id)).map((x) => x.id);
    const r = this.rng(3);
    let cc: ConfChange;
    if (learners.length > 0 && r === 0) cc = { type: 'promote', id: learners[0] };
    else if (outside.length > 0 && r !== 2) cc = { type: this.rng(2) === 0 ? 'addVoter' : 'addLearner', id: outside[this.rng(outside.length)] };
    else cc = { type: 'remove', id: [...voters, ...learners][this.rng(voters.length + learners.length)] };
    if (l.raft.changeMembership(cc)) {
      this.stats.confChanges++;
      this.log(`${l.id} proposes ${cc.type} ${cc.id}`);
    }
    this.check(l);
  }

  private transfer(): void {
    const l = this.pick((x) => x.raft?.role === 'leader');
    if (!l?.raft) return;
    const to = l.raft.conf.voters.filter((v) => v !== l.id);
    if (to.length === 0) return;
    const target = to[this.rng(to.length)];
    if (l.raft.transferLeadership(target)) {
      this.stats.transfers++;
      this.log(`${l.id} transfers leadership to ${target}`);
      // Sometimes the old leader will not hear the target: does it keep acting as leader safely?
      if (this.rng(2) === 0) this.blocked.add(`${target}>${l.id}`);
    }
    this.check(l);
  }

  // ------------------------------------------------------------------ safety

  private check(n: Node): void {
    const raft = n.raft;
    if (raft === null) return;
    if (raft.role === 'leader') {
      const other = this.leaders.get(raft.term);
      if (other === undefined) {
        this.leaders.set(raft.term, n.id);
        this.maxLeaderTerm = Math.max(this.maxLeaderTerm, raft.term);
        this.stats.elections++;
        this.log(`${n.id} leads term ${raft.term}`);
        this.checkCompleteness(n);
        // A new leader changing membership at once is where single-server changes go wrong.
        if (this.rng(3) === 0) this.changeMembership();
      } else if (other !== n.id) this.violate(`election safety: ${other} and ${n.id} both lead term ${raft.term}`);
    }
    const lg = raft.log;
    // Commitment counts once durable: a single voter commits in memory before its own write,
    // and a crash in between loses an entry no one could have observed.
    const durable = Math.min(lg.committed, lg.stableIndex);
    for (let i = Math.max(n.checked + 1, lg.firstIndex()); i <= durable; i++) {
      const e = lg.entry(i)!;
      const c = this.committed.get(i);
      if (c === undefined) {
        this.committed.set(i, e);
        this.maxCommitted = Math.max(this.maxCommitted, i);
        this.stats.commits++;
      } else if (!sameEntry(c, e)) {
        this.violate(`state machine safety: ${n.id} committed ${describeEntry(e)} where ${describeEntry(c)} was committed`);
        return;
      }
    }
    n.checked = Math.max(n.checked, durable);
    this.checkLeases();
  }

  /** A lease must end before any later leader can be elected (else a lease read may be stale). */
  private checkLeases(): void {
    for (const x of this.nodes) {
      const r = x.raft;
      if (r?.role === 'leader' && r.term < this.maxLeaderTerm && r.leaseValid()) {
        this.violate(`lease: ${x.id} still holds the lease of term ${r.term} while ${this.leaders.get(this.maxLeaderTerm)} leads term ${this.maxLeaderTerm}`);
      }
    }
  }

  private checkCompleteness(n: Node): void {
    const lg = n.raft!.log;
    for (let i = lg.firstIndex(); i <= this.maxCommitted; i++) {
      const c = this.committed.get(i);
      const e = lg.entry(i);
      if (c !== undefined && (e === undefined || !sameEntry(c, e))) {
        this.violate(`leader completeness: ${n.id} leads term ${n.raft!.term} without committed ${describeEntry(c)}`);
        return;
      }
    }
  }
}

function uncommittedConf(r: Raft): boolean {
  for (let i = r.log.committed + 1; i <= r.log.lastIndex(); i++) if (r.log.entry(i)?.type === 'conf') return true;
  return false;
}
