// A deterministic cluster simulator (TigerBeetle/etcd style): N Raft cores on one thread,
// virtual time in ms, a seeded network that drops, duplicates, delays (so reorders, some
// longer than an election timeout) and partitions; process pauses with ticks caught up on
// resume and per-node clock drift; membership changes and leadership transfers during faults.
//
// Every node persists through the real storage code (DiskStorage and its WAL) on its own
// in-memory disk with crash semantics: a crash loses unsynced bytes (torn tails, reverted
// directory entries), sometimes in the middle of a save; writes are cut short; a full disk
// refuses saves until space returns (the node waits, as RaftNode does); EIO on fsync is
// fail-stop (the node crashes and restarts); a flipped bit in acknowledged data must be
// refused at restart, and that server is then removed from the configuration, wiped and
// rejoins with an empty disk under its old ID (as Consul does), as does a server whose disk
// is simply lost.
//
// After every step it checks Raft's safety properties; at the end a linearizability check
// runs over the simulated clients' KV history.

import { crc32 } from 'node:zlib';
import { decode, encode } from '../codec.js';
import { seededRandom, type RandomSource } from '../rand.js';
import { bootstrapState, joinState, Raft, type RaftInitialState } from '../raft.js';
import { DiskStorage, type PersistBatch } from '../storage/disk.js';
import { CorruptWalError, StorageFailedError, StorageFullError } from '../storage/errors.js';
import { MemoryFileSystem, SimulatedCrashError } from '../storage/memory-fs.js';
import type { Entry, HardState, Message, NodeId, Ready } from '../types.js';
import { completeReady, isWrittenBehind, type ReadyEffects } from '../node.js';
import { checkKvHistory, type CheckResult, type KvOperation } from './linearizability.js';
import { describeEntry, sameEntry } from './entries.js';

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
  stats: SimStats;
  trace: string[];
}

export interface SimStats {
  commits: number;
  elections: number;
  snapshotsSent: number;
  crashes: number;
  confChanges: number;
  ops: number;
  /** Crashes in the middle of a save (torn writes), fail-stops on EIO, saves refused by a full disk. */
  tornCrashes: number;
  failStops: number;
  diskFull: number;
  /** Restarts refused because of a flipped bit; servers wiped and rejoined with an empty disk. */
  refusals: number;
  wipes: number;
  pauses: number;
}

interface KvCommand {
  c: number;
  op: number;
  k: string;
  v: string;
}

function kvCommand(data: unknown): KvCommand {
  return (data instanceof Uint8Array ? decode(data) : data) as KvCommand;
}

interface SimNode {
  id: NodeId;
  /** The node's disk: survives crashes (with their semantics), replaced when wiped. */
  fs: MemoryFileSystem;
  storage: DiskStorage | null;
  /** Founding voter (its first start bootstraps the cluster); false after a wipe. */
  founder: boolean;
  raft: Raft | null;
  kv: Map<string, string>;
  incarnation: number;
  /** Virtual ms of the next tick; the period drifts per node. */
  nextTick: number;
  tickPeriod: number;
  /** A paused process (or one waiting for disk space) neither ticks nor steps until then. */
  pausedUntil: number;
  inbox: Message[];
  /** Waiting to be removed from the configuration, then wiped (a refused or lost disk). */
  wipePending: boolean;
  /** A bit was flipped in acknowledged data while down: the next start must refuse. */
  flipped: string | null;
  /** opId -> client for writes proposed here; context -> read for reads. */
  writes: Map<number, PendingOp>;
  reads: Map<string, PendingOp>;
  /** Reads whose index is known, waiting for apply. */
  readWaits: { index: number; op: PendingOp }[];
  downUntil: number;
  /** A full disk gets its space back at this time. */
  fullUntil: number;
  /** What this node's storage has acknowledged as durable, to check each recovery against. */
  durable: DurableModel;
  /** A crash planned soon after installing a snapshot (recovery right after an install is where storage bugs hide). */
  crashAt: number;
  effects?: ReadyEffects;
  /**
   * A leader's entries written behind its Readys (RaftNode's write-behind): the write under
   * way, which reaches the disk at `writeDoneAt`, and the entries waiting for the next one.
   */
  writing: Entry[] | null;
  writeDoneAt: number;
  writeQueue: Entry[];
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
const DATA_DIR = '/raft';
const SEGMENT_BYTES = 1024;
const enc = new TextEncoder();
const dec = new TextDecoder();

export function runSimulation(opts: SimOptions): Promise<SimResult> {
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
  private stats: SimStats = { commits: 0, elections: 0, snapshotsSent: 0, crashes: 0, confChanges: 0, ops: 0, tornCrashes: 0, failStops: 0, diskFull: 0, refusals: 0, wipes: 0, pauses: 0 };
  /** The newest committed membership change per node: is it out of the configuration? */
  private lastConf = new Map<NodeId, { index: number; type: string }>();
  private keys: string[];
  private shortWriteRate: number;
  private diskFaults: boolean;
  private faulty = true;
  private dropRate: number;
  private dupRate: number;
  private delayMax: number;
  /** The longest a leader's write-behind takes (0: at the next step), so followers often acknowledge first. */
  private writeMsMax: number;
  private crashRate: number;
  /** Entries kept in memory behind a snapshot (0 = every lagging follower needs the snapshot). */
  private trailing: number;
  private lastProgress = 0;
  private readonly faultyMs: number;
  private readonly healedMs: number;
  private voters: NodeId[] = [];

  constructor(private opts: SimOptions) {
    this.rng = seededRandom(opts.seed * 7919 + 17);
    this.faultyMs = opts.faultyMs ?? 4000;
    this.healedMs = opts.healedMs ?? 1000;
    // Each seed draws its own fault intensity so the suite covers calm and stormy clusters.
    this.dropRate = this.rng(15) / 100;
    this.dupRate = this.rng(10) / 100;
    this.delayMax = 1 + this.rng(30);
    this.writeMsMax = this.rng(3) === 0 ? 0 : 1 + this.rng(40);
    this.crashRate = this.rng(4);
    this.trailing = this.rng(3) === 0 ? 0 : this.rng(8);
    this.keys = ['a', 'b', 'c', 'd', 'e', 'f'].slice(0, 2 + this.rng(5));
    this.shortWriteRate = this.rng(2) === 0 ? 0 : 0.25;
    this.diskFaults = this.rng(4) !== 0;
    const ids: NodeId[] = [];
    for (let i = 1; i <= opts.nodes + 1; i++) ids.push(`n${i}`);
    const voters = ids.slice(0, opts.nodes);
    this.voters = voters;
    for (const id of ids) {
      // The last node starts outside the cluster: membership changes add and remove it.
      const node: SimNode = {
        id,
        fs: this.newDisk(id, 0),
        storage: null,
        founder: voters.includes(id),
        raft: null,
        kv: new Map(),
        incarnation: 0,
        // Clocks run up to 5% fast or slow (the lease assumes bounded drift, as Consul does).
        tickPeriod: TICK_MS * (0.95 + this.rng(101) / 1000),
        nextTick: this.rng(TICK_MS),
        pausedUntil: 0,
        inbox: [],
        wipePending: false,
        flipped: null,
        writes: new Map(),
        reads: new Map(),
        readWaits: [],
        downUntil: 0,
        fullUntil: 0,
        durable: emptyModel(),
        crashAt: 0,
        writing: null,
        writeDoneAt: 0,
        writeQueue: [],
      };
      this.nodes.set(id, node);
    }
    const clients = opts.clients ?? 3 + this.rng(4);
    for (let c = 0; c < clients; c++) {
      this.clientOps.push(null);
      this.clientHint.push(null);
      this.clientNextAt.push(this.rng(50));
    }
  }

  async run(): Promise<SimResult> {
    for (const n of this.nodes.values()) await this.start(n);
    const end = this.faultyMs + this.healedMs;
    for (this.now = 0; this.now < end && this.violations.length === 0; this.now++) {
      if (this.faulty && this.now >= this.faultyMs) this.heal();
      await this.maybeFault();
      this.progressWipes();
      for (const n of this.nodes.values()) {
        if (n.raft === null) {
          if (this.now >= n.downUntil) await this.start(n);
          continue;
        }
        if (n.crashAt > 0 && this.now >= n.crashAt) {
          n.crashAt = 0;
          if (this.faulty) {
            this.crash(n, 20 + this.rng(100));
            continue;
          }
        }
        if (this.now < n.pausedUntil) continue;
        if (n.writing !== null && this.now >= n.writeDoneAt && !(await this.finishWrite(n))) continue;
        // Ticks due since the last one (several after a pause: caught up, at most 100, as RaftNode does).
        let due = 0;
        while (n.nextTick <= this.now) {
          due++;
          n.nextTick += n.tickPeriod;
        }
        for (let i = 0; i < Math.min(due, 100); i++) {
          n.raft!.tick();
          this.afterStep(n);
        }
        if (n.inbox.length > 0) for (const m of n.inbox.splice(0)) this.stepNode(n, m);
      }
      this.deliver();
      for (const n of this.nodes.values()) {
        // Ready is handled with a random lag, so a crash can lose unpersisted state.
        if (this.ready(n) && n.raft!.hasReady() && (!this.faulty || this.rng(4) !== 0)) await this.handleReady(n);
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

  private newDisk(id: NodeId, generation: number): MemoryFileSystem {
    const fs = new MemoryFileSystem({ random: seededRandom(this.opts.seed * 31 + Number(id.slice(1)) * 7 + generation * 1013) });
    fs.faults.shortWriteRate = this.shortWriteRate;
    return fs;
  }

  /** Alive, not paused and not waiting for disk space. */
  private ready(n: SimNode): boolean {
    return n.raft !== null && this.now >= n.pausedUntil;
  }

  /** Recovers the node from its disk with the real storage code (or bootstraps an empty one). */
  private async start(n: SimNode): Promise<void> {
    n.incarnation++;
    let storage: DiskStorage;
    try {
      storage = await DiskStorage.open(DATA_DIR, { fs: n.fs, segmentBytes: SEGMENT_BYTES });
    } catch (e) {
      if (n.flipped !== null && e instanceof CorruptWalError) {
        // Refused as it must be: this server rejoins with an empty disk once removed.
        this.log(`${n.id} refuses to start: ${(e as Error).message}`);
        this.stats.refusals++;
        n.flipped = null;
        n.wipePending = true;
        n.downUntil = Infinity;
        return;
      }
      this.violate(`${n.id} cannot recover its disk: ${(e as Error).message}`);
      n.downUntil = Infinity;
      return;
    }
    if (n.flipped !== null) {
      this.violate(`${n.id} started on a disk with a flipped bit (${n.flipped}) instead of refusing`);
      return;
    }
    let init: RaftInitialState | null = storage.initialState();
    const lost = checkRecovery(n.durable, init);
    if (lost !== null) {
      this.violate(`${n.id} recovered a different state than its storage acknowledged: ${lost}`);
      return;
    }
    n.durable = init === null ? emptyModel() : modelOf(init);
    if (init === null) {
      init = n.founder ? bootstrapState(this.voters) : joinState();
      try {
        await storage.saveInitial(init);
        n.durable = modelOf(init);
      } catch (e) {
        this.violate(`${n.id} cannot bootstrap: ${(e as Error).message}`);
        return;
      }
    }
    n.founder = false;
    n.storage = storage;
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
      init,
    );
    n.kv = restoreKv(init.snapshot.data);
    n.nextTick = this.now + this.rng(TICK_MS);
    this.log(`${n.id} start #${n.incarnation} (term ${init.hardState.term}, snapshot ${init.snapshot.meta.index}, ${init.entries.length} entries)`);
  }

  /** The machine crashes: its disk keeps only what was synced. */
  private crash(n: SimNode, downMs: number): void {
    this.log(`${n.id} crash`);
    n.fs.crash();
    this.stopNode(n, downMs);
  }

  /** The node stops (its process exits, or the agent closes it); the disk keeps what it has. */
  private stopNode(n: SimNode, downMs: number): void {
    n.raft = null;
    n.storage = null;
    n.inbox = [];
    n.pausedUntil = 0;
    n.fs.faults.syncFails = () => false;
    n.fs.faults.capacityBytes = Infinity;
    n.writes.clear();
    n.reads.clear();
    n.readWaits = [];
    // Writes not yet on the disk are lost with the process.
    n.writing = null;
    n.writeQueue = [];
    n.downUntil = this.now + downMs;
    this.stats.crashes++;
  }

  private stepNode(n: SimNode, m: Message): void {
    n.raft!.step(m);
    this.afterStep(n);
  }

  /**
   * Runs one storage operation the way RaftNode treats its outcome: true when done; false when
   * the node crashed (a planned crash inside it, or fail-stop on a failed write or fsync) or a
   * full disk refused it (the caller keeps the Ready and retries).
   */
  private async persist(n: SimNode, op: () => Promise<void>, what: string): Promise<'ok' | 'crashed' | 'full'> {
    // Sometimes the machine dies in the middle of this save: a torn write, a lost rename.
    if (this.faulty && this.diskFaults && this.rng(100) === 0) n.fs.faults.crashAfterOps = this.rng(4);
    // A planned crash that fired is a crash whatever the storage made of it (it ignores a
    // failed unlink of a temp file, and then reports the full disk that came before).
    const fired = (): boolean => {
      const left = n.fs.faults.crashAfterOps;
      n.fs.faults.crashAfterOps = null;
      return left !== null && left < 0;
    };
    try {
      await op();
      if (!fired()) return 'ok';
      throw new SimulatedCrashError('planned crash');
    } catch (e) {
      const root = e instanceof StorageFailedError ? e.cause : e;
      if (fired() || root instanceof SimulatedCrashError) {
        this.stats.tornCrashes++;
        this.log(`${n.id} crashes during ${what}`);
        this.crash(n, 20 + this.rng(200));
        return 'crashed';
      }
      if (e instanceof StorageFullError) return 'full';
      if (e instanceof StorageFailedError) {
        // Fail-stop: the process exits; it restarts from what its disk holds.
        this.stats.failStops++;
        this.log(`${n.id} fail-stop: ${e.message}`);
        this.crash(n, 20 + this.rng(200));
        return 'crashed';
      }
      throw e;
    }
  }

  /** What completeReady does to this node: one object per node (the loop is hot). */
  private effects(n: SimNode): ReadyEffects {
    return {
      restore: (snap) => {
        n.kv = restoreKv(snap.data);
      },
      send: (msgs) => {
        for (const m of msgs) this.send(m);
      },
      apply: (e) => this.apply(n, e),
      readState: (rs) => {
        const op = n.reads.get(rs.context);
        if (op) {
          n.reads.delete(rs.context);
          n.readWaits.push({ index: rs.index, op });
        }
      },
    };
  }

  private async handleReady(n: SimNode): Promise<void> {
    const raft = n.raft!;
    const rd: Ready = raft.ready();
    const fx = (n.effects ??= this.effects(n));
    if (isWrittenBehind(raft, rd)) {
      // A leader's Ready (RaftNode's order): its entries go to the write-behind queue, and it
      // sends, applies and advances at once. It may crash before the write reaches the disk.
      this.checkLogMatching(n, rd.entries);
      for (const e of rd.entries) n.writeQueue.push(e);
      this.startWrite(n);
      await completeReady(raft, rd, true, fx);
      if (this.faulty && this.rng(150) === 0) {
        this.crash(n, 20 + this.rng(200));
        return;
      }
      await this.afterReady(n);
      return;
    }
    if (rd.entries.length > 0) this.checkLogMatching(n, rd.entries);
    // RaftNode waits for its write-behind first (here the disk finishes it now), then applies
    // the committed entries while its write is under way.
    const written = await this.flushWrites(n);
    if (written === 'down') return;
    for (const e of rd.committedEntries) fx.apply(e);
    const batch: PersistBatch = { hardState: rd.hardState, snapshot: rd.snapshot, entries: rd.entries };
    if (!(await this.save(n, batch))) return;
    if (rd.snapshot !== null && this.faulty && this.rng(4) !== 0) n.crashAt = this.now + 20 + this.rng(150);
    // RaftNode's own order: restore, send, read states, advance.
    await completeReady(raft, rd, false, fx);
    if (written !== null) raft.persisted(written.index, written.term);
    await this.afterReady(n);
  }

  /** One save through the real storage; false when the node crashed or stopped on a full disk. */
  private async save(n: SimNode, batch: PersistBatch): Promise<boolean> {
    n.durable.inflight = batch;
    const r = await this.persist(n, () => n.storage!.save(batch), 'save');
    if (r === 'ok') applyBatch(n.durable, batch);
    if (r === 'full') {
      // RaftNode stops with StorageFullError; the agent opens a new node on the same files once
      // there is space again (nothing acknowledged was at risk: the partial write was undone).
      this.stats.diskFull++;
      this.log(`${n.id} disk full: the node stops until space returns`);
      this.stopNode(n, Math.max(1, n.fullUntil - this.now) + this.rng(50));
    }
    return r === 'ok';
  }

  /** Starts the next write-behind, unless one is under way. */
  private startWrite(n: SimNode): void {
    if (n.writing !== null || n.writeQueue.length === 0) return;
    n.writing = n.writeQueue;
    n.writeQueue = [];
    n.writeDoneAt = this.now + this.rng(this.writeMsMax + 1);
  }

  /** The write under way reaches the disk and reports back to the core; false when the node went down. */
  private async finishWrite(n: SimNode): Promise<boolean> {
    const entries = n.writing!;
    n.writing = null;
    const written = await this.writeEntries(n, entries);
    if (written === 'down') return false;
    n.raft!.persisted(written.index, written.term);
    this.afterStep(n);
    this.startWrite(n);
    return true;
  }

  /** Writes everything in the write-behind queue now: the last entry written, if any; 'down' when the node went down. */
  private async flushWrites(n: SimNode): Promise<{ index: number; term: number } | null | 'down'> {
    const entries = [...(n.writing ?? []), ...n.writeQueue];
    n.writing = null;
    n.writeQueue = [];
    return entries.length === 0 ? null : this.writeEntries(n, entries);
  }

  /** One write of write-behind entries: the last one written, or 'down' when the node went down. */
  private async writeEntries(n: SimNode, entries: Entry[]): Promise<{ index: number; term: number } | 'down'> {
    if (!(await this.save(n, { hardState: null, snapshot: null, entries }))) return 'down';
    const last = entries[entries.length - 1];
    return { index: last.index, term: last.term };
  }

  /** After a Ready: answer reads, take a snapshot now and then. */
  private async afterReady(n: SimNode): Promise<void> {
    const raft = n.raft!;
    this.serveReads(n);
    // Compaction: keep the log short so snapshots are sent (in chunks) to lagging nodes.
    const applied = raft.log.applied;
    if (applied - raft.log.snapshot.meta.index > 24 && raft.log.pendingSnapshot === null) {
      const idx = applied - 4;
      const snap = raft.compact(idx, snapshotKv(n.kv, applied === idx ? undefined : this.kvAt(n, idx)), this.trailing);
      // A failed snapshot write is only logged by RaftNode (the WAL keeps everything): same here.
      let written = true;
      const w = await this.persist(n, () => n.storage!.saveSnapshot(snap).catch((e: Error) => {
        written = false;
        if (e instanceof StorageFailedError && n.storage!.failure() === e) throw e;
      }), 'snapshot');
      if (w === 'crashed') return;
      if (written) compactModel(n.durable, snap.meta.index, snap.meta.term);
    }
    this.afterStep(n);
  }

  /** The KV state at an earlier applied index: replay the snapshot and entries up to idx. */
  private kvAt(n: SimNode, idx: number): Map<string, string> {
    const lg = n.raft!.log;
    const kv = restoreKv(lg.snapshot.data);
    for (let i = lg.snapshot.meta.index + 1; i <= idx; i++) {
      const e = lg.entry(i)!;
      if (e.type === 'normal') {
        const c = kvCommand(e.data);
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
      this.violate(`state machine safety: ${n.id} applied ${describeEntry(e)} but ${describeEntry(seen.entry)} was committed`);
    }
    if (e.type === 'conf') this.stats.confChanges++;
    if (e.type !== 'normal') return;
    const c = kvCommand(e.data);
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
        if (e.type === 'conf') {
          const cc = e.data as { type: string; id: NodeId };
          const prev = this.lastConf.get(cc.id);
          if (prev === undefined || prev.index < i) this.lastConf.set(cc.id, { index: i, type: cc.type });
        }
        this.stats.commits++;
      } else if (!sameEntry(seen.entry, e)) {
        this.violate(`state machine safety: ${n.id} committed ${describeEntry(e)} but ${describeEntry(seen.entry)} was committed`);
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
          this.violate(`leader completeness: leader ${n.id} of term ${raft.term} lacks committed ${describeEntry(seen.entry)}`);
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
        this.violate(`log matching: ${n.id} has ${describeEntry(e)} (prev term ${prevTerm}) but ${describeEntry(seen.entry)} (prev term ${seen.prevTerm}) exists`);
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
      let delay = this.faulty ? 1 + this.rng(this.delayMax) : 1 + this.rng(3);
      // Now and then a message arrives after more than an election timeout (100-200 ms).
      if (this.faulty && this.rng(300) === 0) delay = 150 + this.rng(300);
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
      // A paused or blocked process reads its socket later (a bounded queue).
      if (!this.ready(n)) {
        if (n.inbox.length < 1000) n.inbox.push(f.msg);
        continue;
      }
      this.stepNode(n, f.msg);
    }
  }

  // ------------------------------------------------------------------ faults

  private async maybeFault(): Promise<void> {
    for (const n of this.nodes.values()) {
      if (n.fullUntil > 0 && this.now >= n.fullUntil) {
        n.fullUntil = 0;
        n.fs.faults.capacityBytes = Infinity;
      }
    }
    if (!this.faulty) return;
    if (this.diskFaults && this.rng(1000) < 2) {
      await this.diskFault();
      return;
    }
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
    } else if (r < 58 + this.crashRate * 3) {
      // A process pause (GC, SIGSTOP, a slow VM), most often of the leader.
      const l = this.leader();
      const alive = [...this.nodes.values()].filter((n) => this.ready(n));
      const n = l !== null && this.rng(2) === 0 ? l : alive[this.rng(Math.max(1, alive.length))];
      if (n && this.ready(n)) {
        n.pausedUntil = this.now + 100 + this.rng(this.rng(4) === 0 ? 3000 : 400);
        this.stats.pauses++;
        this.log(`${n.id} paused until ${n.pausedUntil}ms`);
      }
    } else if (r < 64 + this.crashRate * 3) {
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
      // While a damaged server waits for its removal, removing another could lose the quorum.
      if ([...this.nodes.values()].some((o) => o.wipePending || o.flipped !== null)) return;
      const id = conf.voters[this.rng(conf.voters.length)];
      what = `remove ${id}`;
      ok = raft.changeMembership({ type: 'remove', id });
    }
    if (ok) this.log(`${l.id} proposes ${what}`);
    this.afterStep(l);
  }

  /** One disk fault: EIO on the next fsync, a full disk, a flipped bit while down, a lost disk. */
  private async diskFault(): Promise<void> {
    const all = [...this.nodes.values()];
    const n = all[this.rng(all.length)];
    const k = this.rng(4);
    if (k === 0 && n.raft !== null) {
      n.fs.faults.syncFails = () => true;
      this.log(`${n.id} disk: EIO on fsync from now`);
    } else if (k === 1 && n.raft !== null && n.fullUntil === 0) {
      n.fs.faults.capacityBytes = n.fs.usedBytes() + this.rng(300);
      n.fullUntil = this.now + 50 + this.rng(1000);
      this.log(`${n.id} disk full until ${n.fullUntil}ms`);
    } else if (k === 2 && !this.damaged()) {
      // The machine crashes and a bit of acknowledged data rots while it is down.
      if (n.raft !== null) this.crash(n, 20 + this.rng(200));
      n.flipped = await flipAcknowledgedBit(n.fs, this.rng);
      if (n.flipped !== null) this.log(`${n.id} disk: flipped ${n.flipped}`);
    } else if (k === 3 && !this.damaged()) {
      // The disk is lost (or its damage refused): the server must be removed before it rejoins empty.
      if (n.raft !== null) this.crash(n, 0);
      n.wipePending = true;
      n.flipped = null;
      n.downUntil = Infinity;
      this.log(`${n.id} disk lost: waiting for its removal`);
    }
  }

  /**
   * At most one server at a time has a damaged disk, and only while at least three voters
   * remain: a cluster that loses a majority of its disks cannot recover, in Raft as in Consul.
   */
  private damaged(): boolean {
    const l = this.leader();
    const committed = [...this.lastConf].filter(([, c]) => c.type === 'addVoter' || c.type === 'promote').map(([id]) => id);
    // No membership change in flight: the leader's configuration is the committed one.
    if (l === null || committed.length < 3 || l.raft!.conf.voters.length !== committed.length) return true;
    return [...this.nodes.values()].some((o) => o.wipePending || o.flipped !== null);
  }

  /**
   * A server whose disk was refused or lost comes back empty under its old ID only after its
   * removal is committed (Consul: the operator removes it, it rejoins as a new member) and
   * every other server has applied that removal: the core grants votes even from an empty
   * configuration, so a stale server that still counted the wiped one as a voter could win
   * an election with its vote (the simulator found this; see the README).
   */
  private progressWipes(): void {
    if (this.now % 10 !== 0) return;
    for (const n of this.nodes.values()) {
      if (!n.wipePending) continue;
      const last = this.lastConf.get(n.id);
      const everyoneKnows = [...this.nodes.values()].every(
        (o) => o === n || (o.raft !== null && !o.wipePending && o.raft.log.applied >= (last?.index ?? 0) && !o.raft.conf.voters.includes(n.id)),
      );
      if ((last === undefined || last.type === 'remove') && everyoneKnows) {
        n.wipePending = false;
        n.fs = this.newDisk(n.id, n.incarnation + 1);
        n.durable = emptyModel();
        n.founder = false;
        n.downUntil = this.now + 10 + this.rng(100);
        this.stats.wipes++;
        this.log(`${n.id} removed: rejoins with an empty disk`);
        continue;
      }
      const l = this.leader();
      if (l === null || !l.raft!.conf.voters.concat(l.raft!.conf.learners).includes(n.id)) continue;
      if (l.raft!.changeMembership({ type: 'remove', id: n.id })) {
        this.log(`${l.id} proposes remove ${n.id} (lost disk)`);
        this.afterStep(l);
      }
    }
  }

  private heal(): void {
    this.faulty = false;
    this.blocked.clear();
    this.log('heal all');
    for (const n of this.nodes.values()) {
      if (n.raft === null && !n.wipePending) n.downUntil = this.now;
      n.pausedUntil = Math.min(n.pausedUntil, this.now);
      n.fs.faults.syncFails = () => false;
      n.fs.faults.capacityBytes = Infinity;
      n.fullUntil = 0;
    }
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
    const key = this.keys[this.rng(this.keys.length)];
    const raft = n.raft;
    this.clientNextAt[c] = this.now + 5 + this.rng(30);
    if (raft === null || !this.ready(n)) {
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
      // Every other command is bytes, as the agent's are: both of the log's ways of keeping data.
      if (!raft.propose(opId % 2 === 0 ? encode(cmd) : cmd)) {
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

/** Entries read back from a disk are new objects: compare their contents (cached per object). */

function snapshotKv(kv: Map<string, string>, at?: Map<string, string>): Uint8Array {
  return enc.encode(JSON.stringify([...(at ?? kv)]));
}

function restoreKv(data: Uint8Array): Map<string, string> {
  if (data.length === 0) return new Map();
  return new Map(JSON.parse(dec.decode(data)) as [string, string][]);
}

/**
 * Flips one bit in acknowledged WAL data (a sealed segment, or the newest one before its last
 * record) or in the snapshot file; returns "file:offset", or null when there is none yet.
 */
async function flipAcknowledgedBit(fs: MemoryFileSystem, rng: RandomSource): Promise<string | null> {
  const walDir = `${DATA_DIR}/wal`;
  const candidates: { path: string; limit: number }[] = [];
  const names = (await fs.readdir(walDir).catch(() => [] as string[])).filter((n) => n.endsWith('.wal'));
  for (let i = 0; i < names.length; i++) {
    const path = `${walDir}/${names[i]}`;
    const buf = await fs.readFile(path);
    candidates.push({ path, limit: i === names.length - 1 ? lastRecordOffset(buf) : buf.length });
  }
  const snap = `${DATA_DIR}/snapshot`;
  const st = await fs.stat(snap);
  if (st !== null) candidates.push({ path: snap, limit: st.size });
  const usable = candidates.filter((c) => c.limit > 0);
  if (usable.length === 0) return null;
  const c = usable[rng(usable.length)];
  const off = rng(c.limit);
  fs.flipBit(c.path, off, rng(8));
  return `${c.path}:${off}`;
}

/**
 * Where the last valid record starts: a flip before it is followed by a valid record, so it
 * must be refused; a flip in the last one (or a torn tail after it) looks like a torn write.
 */
function lastRecordOffset(buf: Uint8Array): number {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  let off = 0;
  let last = 0;
  while (off + 8 <= b.length) {
    const len = b.readUInt32LE(off);
    if (off + 8 + len > b.length || crc32(b.subarray(off + 8, off + 8 + len)) !== b.readUInt32LE(off + 4)) break;
    last = off;
    off += 8 + len;
  }
  return last;
}

/**
 * What a node's storage acknowledged: the log (terms by index after `base`, the snapshot's
 * index) and the hard state, plus the save in flight when it stopped, which may or may not
 * have reached the disk, in whole or in part.
 */
interface DurableModel {
  base: number;
  baseTerm: number;
  terms: number[];
  hs: HardState;
  inflight: PersistBatch | null;
}

function emptyModel(): DurableModel {
  return { base: 0, baseTerm: 0, terms: [], hs: { term: 0, vote: null }, inflight: null };
}

function modelOf(init: RaftInitialState): DurableModel {
  const m = emptyModel();
  m.base = init.snapshot.meta.index;
  m.baseTerm = init.snapshot.meta.term;
  m.terms = init.entries.map((e) => e.term);
  m.hs = { ...init.hardState };
  return m;
}

function applyBatch(m: DurableModel, b: PersistBatch): void {
  m.inflight = null;
  if (b.hardState) m.hs = { ...b.hardState };
  if (b.snapshot) {
    m.base = b.snapshot.meta.index;
    m.baseTerm = b.snapshot.meta.term;
    m.terms = [];
  }
  // A leader's write-behind may reach the disk after a snapshot that covers some of it.
  const ents = b.entries.filter((e) => e.index > m.base);
  if (ents.length > 0) {
    m.terms.length = Math.max(0, ents[0].index - m.base - 1);
    for (const e of ents) m.terms.push(e.term);
  }
}

function compactModel(m: DurableModel, index: number, term: number): void {
  if (index <= m.base) return;
  m.terms = m.terms.slice(index - m.base);
  m.base = index;
  m.baseTerm = term;
}

/** Null when `init` holds everything acknowledged (the batch in flight may replace a suffix). */
function checkRecovery(m: DurableModel, init: RaftInitialState | null): string | null {
  if (m.hs.term === 0 && m.terms.length === 0 && m.base === 0) return null;
  if (init === null) return `a fresh directory, but term ${m.hs.term} and entries up to ${m.base + m.terms.length} were durable`;
  const s = init.snapshot.meta;
  const fl = m.inflight;
  if (init.hardState.term < m.hs.term) return `term ${init.hardState.term} < ${m.hs.term}`;
  if (init.hardState.term === m.hs.term && m.hs.vote !== null && init.hardState.vote !== m.hs.vote) return `vote ${init.hardState.vote} instead of ${m.hs.vote} in term ${m.hs.term}`;
  // The first index the save in flight could have replaced.
  const from = fl === null ? Infinity : fl.snapshot !== null ? 0 : fl.entries.length > 0 ? fl.entries[0].index : Infinity;
  if (s.index < m.base && from > m.base) return `snapshot at ${s.index}, but one at ${m.base} was durable`;
  for (let i = Math.max(m.base, s.index) + 1; i <= m.base + m.terms.length; i++) {
    if (i >= from) break;
    const got = init.entries[i - s.index - 1]?.term;
    if (got !== m.terms[i - m.base - 1]) return `entry ${i}: term ${got} instead of ${m.terms[i - m.base - 1]}`;
  }
  return null;
}
