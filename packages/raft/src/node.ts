// RaftNode: the thin I/O loop around the pure core (etcd-io/raft's node.go). One loop at a
// time: feed queued inputs (ticks, messages, proposals) to the core, then for each Ready:
// persist (one write; committed entries are applied meanwhile) -> send -> advance. A
// leader's Ready is the exception (isWrittenBehind): it sends, applies and advances at
// once while its entries are written behind, in order, those handed over meanwhile together
// in the next write (group commit); the core counts the leader's own copy when the write
// reports back (Raft.persisted). Timers map ticks to milliseconds and catch up after
// event-loop stalls, so the leader lease counts real time.
//
// Storage failures stop the node: it stops acknowledging, emits 'error' once and stops. A
// failed write or fsync is a StorageFailedError naming the file and the error (fail-stop: the
// process should exit). A full disk is a StorageFullError: the partial write was undone and
// nothing acknowledged is at risk, so the caller may open a new node on the same directory
// once space returns (the agent does, serving reads meanwhile). Snapshots are serialized and
// written off the loop; a failure there is only a 'warn' and the snapshot is retried later.

import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { MAX_TICK_CATCH_UP } from './config.js';
import { bootstrapState, joinState, Raft, type ReadMode } from './raft.js';
import type { RandomSource } from './rand.js';
import { DiskStorage } from './storage/disk.js';
import type { FileSystem } from './storage/fs.js';
import type { WalOptions } from './storage/wal.js';
import { ENTRY_OVERHEAD_BYTES, entryBytes } from './entry-size.js';
import type { Transport } from './transport/tcp.js';
import type { ConfChange, Entry, Message, NodeId, ReadState, Ready, Snapshot, StateRole } from './types.js';

/** The replicated state machine behind the log (the agent's catalog). */
export interface StateMachine {
  /** Applies a committed command; the return value resolves the proposer's promise. Deterministic. */
  apply(index: number, command: unknown): unknown;
  /**
   * The whole state as of the last applied index at the moment of the call. It may resolve
   * later (serializing in the background): `apply` goes on meanwhile and must not change it.
   */
  snapshot(): Uint8Array | Promise<Uint8Array>;
  /** Replaces the whole state with a snapshot's bytes. */
  restore(data: Uint8Array): void | Promise<void>;
}

/** Time and timers, injectable so that a simulator can run RaftNode on virtual time. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Runs f soon, after the current I/O callbacks (setImmediate). */
  soon(f: () => void): void;
}

/** The process's real clock. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  soon: (f) => setImmediate(f),
};

export interface RaftNodeOptions {
  id: NodeId;
  dataDir: string;
  stateMachine: StateMachine;
  transport: Transport;
  /** Founding voters of a new cluster (used only when dataDir is empty). Omit to join an existing cluster. */
  bootstrap?: NodeId[];
  /** Milliseconds per tick (default 40: heartbeats every 80 ms, elections after 400-800 ms). */
  tickMs?: number;
  electionTick?: number;
  heartbeatTick?: number;
  readOnly?: 'safe' | 'lease';
  /** Take a snapshot and compact the log after this many applied entries (default 8192). */
  snapshotThreshold?: number;
  /**
   * Consul's raft_snapshot_interval: past the threshold, snapshot at most this often (default
   * 0: at once). Serializing a large state stalls the loop, so a busy server should not do it
   * every few seconds; the log is in memory meanwhile, so `snapshotMaxBytes` bounds it.
   */
  snapshotIntervalMs?: number;
  /**
   * With an interval: snapshot regardless once the entries applied since the last snapshot
   * hold this many bytes in memory (`entryBytes` plus `ENTRY_OVERHEAD_BYTES` each; default 64 MiB).
   */
  snapshotMaxBytes?: number;
  /** Entries kept in memory behind a snapshot for slightly lagging followers (default 1024). */
  trailingLogs?: number;
  /** A proposal or read that is not answered within this time fails, at the next tick (default 10 s). */
  requestTimeoutMs?: number;
  wal?: WalOptions;
  /** The file system under dataDir (default: the real one; `new MemoryFileSystem()` for -dev). */
  fs?: FileSystem;
  random?: RandomSource;
  /** Default: the real clock (a simulator passes a virtual one). */
  clock?: Clock;
}

/**
 * The order every Ready is handled in, shared by RaftNode and the simulator.
 * - A leader's Ready (this function true): hand its entries to the write-behind, then
 *   completeReady at once: send, apply, hand out read states, advance.
 * - Any other: wait for the write-behind, start the persist, apply the committed entries
 *   while it is under way, then completeReady: restore a received snapshot, send, hand out
 *   read states, advance.
 *
 * Committed entries never wait for a write (thesis 10.2.1): the core counts the leader's own
 * copy only once persisted() reports it, so a commit index counts durable copies only and each
 * committed entry is durable on a quorum (a Ready that installs a snapshot carries none). A
 * hard state (term, vote) or a snapshot is durable before any message is sent.
 */
export function isWrittenBehind(raft: Raft, rd: Ready): boolean {
  return raft.role === 'leader' && rd.hardState === null && rd.snapshot === null;
}

export interface ReadyEffects {
  restore(snapshot: Snapshot): void | Promise<void>;
  send(messages: Message[]): void;
  apply(entry: Entry): void;
  readState(rs: ReadState): void;
}

/**
 * The rest of a Ready: of a leader's whose entries are written behind (`writtenBehind`), or of
 * one that is durable and whose committed entries were applied while it was written.
 */
export async function completeReady(raft: Raft, rd: Ready, writtenBehind: boolean, fx: ReadyEffects): Promise<void> {
  if (rd.snapshot) await fx.restore(rd.snapshot);
  if (rd.messages.length > 0) fx.send(rd.messages);
  if (writtenBehind) for (const e of rd.committedEntries) fx.apply(e);
  for (const rs of rd.readStates) fx.readState(rs);
  raft.advance(!writtenBehind);
}

export class NotLeaderError extends Error {
  override name = 'NotLeaderError';
  constructor(readonly leader: NodeId | null) {
    super(leader ? `not the leader (leader is ${leader})` : 'no known leader');
  }
}

export class RaftTimeoutError extends Error {
  override name = 'RaftTimeoutError';
}

export interface RaftPeerStatus {
  id: NodeId;
  voter: boolean;
  /** Leader only: the highest index known to be replicated to this peer. */
  matchIndex?: number;
  /** Leader only: ms since the peer last answered a heartbeat, in whole ticks (0 for the leader); absent until it has this term. */
  lastContactMs?: number;
}

export interface RaftStatus {
  id: NodeId;
  role: StateRole;
  term: number;
  leader: NodeId | null;
  commitIndex: number;
  appliedIndex: number;
  lastIndex: number;
  /** Term of the last entry (of the snapshot when the log is empty). */
  lastTerm: number;
  snapshotIndex: number;
  snapshotTerm: number;
  /** Milliseconds since the last contact with the leader, tick resolution (X-Consul-LastContact); 0 on the leader. */
  lastContactMs: number;
  peers: RaftPeerStatus[];
}

interface PendingProposal {
  index: number;
  term: number;
  resolve: (r: { index: number; result: unknown }) => void;
  reject: (e: Error) => void;
  /** Clock time after which it fails with RaftTimeoutError (see expireRequests). */
  deadline: number;
}

interface PendingRead {
  index: number | null;
  /** The leader term the core accepted the read in (undefined until it did). */
  term?: number;
  resolve: (index: number) => void;
  reject: (e: Error) => void;
  deadline: number;
}

export class RaftNode extends EventEmitter {
  readonly id: NodeId;
  private raft: Raft;
  private storage: DiskStorage;
  private readonly sm: StateMachine;
  private readonly transport: Transport;
  private readonly tickMs: number;
  private readonly snapshotThreshold: number;
  private readonly trailingLogs: number;
  private readonly requestTimeoutMs: number;
  private inbox: Message[] = [];
  private proposals: { command: unknown; resolve: PendingProposal['resolve']; reject: PendingProposal['reject'] }[] = [];
  private controls: (() => void)[] = [];
  private pending = new Map<number, PendingProposal>();
  private reads = new Map<string, PendingRead>();
  private readSeq = 0;
  private running = false;
  private stopped = false;
  private timer: unknown = null;
  private readonly clock: Clock;
  private startMs = 0;
  private ticksDone = 0;
  private loopError: Error | null = null;
  /** A leader's entries handed over while its write-behind is under way: they go in the next write. */
  private queued: Entry[] = [];
  /** The leader's write-behind, while it runs. */
  private writing: Promise<void> | null = null;
  /** Background write of a local snapshot (one at a time). */
  private snapshotTask: Promise<void> | null = null;
  private durableSnapshotIndex = 0;
  private snapshotRetryAt = 0;
  private readonly snapshotIntervalMs: number;
  private readonly snapshotMaxBytes: number;
  /** Memory held by the entries applied and not yet compacted into a snapshot. */
  private appliedBytes = 0;
  /** With an interval: the earliest time of the next snapshot below the byte cap. */
  private nextSnapshotAt = 0;

  private constructor(opts: RaftNodeOptions, raft: Raft, storage: DiskStorage) {
    super();
    this.id = opts.id;
    this.raft = raft;
    this.storage = storage;
    this.sm = opts.stateMachine;
    this.transport = opts.transport;
    this.tickMs = opts.tickMs ?? 40;
    this.snapshotThreshold = opts.snapshotThreshold ?? 8192;
    this.snapshotIntervalMs = opts.snapshotIntervalMs ?? 0;
    this.snapshotMaxBytes = opts.snapshotMaxBytes ?? 64 * 1024 * 1024;
    this.trailingLogs = opts.trailingLogs ?? 1024;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.clock = opts.clock ?? realClock;
  }

  /** Opens the data directory (recovering or bootstrapping), restores the snapshot, starts ticking. */
  static async start(opts: RaftNodeOptions): Promise<RaftNode> {
    const storage = await DiskStorage.open(opts.dataDir, { ...opts.wal, fs: opts.fs ?? opts.wal?.fs });
    let init = storage.initialState();
    if (init === null) {
      init = opts.bootstrap && opts.bootstrap.length > 0 ? bootstrapState(opts.bootstrap) : joinState();
      await storage.saveInitial(init);
    }
    if (init.snapshot.data.length > 0) await opts.stateMachine.restore(init.snapshot.data);
    const raft = new Raft(
      {
        id: opts.id,
        electionTick: opts.electionTick ?? 10,
        heartbeatTick: opts.heartbeatTick ?? 2,
        readOnly: opts.readOnly ?? 'lease',
        random: opts.random ?? ((n: number) => randomInt(n)),
      },
      init,
    );
    const node = new RaftNode(opts, raft, storage);
    node.durableSnapshotIndex = init.snapshot.meta.index;
    opts.transport.setHandler((m) => node.receive(m));
    node.startMs = node.clock.now();
    node.nextSnapshotAt = node.startMs + node.snapshotIntervalMs;
    node.armTimer();
    // A lone founding voter need not wait an election timeout.
    if (opts.bootstrap?.length === 1 && opts.bootstrap[0] === opts.id) node.control(() => raft.campaign());
    return node;
  }

  /** Replicates a command; resolves with its index and the state machine's result once applied here. */
  propose(command: unknown): Promise<{ index: number; result: unknown }> {
    if (this.stopped) return Promise.reject(this.loopError ?? new Error('raft node stopped'));
    return new Promise((resolve, reject) => {
      this.proposals.push({ command, resolve, reject });
      this.kick();
    });
  }

  /**
   * A read point: resolves (with the index) once this node has applied it. `'safe'` (Consul's
   * `?consistent`) confirms leadership with a heartbeat round; `'lease'` (default reads) uses
   * the leader lease while it holds. Defaults to the node's `readOnly` option.
   */
  readIndex(mode?: ReadMode): Promise<number> {
    if (this.stopped) return Promise.reject(this.loopError ?? new Error('raft node stopped'));
    return new Promise((resolve, reject) => {
      const ctx = `${this.id}:${++this.readSeq}`;
      this.reads.set(ctx, { index: null, resolve, reject, deadline: this.clock.now() + this.requestTimeoutMs });
      this.control(() => {
        this.catchUpTicks();
        if (!this.raft.readIndex(ctx, mode)) this.failRead(ctx, new NotLeaderError(this.raft.lead));
        else {
          const r = this.reads.get(ctx);
          if (r) r.term = this.raft.term;
        }
      });
    });
  }

  /** One membership change at a time; resolves once the change is applied here. */
  changeMembership(cc: ConfChange): Promise<{ index: number }> {
    return new Promise((resolve, reject) => {
      this.control(() => {
        if (this.raft.role !== 'leader') return reject(new NotLeaderError(this.raft.lead));
        if (!this.raft.changeMembership(cc)) return reject(new Error(`membership change ${cc.type} ${cc.id} refused (another change pending or invalid)`));
        this.track(this.raft.log.lastIndex(), this.raft.term, (r) => resolve({ index: r.index }), reject);
      });
    });
  }

  /** Hands leadership to `to` (graceful leave). False when not leader or `to` is not a voter. */
  transferLeadership(to: NodeId): Promise<boolean> {
    return new Promise((resolve) => this.control(() => resolve(this.raft.transferLeadership(to))));
  }

  isLeader(): boolean {
    return this.raft.role === 'leader';
  }

  leader(): NodeId | null {
    return this.raft.lead;
  }

  /** ms since this node last heard from a leader, in whole ticks (0 on the leader). */
  lastContactMs(): number {
    return this.raft.leaderContactTicks() * this.tickMs;
  }

  status(): RaftStatus {
    const r = this.raft;
    const peers: RaftPeerStatus[] = [
      ...r.conf.voters.map((id) => ({ id, voter: true })),
      ...r.conf.learners.map((id) => ({ id, voter: false })),
    ];
    if (r.role === 'leader') {
      for (const p of peers) {
        p.matchIndex = r.prs.get(p.id)?.match ?? 0;
        const ticks = r.followerContactTicks(p.id);
        if (ticks !== undefined) p.lastContactMs = ticks * this.tickMs;
      }
    }
    return {
      id: this.id,
      role: r.role,
      term: r.term,
      leader: r.lead,
      commitIndex: r.log.committed,
      appliedIndex: r.log.applied,
      lastIndex: r.log.lastIndex(),
      lastTerm: r.log.lastTerm(),
      snapshotIndex: r.log.snapshot.meta.index,
      snapshotTerm: r.log.snapshot.meta.term,
      lastContactMs: this.lastContactMs(),
      peers,
    };
  }

  /** The term of the entry at `index` (the snapshot's at its index), or undefined once compacted away or beyond the end. */
  termAt(index: number): number | undefined {
    return this.raft.log.term(index);
  }

  /** WAL fsyncs so far (benchmarks). */
  fsyncCount(): number {
    return this.storage.wal.fsyncs;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    const err = this.loopError ?? new Error('raft node stopped');
    for (const p of this.proposals) p.reject(err);
    this.proposals = [];
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const [ctx] of this.reads) this.failRead(ctx, err);
    for (let i = 0; i < 500 && this.running; i++) await new Promise((r) => this.clock.setTimeout(() => r(undefined), 2));
    await this.writing;
    await this.snapshotTask;
    await this.storage.close();
  }

  // ---------------------------------------------------------------- loop

  private receive(m: Message): void {
    if (this.stopped) return;
    this.inbox.push(m);
    this.kick();
  }

  private control(f: () => void): void {
    this.controls.push(f);
    this.kick();
  }

  private onTimer(): void {
    // Not through the loop: a request times out even while the loop waits on a stuck disk.
    this.expireRequests();
    this.control(() => this.catchUpTicks());
  }

  /**
   * Proposals and reads older than requestTimeoutMs fail, checked every tick. One timer per
   * request instead was, per write, a Node `Timeout` and a closure that V8 promoted to the old
   * generation: a fifth of what a write promoted at 64 connections (docs/PERFORMANCE.md, kv-single).
   */
  private expireRequests(): void {
    const now = this.clock.now();
    for (const [i, p] of this.pending) {
      if (p.deadline > now) continue;
      this.pending.delete(i);
      p.reject(new RaftTimeoutError(`entry ${i} not applied in time`));
    }
    for (const [ctx, r] of this.reads) if (r.deadline <= now) this.failRead(ctx, new RaftTimeoutError('read index timed out'));
  }

  /** One timer per tick (an interval made of timeouts, so any Clock can drive it). */
  private armTimer(): void {
    this.timer = this.clock.setTimeout(() => {
      if (this.stopped) return;
      this.armTimer();
      this.onTimer();
    }, this.tickMs);
  }

  /** Ticks as many times as real time says: a stalled loop must not stretch the leader lease. */
  private catchUpTicks(): void {
    const due = Math.floor((this.clock.now() - this.startMs) / this.tickMs);
    let n = due - this.ticksDone;
    this.ticksDone = due;
    if (n > MAX_TICK_CATCH_UP) n = MAX_TICK_CATCH_UP;
    for (let i = 0; i < n; i++) this.raft.tick();
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.clock.soon(() => {
      this.loop()
        .catch((e: Error) => this.fail(e))
        .finally(() => {
          this.running = false;
          if (!this.stopped && (this.inbox.length > 0 || this.controls.length > 0 || this.proposals.length > 0)) this.kick();
        });
    });
  }

  /** A storage failure leaves the node unable to make progress safely: stop it. */
  private fail(e: Error): void {
    // After stop() the loop may fail on the closed storage: that is no news.
    if (this.stopped) return;
    this.loopError = e;
    try {
      if (this.listenerCount('error') > 0) this.emit('error', e);
    } finally {
      this.stop().catch(() => {});
    }
  }

  private async loop(): Promise<void> {
    for (let round = 0; round < 1000 && !this.stopped; round++) {
      this.drainInputs();
      if (!this.raft.hasReady()) return;
      const rd = this.raft.ready();
      const behind = isWrittenBehind(this.raft, rd);
      if (behind) this.writeBehind(rd.entries);
      else {
        if (this.writing) await this.writing;
        // Committed entries are applied while the write is under way (in the thread pool): a
        // follower acknowledges entry N without first spending the CPU that applying N-1 takes.
        const saved = this.storage.save({ hardState: rd.hardState, snapshot: rd.snapshot, entries: rd.entries });
        saved.catch(() => {}); // awaited below; handled even if applying throws first
        for (const e of rd.committedEntries) this.applyEntry(e);
        await saved;
      }
      await completeReady(this.raft, rd, behind, {
        restore: async (snap) => {
          this.durableSnapshotIndex = Math.max(this.durableSnapshotIndex, snap.meta.index);
          this.appliedBytes = 0;
          await this.sm.restore(snap.data);
          this.forgetCoveredBy(snap.meta.index);
        },
        send: (msgs) => this.transport.send(msgs),
        apply: (e) => this.applyEntry(e),
        readState: (rs) => {
          const r = this.reads.get(rs.context);
          if (r) r.index = rs.index;
        },
      });
      this.serveReads();
      if (rd.softState) {
        // Unanswered reads died with the old leadership (the core drops them): fail them now.
        // A read accepted by this very leadership (the Ready reporting it can come after the
        // read, e.g. a barrier issued as soon as isLeader() turned true) is still pending.
        const current = (r: PendingRead): boolean => r.term === this.raft.term && this.raft.role === 'leader';
        for (const [ctx, r] of this.reads) if (r.index === null && r.term !== undefined && !current(r)) this.failRead(ctx, new NotLeaderError(rd.softState.leader));
        this.emit('leader', rd.softState.leader, rd.softState.role);
      }
      this.maybeSnapshot();
    }
  }

  /**
   * A leader's entries, written in order behind its Ready; entries handed over during a write
   * go together in the next one (one fsync). Each write reports back to the core through the
   * loop. A failed write stops the node, and nothing after it is written.
   */
  private writeBehind(entries: Entry[]): void {
    for (const e of entries) this.queued.push(e);
    if (this.writing === null && this.queued.length > 0 && !this.stopped) this.writing = this.drainWrites();
  }

  private async drainWrites(): Promise<void> {
    try {
      while (this.queued.length > 0 && !this.stopped) {
        const batch = this.queued;
        this.queued = [];
        await this.storage.save({ hardState: null, snapshot: null, entries: batch });
        const last = batch[batch.length - 1];
        this.control(() => this.raft.persisted(last.index, last.term));
      }
    } catch (e) {
      this.queued = [];
      this.fail(e as Error);
    } finally {
      // In the same step as the last look at the queue: entries handed over after it start a new writer.
      this.writing = null;
    }
  }

  private drainInputs(): void {
    for (const f of this.controls.splice(0)) f();
    for (const m of this.inbox.splice(0)) this.raft.step(m);
    if (this.proposals.length === 0) return;
    const batch = this.proposals.splice(0);
    let accepted: boolean;
    try {
      accepted = this.raft.proposeBatch(batch.map((p) => p.command));
    } catch (err) {
      // Too many bytes uncommitted (ProposalDroppedError): refuse this batch, keep the node.
      for (const p of batch) p.reject(err as Error);
      return;
    }
    if (!accepted) {
      const err = new NotLeaderError(this.raft.role === 'leader' ? null : this.raft.lead);
      for (const p of batch) p.reject(err);
      return;
    }
    const last = this.raft.log.lastIndex();
    const first = last - batch.length + 1;
    batch.forEach((p, i) => this.track(first + i, this.raft.term, p.resolve, p.reject));
  }

  private track(index: number, term: number, resolve: PendingProposal['resolve'], reject: PendingProposal['reject']): void {
    this.pending.set(index, { index, term, resolve, reject, deadline: this.clock.now() + this.requestTimeoutMs });
  }

  private applyEntry(e: Entry): void {
    this.appliedBytes += entryBytes(e) + ENTRY_OVERHEAD_BYTES;
    let result: unknown = undefined;
    let error: Error | null = null;
    if (e.type === 'normal') {
      try {
        result = this.sm.apply(e.index, e.data);
      } catch (err) {
        error = err as Error;
      }
    }
    const p = this.pending.get(e.index);
    if (!p) return;
    this.pending.delete(e.index);
    if (p.term !== e.term) p.reject(new NotLeaderError(this.raft.lead));
    else if (error) p.reject(error);
    else p.resolve({ index: e.index, result });
  }

  /** Proposals inside an installed snapshot will never be applied here: their outcome is unknown. */
  private forgetCoveredBy(index: number): void {
    for (const [i, p] of this.pending) {
      if (i > index) continue;
      this.pending.delete(i);
      p.reject(new RaftTimeoutError(`entry ${i} was superseded by a snapshot; outcome unknown`));
    }
  }

  private serveReads(): void {
    const applied = this.raft.log.applied;
    for (const [ctx, r] of this.reads) {
      if (r.index !== null && r.index <= applied) {
        this.reads.delete(ctx);
        r.resolve(r.index);
      }
    }
  }

  private failRead(ctx: string, e: Error): void {
    const r = this.reads.get(ctx);
    if (!r) return;
    this.reads.delete(ctx);
    r.reject(e);
  }

  /**
   * Takes a snapshot once `snapshotThreshold` entries were applied since the last durable one,
   * entirely off the loop: the state machine captures its state at the applied index at once
   * and serializes it in the background while the loop goes on persisting and applying; the
   * log is compacted (on the loop, the one place that changes the core) once the bytes are
   * there, then the file is written in the background. Until the file is durable the WAL keeps
   * every entry, so a failure at any step loses nothing: it is reported ('warn') and retried
   * after a pause. One snapshot at a time.
   */
  private maybeSnapshot(): void {
    const applied = this.raft.log.applied;
    const waiting = applied - this.durableSnapshotIndex;
    if (this.snapshotTask !== null || waiting < this.snapshotThreshold) return;
    if (this.raft.log.pendingSnapshot !== null || this.clock.now() < this.snapshotRetryAt) return;
    if (this.appliedBytes < this.snapshotMaxBytes && this.clock.now() < this.nextSnapshotAt) return;
    this.nextSnapshotAt = this.clock.now() + this.snapshotIntervalMs;
    // Taken before but not yet durable (its write failed): write it again.
    if (applied <= this.raft.log.snapshot.meta.index) return this.writeSnapshot(this.raft.log.snapshot);
    let state: Uint8Array | Promise<Uint8Array>;
    try {
      state = this.sm.snapshot();
    } catch (e) {
      return this.snapshotFailed(`raft snapshot at index ${applied} not taken`, e as Error);
    }
    const bytes = this.appliedBytes;
    this.snapshotTask = Promise.resolve(state).then(
      (data) => this.control(() => this.compactTo(applied, data, bytes)),
      (e: Error) => this.snapshotFailed(`raft snapshot at index ${applied} not taken`, e),
    );
  }

  /**
   * On the loop: the log up to `index` becomes the snapshot `data`, which is then written;
   * `bytes` is what the entries it covers held.
   */
  private compactTo(index: number, data: Uint8Array, bytes: number): void {
    // A leader's snapshot installed meanwhile covers this one.
    if (index <= this.raft.log.snapshot.meta.index || this.raft.log.pendingSnapshot !== null) {
      this.snapshotTask = null;
      return;
    }
    this.appliedBytes = Math.max(0, this.appliedBytes - bytes);
    this.writeSnapshot(this.raft.compact(index, data, this.trailingLogs));
  }

  private writeSnapshot(snap: Snapshot): void {
    this.snapshotTask = this.storage.saveSnapshot(snap).then(
      () => {
        this.durableSnapshotIndex = Math.max(this.durableSnapshotIndex, snap.meta.index);
        this.snapshotTask = null;
      },
      (e: Error) => this.snapshotFailed(`raft snapshot at index ${snap.meta.index} not written`, e),
    );
  }

  private snapshotFailed(what: string, e: Error): void {
    this.snapshotTask = null;
    this.snapshotRetryAt = this.clock.now() + 5000;
    this.emit('warn', new Error(`${what} (retrying in 5 s): ${e.message}`, { cause: e }));
  }

  /** The error that stopped the loop, if any. */
  failure(): Error | null {
    return this.loopError;
  }
}
