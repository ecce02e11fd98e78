// A deterministic cluster simulator (TigerBeetle/etcd style): N Raft cores on one thread,
// virtual time in ms, a seeded network that drops, duplicates, delays (so reorders) and
// partitions, crashes that lose everything not persisted, restarts, membership changes
// and leadership transfers during faults. After every step it checks Raft's safety
// properties; at the end a linearizability check runs over the simulated clients' KV history.

import { seededRandom, type RandomSource } from '../rand.js';
import { bootstrapState, joinState, Raft } from '../raft.js';
import type { Entry, HardState, Message, NodeId, Ready, Snapshot } from '../types.js';
import { checkKvHistory, type CheckResult, type KvOperation } from './linearizability.js';

export interface SimOptions {
  seed: number;
  nodes: 3 | 5;
  /** Virtual ms with faults, then a healed period in which the cluster must make progress. */
  faultyMs?: number;
  healedMs?: number;
  clients?: number;
  /** Collect a trace of events (for replaying a failure). */
  trace?: boolean;
}

export interface SimResult {
  seed: number;
  violations: string[];
  linearizable: CheckResult;
  stats: { commits: number; elections: number; snapshotsSent: number; crashes: number; confChanges: number; ops: number };
  trace: string[];
}

interface KvCommand {
  c: number;
  op: number;
  k: string;
  v: string;
}

/** The durable part of a node: what survives a crash. */
interface DiskState {
  hardState: HardState;
  snapshot: Snapshot;
  entries: Entry[];
}

interface SimNode {
  id: NodeId;
  disk: DiskState;
  raft: Raft | null;
  kv: Map<string, string>;
  incarnation: number;
  tickPhase: number;
  /** opId -> client for writes proposed here; context -> read for reads. */
  writes: Map<number, PendingOp>;
  reads: Map<string, PendingOp>;
  /** Reads whose index is known, waiting for apply. */
  readWaits: { index: number; op: PendingOp }[];
  downUntil: number;
}

interface PendingOp {
  client: number;
  kind: 'put' | 'get';
  key: string;
  value?: string;
  opId: number;
  call: number;
  node: NodeId;
  deadline: number;
}

interface InFlight {
  at: number;
  seq: number;
  msg: Message;
}

const TICK_MS = 10;
const KEYS = ['a', 'b'];
const enc = new TextEncoder();
const dec = new TextDecoder();

export function runSimulation(opts: SimOptions): SimResult {
  const sim = new Simulation(opts);
  return sim.run();
}

class Simulation {
  private rng: RandomSource;
  private now = 0;
  private clock = 0; // logical timestamps for the history (strictly increasing)
  private nodes = new Map<NodeId, SimNode>();
  private net: InFlight[] = [];
  private seq = 0;
  /** Cut directed links `${from}>${to}`: partitions, isolated nodes, single (even one-way) links. */
  private blocked = new Set<string>();
  private violations: string[] = [];
  private history: KvOperation[] = [];
  private clientOps: (PendingOp | null)[] = [];
  private clientHint: (NodeId | null)[] = [];
  private clientNextAt: number[] = [];
  private nextOpId = 1;
  private leadersByTerm = new Map<number, NodeId>();
  /** index -> committed entry, as first seen committed anywhere, with the term it was seen in. */
  private committed = new Map<number, { entry: Entry; seenTerm: number }>();
  private maxCommitted = 0;
  /** `${index}:${term}` -> [entry, previous entry's term]: log matching, inductively. */
  private logIndex = new Map<string, { entry: Entry; prevTerm: number | undefined }>();
  private trace: string[] = [];
  private stats = { commits: 0, elections: 0, snapshotsSent: 0, crashes: 0, confChanges: 0, ops: 0 };
  private faulty = true;
  private dropRate: number;
  private dupRate: number;
  private delayMax: number;
  private crashRate: number;
  /** Entries kept in memory behind a snapshot (0 = every lagging follower needs the snapshot). */
  private trailing: number;
  private lastProgress = 0;
  private readonly faultyMs: number;
  private readonly healedMs: number;

  constructor(private opts: SimOptions) {
    this.rng = seededRandom(opts.seed * 7919 + 17);
    this.faultyMs = opts.faultyMs ?? 4000;
    this.healedMs = opts.healedMs ?? 1000;
    // Each seed draws its own fault intensity so the suite covers calm and stormy clusters.
    this.dropRate = this.rng(15) / 100;
    this.dupRate = this.rng(10) / 100;
    this.delayMax = 1 + this.rng(30);
    this.crashRate = this.rng(4);
    this.trailing = this.rng(3) === 0 ? 0 : this.rng(8);
    const ids: NodeId[] = [];
    for (let i = 1; i <= opts.nodes + 1; i++) ids.push(`n${i}`);
    const voters = ids.slice(0, opts.nodes);
    for (const id of ids) {
      // The last node starts outside the cluster: membership changes add and remove it.
      const node: SimNode = {
        id,
        disk: voters.includes(id) ? bootstrapState(voters) : joinState(),
        raft: null,
        kv: new Map(),
        incarnation: 0,
        tickPhase: this.rng(TICK_MS),
        writes: new Map(),
        reads: new Map(),
        readWaits: [],
        downUntil: 0,
      };
      this.nodes.set(id, node);
      this.start(node);
    }
    const clients = opts.clients ?? 4;
    for (let c = 0; c < clients; c++) {
      this.clientOps.push(null);
      this.clientHint.push(null);
      this.clientNextAt.push(this.rng(50));
    }
  }

  run(): SimResult {
    const end = this.faultyMs + this.healedMs;
    for (this.now = 0; this.now < end && this.violations.length === 0; this.now++) {
      if (this.faulty && this.now >= this.faultyMs) this.heal();
      this.maybeFault();
      for (const n of this.nodes.values()) {
        if (n.raft === null) {
          if (this.now >= n.downUntil) this.start(n);
          continue;
        }
        if ((this.now + n.tickPhase) % TICK_MS === 0) {
          n.raft.tick();
          this.afterStep(n);
        }
      }
      this.deliver();
      for (const n of this.nodes.values()) {
        // Ready is handled with a random lag, so a crash can lose unpersisted state.
        if (n.raft !== null && n.raft.hasReady() && (!this.faulty || this.rng(4) !== 0)) this.handleReady(n);
      }
      this.runClients();
    }
    if (this.violations.length === 0 && this.lastProgress < this.faultyMs) {
      this.violations.push(`liveness: no write committed in the ${this.healedMs} ms after healing`);
    }
    let linearizable: CheckResult = 'ok';
    if (this.violations.length === 0) {
      for (let c = 0; c < this.clientOps.length; c++) this.finishPending(c);
      linearizable = checkKvHistory(this.history);
      if (linearizable === 'illegal') this.violations.push('history is not linearizable');
    }
    return { seed: this.opts.seed, violations: this.violations, linearizable, stats: this.stats, trace: this.trace };
  }

  private log(s: string): void {
    if (this.opts.trace) this.trace.push(`${this.now}ms ${s}`);
  }

  // ------------------------------------------------------------------ nodes

  private start(n: SimNode): void {
    n.incarnation++;
    n.raft = new Raft(
      {
        id: n.id,
        electionTick: 10,
        heartbeatTick: 1,
        readOnly: this.opts.seed % 2 === 0 ? 'lease' : 'safe',
        maxEntriesPerMsg: 8,
        maxInflight: 4,
        snapshotChunkBytes: 64,
        random: seededRandom(this.opts.seed * 1009 + n.incarnation * 101 + Number(n.id.slice(1))),
      },
      { hardState: { ...n.disk.hardState }, snapshot: n.disk.snapshot, entries: n.disk.entries },
    );
    n.kv = restoreKv(n.disk.snapshot.data);
    this.log(`${n.id} start #${n.incarnation}`);
  }

  private crash(n: SimNode, downMs: number): void {
    this.log(`${n.id} crash`);
    n.raft = null;
    n.writes.clear();
    n.reads.clear();
    n.readWaits = [];
    n.downUntil = this.now + downMs;
    this.stats.crashes++;
  }

  private handleReady(n: SimNode): void {
    const raft = n.raft!;
    const rd: Ready = raft.ready();
    // A leader sends before its own write is durable (as RaftNode does); it may crash in between.
    const early = raft.role === 'leader' && rd.hardState === null && rd.snapshot === null;
    if (early) {
      this.checkLogMatching(n, rd.entries);
      for (const m of rd.messages) this.send(m);
      if (this.faulty && this.rng(150) === 0) {
        this.crash(n, 20 + this.rng(200));
        return;
      }
    }
    // 1. persist (hard state, snapshot, entries) - this is the "fsync"
    if (rd.hardState) n.disk.hardState = { ...rd.hardState };
    if (rd.snapshot) {
      n.disk.snapshot = rd.snapshot;
      n.disk.entries = [];
      n.kv = restoreKv(rd.snapshot.data);
    }
    if (rd.entries.length > 0) {
      this.checkLogMatching(n, rd.entries);
      const first = rd.entries[0].index;
      const base = n.disk.snapshot.meta.index;
      n.disk.entries = n.disk.entries.slice(0, Math.max(0, first - base - 1));
      if (first !== base + 1 + n.disk.entries.length) this.violate(`${n.id} persisted a gap at ${first}`);
      n.disk.entries.push(...rd.entries);
    }
    // 2. send
    if (!early) for (const m of rd.messages) this.send(m);
    // 3. apply
    for (const e of rd.committedEntries) this.apply(n, e);
    for (const rs of rd.readStates) {
      const op = n.reads.get(rs.context);
      if (op) {
        n.reads.delete(rs.context);
        n.readWaits.push({ index: rs.index, op });
      }
    }
    raft.advance();
    this.serveReads(n);
    // Compaction: keep the log short so snapshots are sent (in chunks) to lagging nodes.
    const applied = raft.log.applied;
    if (applied - raft.log.snapshot.meta.index > 24 && raft.log.pendingSnapshot === null) {
      const idx = applied - 4;
      const snap = raft.compact(idx, snapshotKv(n.kv, applied === idx ? undefined : this.kvAt(n, idx)), this.trailing);
      n.disk.snapshot = snap;
      n.disk.entries = n.disk.entries.filter((e) => e.index > idx);
    }
    this.afterStep(n);
  }

  /** The KV state at an earlier applied index: replay the snapshot and entries up to idx. */
  private kvAt(n: SimNode, idx: number): Map<string, string> {
    const kv = restoreKv(n.disk.snapshot.data);
    for (const e of n.disk.entries) {
      if (e.index > idx) break;
      if (e.type === 'normal') {
        const c = e.data as KvCommand;
        kv.set(c.k, c.v);
      }
    }
    return kv;
  }

  private apply(n: SimNode, e: Entry): void {
    const seen = this.committed.get(e.index);
    if (seen === undefined) {
      this.violate(`${n.id} applied ${e.index} that was never seen committed`);
    } else if (!sameEntry(seen.entry, e)) {
      this.violate(`state machine safety: ${n.id} applied ${describe(e)} but ${describe(seen.entry)} was committed`);
    }
    if (e.type === 'conf') this.stats.confChanges++;
    if (e.type !== 'normal') return;
    const c = e.data as KvCommand;
    n.kv.set(c.k, c.v);
    const op = n.writes.get(c.op);
    if (op) {
      n.writes.delete(c.op);
      this.respond(op, undefined);
    }
  }

  private serveReads(n: SimNode): void {
    const applied = n.raft!.log.applied;
    n.readWaits = n.readWaits.filter((w) => {
      if (w.index > applied) return true;
      this.respond(w.op, n.kv.get(w.op.key));
      return false;
    });
  }

  // ------------------------------------------------------------------ safety

  private violate(s: string): void {
    this.log(`VIOLATION ${s}`);
    this.violations.push(s);
  }

  private afterStep(n: SimNode): void {
    const raft = n.raft;
    if (raft === null) return;
    // Election safety: at most one leader per term.
    if (raft.role === 'leader') {
      const other = this.leadersByTerm.get(raft.term);
      if (other === undefined) {
        this.leadersByTerm.set(raft.term, n.id);
        this.stats.elections++;
        this.log(`${n.id} leader term ${raft.term}`);
      } else if (other !== n.id) this.violate(`election safety: ${other} and ${n.id} both lead term ${raft.term}`);
    }
    // Record newly committed entries; a committed index never changes its entry.
    const lg = raft.log;
    for (let i = Math.max(lg.firstIndex(), 1); i <= lg.committed; i++) {
      const e = lg.entry(i)!;
      const seen = this.committed.get(i);
      if (seen === undefined) {
        this.committed.set(i, { entry: e, seenTerm: raft.term });
        if (i > this.maxCommitted) this.maxCommitted = i;
        if (e.type === 'normal') this.lastProgress = this.now;
        this.stats.commits++;
      } else if (!sameEntry(seen.entry, e)) {
        this.violate(`state machine safety: ${n.id} committed ${describe(e)} but ${describe(seen.entry)} was committed`);
        return;
      }
    }
    this.checkLogMatching(n, lg.unstableEntries());
    // Leader completeness: a leader of term T holds every entry committed in an earlier term.
    if (raft.role === 'leader') {
      for (let i = lg.snapshot.meta.index + 1; i <= this.maxCommitted; i++) {
        const seen = this.committed.get(i);
        if (seen === undefined || seen.seenTerm >= raft.term) continue;
        const e = lg.entry(i);
        if (e === undefined || !sameEntry(e, seen.entry)) {
          this.violate(`leader completeness: leader ${n.id} of term ${raft.term} lacks committed ${describe(seen.entry)}`);
          return;
        }
      }
    }
  }

  /** Log matching: an (index, term) pair names one entry and one predecessor term everywhere. */
  private checkLogMatching(n: SimNode, ents: Entry[]): void {
    const lg = n.raft!.log;
    for (const e of ents) {
      const prevTerm = lg.term(e.index - 1);
      const key = `${e.index}:${e.term}`;
      const seen = this.logIndex.get(key);
      if (seen === undefined) this.logIndex.set(key, { entry: e, prevTerm });
      else if (!sameEntry(seen.entry, e) || (prevTerm !== undefined && seen.prevTerm !== undefined && prevTerm !== seen.prevTerm)) {
        this.violate(`log matching: ${n.id} has ${describe(e)} (prev term ${prevTerm}) but ${describe(seen.entry)} (prev term ${seen.prevTerm}) exists`);
      }
    }
  }

  // ------------------------------------------------------------------ network

  private send(m: Message): void {
    if (this.faulty && this.rng(1000) < this.dropRate * 1000) return;
    if (!this.connected(m.from, m.to)) return;
    if (m.type === 'snap') this.stats.snapshotsSent++;
    const copies = this.faulty && this.rng(1000) < this.dupRate * 1000 ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = this.faulty ? 1 + this.rng(this.delayMax) : 1 + this.rng(3);
      this.net.push({ at: this.now + delay, seq: this.seq++, msg: m });
    }
  }

  private connected(a: NodeId, b: NodeId): boolean {
    return this.blocked.size === 0 || !this.blocked.has(`${a}>${b}`);
  }

  private cut(a: NodeId, b: NodeId, bothWays: boolean): void {
    this.blocked.add(`${a}>${b}`);
    if (bothWays) this.blocked.add(`${b}>${a}`);
  }

  private deliver(): void {
    if (this.net.length === 0) return;
    const due: InFlight[] = [];
    const rest: InFlight[] = [];
    for (const f of this.net) (f.at <= this.now ? due : rest).push(f);
    this.net = rest;
    due.sort((a, b) => a.at - b.at || a.seq - b.seq);
    for (const f of due) {
      const n = this.nodes.get(f.msg.to);
      if (!n || n.raft === null || !this.connected(f.msg.from, f.msg.to)) continue;
      n.raft.step(f.msg);
      this.afterStep(n);
    }
  }

  // ------------------------------------------------------------------ faults

  private maybeFault(): void {
    if (!this.faulty) return;
    const r = this.rng(10_000);
    const ids = [...this.nodes.keys()];
    if (r < 4) {
      // Partition: a random split into two sides.
      const side = new Map(ids.map((id) => [id, this.rng(2)]));
      for (const a of ids) for (const b of ids) if (side.get(a) !== side.get(b)) this.cut(a, b, false);
      this.log(`partition ${[...side].map(([k, v]) => `${k}:${v}`).join(' ')}`);
    } else if (r < 12) {
      // Isolate the leader: the classic stale-leader (and stale-read) scenario.
      const l = this.leader();
      if (l) for (const b of ids) if (b !== l.id) this.cut(l.id, b, true);
      if (l) this.log(`isolate ${l.id}`);
    } else if (r < 18) {
      // One link, possibly one way only: partitions that are not transitive.
      const a = ids[this.rng(ids.length)];
      const b = ids[this.rng(ids.length)];
      if (a !== b) {
        const both = this.rng(2) === 0;
        this.cut(a, b, both);
        this.log(`cut ${a}${both ? '<' : ''}>${b}`);
      }
    } else if (r < 26) {
      if (this.blocked.size > 0) this.log('heal network');
      this.blocked.clear();
    } else if (r < 26 + this.crashRate * 3) {
      const alive = [...this.nodes.values()].filter((n) => n.raft !== null);
      if (alive.length > 0) this.crash(alive[this.rng(alive.length)], 20 + this.rng(300));
    } else if (r < 46 + this.crashRate * 3) {
      this.membershipChange();
      // Sometimes a second change right away: it must be refused until the first commits.
      if (this.rng(3) === 0) this.membershipChange();
    } else if (r < 52 + this.crashRate * 3) {
      const l = this.leader();
      if (l) {
        const voters = l.raft!.conf.voters.filter((v) => v !== l.id);
        if (voters.length > 0) {
          const to = voters[this.rng(voters.length)];
          if (l.raft!.transferLeadership(to)) this.log(`${l.id} transfer leadership to ${to}`);
          this.afterStep(l);
        }
      }
    }
  }

  private membershipChange(): void {
    const l = this.leader();
    if (!l) return;
    const raft = l.raft!;
    const conf = raft.conf;
    const all = [...this.nodes.keys()];
    const outside = all.filter((id) => !conf.voters.includes(id) && !conf.learners.includes(id));
    let ok = false;
    let what = '';
    if (conf.learners.length > 0) {
      what = `promote ${conf.learners[0]}`;
      ok = raft.changeMembership({ type: 'promote', id: conf.learners[0] });
    } else if (outside.length > 0) {
      const id = outside[this.rng(outside.length)];
      const asVoter = this.rng(4) === 0;
      what = `${asVoter ? 'addVoter' : 'addLearner'} ${id}`;
      ok = raft.changeMembership({ type: asVoter ? 'addVoter' : 'addLearner', id });
    } else {
      const id = conf.voters[this.rng(conf.voters.length)];
      what = `remove ${id}`;
      ok = raft.changeMembership({ type: 'remove', id });
    }
    if (ok) this.log(`${l.id} proposes ${what}`);
    this.afterStep(l);
  }

  private heal(): void {
    this.faulty = false;
    this.blocked.clear();
    this.log('heal all');
    for (const n of this.nodes.values()) if (n.raft === null) n.downUntil = this.now;
  }

  private leader(): SimNode | null {
    let best: SimNode | null = null;
    for (const n of this.nodes.values()) {
      if (n.raft?.role === 'leader' && (best === null || n.raft.term > best.raft!.term)) best = n;
    }
    return best;
  }

  // ------------------------------------------------------------------ clients

  private runClients(): void {
    for (let c = 0; c < this.clientOps.length; c++) {
      const op = this.clientOps[c];
      if (op !== null) {
        if (this.now >= op.deadline) this.timeout(c);
        continue;
      }
      if (this.now < this.clientNextAt[c]) continue;
      this.issue(c);
    }
  }

  private pickNode(c: number): SimNode {
    const hint = this.clientHint[c];
    if (hint !== null && this.rng(5) >= 2) return this.nodes.get(hint)!;
    const all = [...this.nodes.values()];
    return all[this.rng(all.length)];
  }

  private issue(c: number): void {
    const n = this.pickNode(c);
    const key = KEYS[this.rng(KEYS.length)];
    const raft = n.raft;
    this.clientNextAt[c] = this.now + 5 + this.rng(30);
    if (raft === null) {
      this.clientHint[c] = null;
      return;
    }
    const opId = this.nextOpId++;
    const kind = this.rng(2) === 0 ? 'put' : 'get';
    const op: PendingOp = { client: c, kind, key, opId, call: 0, node: n.id, deadline: this.now + 150 };
    if (kind === 'put') {
      op.value = `v${opId}`;
      op.call = ++this.clock;
      const cmd: KvCommand = { c, op: opId, k: key, v: op.value };
      if (!raft.propose(cmd)) {
        // Not appended anywhere: a definite failure with no effect, left out of the history.
        this.clientHint[c] = raft.lead;
        this.afterStep(n);
        return;
      }
      n.writes.set(opId, op);
    } else {
      op.call = ++this.clock;
      const ctx = `r${opId}`;
      // Reads mix ReadIndex and the leader lease (Consul's ?consistent and default modes).
      if (!raft.readIndex(ctx, this.rng(2) === 0 ? 'lease' : 'safe')) {
        this.clientHint[c] = raft.lead;
        this.afterStep(n);
        return;
      }
      n.reads.set(ctx, op);
    }
    this.clientHint[c] = n.id;
    this.clientOps[c] = op;
    this.stats.ops++;
    this.afterStep(n);
  }

  private respond(op: PendingOp, output: string | undefined): void {
    if (this.clientOps[op.client] !== op) return;
    this.history.push({
      clientId: op.client,
      key: op.key,
      kind: op.kind,
      value: op.value,
      output,
      call: op.call,
      ret: ++this.clock,
    });
    this.clientOps[op.client] = null;
  }

  private timeout(c: number): void {
    this.finishPending(c);
    this.clientHint[c] = null;
  }

  /** A write without an answer may or may not have happened: it stays open forever. */
  private finishPending(c: number): void {
    const op = this.clientOps[c];
    if (op === null) return;
    this.clientOps[c] = null;
    if (op.kind === 'put') {
      this.history.push({ clientId: c, key: op.key, kind: 'put', value: op.value, call: op.call, ret: Infinity });
    }
  }
}

function sameEntry(a: Entry, b: Entry): boolean {
  if (a === b) return true;
  return a.index === b.index && a.term === b.term && a.type === b.type && JSON.stringify(a.data) === JSON.stringify(b.data);
}

function describe(e: Entry): string {
  return `${e.index}@${e.term}:${e.type}:${JSON.stringify(e.data)}`;
}

function snapshotKv(kv: Map<string, string>, at?: Map<string, string>): Uint8Array {
  return enc.encode(JSON.stringify([...(at ?? kv)]));
}

function restoreKv(data: Uint8Array): Map<string, string> {
  if (data.length === 0) return new Map();
  return new Map(JSON.parse(dec.decode(data)) as [string, string][]);
}
