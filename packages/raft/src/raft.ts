// The Raft core: a deterministic state machine in the manner of etcd-io/raft. Inputs are
// tick(), step(), propose(), readIndex(), transferLeadership() and changeMembership();
// the caller drains ready(), persists, sends, applies, then calls advance().
// No I/O, no clock, no Math.random: the same inputs always give the same outputs.

import { resolveConfig, type RaftConfig, type ResolvedConfig } from './config.js';
import { entriesBytes } from './entry-size.js';
import { confCopy, RaftLog } from './log.js';
import { Progress } from './progress.js';
import { committedIndex, majority, quorumValue, voteResult } from './quorum.js';
import type {
  ConfChange,
  ConfState,
  Entry,
  HardState,
  Message,
  NodeId,
  ReadState,
  Ready,
  Snapshot,
  SoftState,
  StateRole,
} from './types.js';

/** What a node starts from: its durable state (empty for a new node). */
export interface RaftInitialState {
  hardState: HardState;
  /** The newest snapshot; for a new cluster, index 0 with the bootstrap configuration. */
  snapshot: Snapshot;
  /** Durable entries after the snapshot. */
  entries: Entry[];
}

/** 'lease': answered from the leader lease while it holds (else as 'safe'); 'safe': a heartbeat round confirms leadership. */
export type ReadMode = 'safe' | 'lease';

interface PendingRead {
  /** Key echoed in heartbeats: `${requester}\u0000${context}`. */
  key: string;
  index: number;
  from: NodeId;
  context: string;
  acks: Set<NodeId>;
}

interface SnapshotReceive {
  index: number;
  term: number;
  chunks: Uint8Array[];
  bytes: number;
}

const NO_LEASE = -Infinity;

/**
 * A proposal refused because the leader already holds maxUncommittedEntriesSize bytes of
 * uncommitted entries (etcd's ErrProposalDropped): retry later, after commits catch up.
 */
export class ProposalDroppedError extends Error {
  override name = 'ProposalDroppedError';
}

export function emptySnapshot(conf: ConfState): Snapshot {
  return { meta: { index: 0, term: 0, conf: confCopy(conf) }, data: new Uint8Array(0) };
}

/**
 * The initial state of a node of a new cluster. The first voters are written as `addVoter`
 * entries at term 1 (as etcd does), identical on every founding member, so a node that joins
 * later learns the whole configuration from the log. A joining node starts from `joinState()`.
 */
export function bootstrapState(voters: NodeId[]): RaftInitialState {
  return {
    hardState: { term: 1, vote: null },
    snapshot: emptySnapshot({ voters: [], learners: [] }),
    entries: voters.map((id, i) => ({ index: i + 1, term: 1, type: 'conf' as const, data: { type: 'addVoter', id } })),
  };
}

/** The initial state of a node that will be added to an existing cluster. */
export function joinState(): RaftInitialState {
  return { hardState: { term: 0, vote: null }, snapshot: emptySnapshot({ voters: [], learners: [] }), entries: [] };
}

export class Raft {
  readonly id: NodeId;
  readonly cfg: ResolvedConfig;
  term: number;
  vote: NodeId | null;
  lead: NodeId | null = null;
  role: StateRole = 'follower';
  readonly log: RaftLog;
  conf: ConfState;
  /** Progress of every member (voters and learners), including this node when it is a member. */
  prs = new Map<NodeId, Progress>();

  private votes = new Map<NodeId, boolean>();
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  /** Ticks since a leader was last heard (or since start): votes are refused while < electionTick. */
  private leaderContactAge = 0;
  /** Monotonic tick counter (lease arithmetic). */
  private tickCount = 0;
  private leadTransferee: NodeId | null = null;
  private transferElapsed = 0;
  /** Leader: bytes of entries appended in this term and not yet committed (etcd's uncommittedSize). */
  private uncommittedBytes = 0;
  /** A term in which this leader sent TimeoutNow: its lease is void for the rest of the term. */
  private leaseVoidTerm = -1;
  /** Index of the newest conf entry appended by this leader (one change at a time). */
  private pendingConfIndex = 0;
  /** Conf entries in the log after the snapshot, ascending by index. */
  private confEntries: Entry[] = [];
  private readQueue: PendingRead[] = [];
  /** ReadIndex requests waiting for this leader to commit an entry of its term. */
  private readWaiting: { from: NodeId; context: string; mode: ReadMode }[] = [];
  private snapReceive: SnapshotReceive | null = null;

  private msgs: Message[] = [];
  private readStates: ReadState[] = [];
  private prevSoft: SoftState;
  private prevHard: HardState;
  private inFlight: Ready | null = null;

  constructor(config: RaftConfig, init: RaftInitialState) {
    this.cfg = resolveConfig(config);
    this.id = this.cfg.id;
    this.term = init.hardState.term;
    this.vote = init.hardState.vote;
    this.log = new RaftLog(init.snapshot, init.entries);
    this.conf = confCopy(init.snapshot.meta.conf);
    for (let i = this.log.snapshot.meta.index + 1; i <= this.log.lastIndex(); i++) {
      if (this.log.entryType(i) === 'conf') this.confEntries.push(this.log.entry(i)!);
    }
    this.rebuildConf();
    this.prevSoft = { leader: null, role: 'follower' };
    this.prevHard = { term: this.term, vote: this.vote };
    this.resetRandomizedElectionTimeout();
  }

  // ---------------------------------------------------------------- inputs

  /** One unit of logical time. */
  tick(): void {
    this.tickCount++;
    this.leaderContactAge++;
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  /**
   * Appends a command; false when this node is not a leader that accepts proposals. Throws
   * ProposalDroppedError when too many bytes are uncommitted (see maxUncommittedEntriesSize).
   */
  propose(data: unknown): boolean {
    return this.proposeBatch([data]);
  }

  /** Proposes many commands as one batch (one append message, one fsync); as propose(). */
  proposeBatch(data: unknown[]): boolean {
    if (this.role !== 'leader' || this.leadTransferee !== null) return false;
    const ents = data.map((d) => ({ index: 0, term: 0, type: 'normal' as const, data: d }));
    const bytes = entriesBytes(ents);
    // etcd: a proposal is always accepted when nothing is uncommitted, so any one command fits.
    if (this.uncommittedBytes > 0 && this.uncommittedBytes + bytes > this.cfg.maxUncommittedEntriesSize) {
      throw new ProposalDroppedError(
        `proposal dropped: ${this.uncommittedBytes} bytes uncommitted, limit ${this.cfg.maxUncommittedEntriesSize} (maxUncommittedEntriesSize)`,
      );
    }
    this.appendEntries(ents);
    return true;
  }

  /**
   * Proposes one membership change. Refused (false) unless this node leads, the previous
   * change is committed and an entry of this term is committed (Raft thesis 4.1 fix).
   */
  changeMembership(cc: ConfChange): boolean {
    if (this.role !== 'leader' || this.leadTransferee !== null) return false;
    if (this.pendingConfIndex > this.log.committed) return false;
    if (this.log.term(this.log.committed) !== this.term) return false;
    const isVoter = this.conf.voters.includes(cc.id);
    const isLearner = this.conf.learners.includes(cc.id);
    switch (cc.type) {
      case 'addVoter':
        if (isVoter) return false;
        break;
      case 'addLearner':
        if (isVoter || isLearner) return false;
        break;
      case 'promote':
        if (!isLearner) return false;
        break;
      case 'remove':
        if (!isVoter && !isLearner) return false;
        if (isVoter && this.conf.voters.length === 1) return false;
        break;
    }
    this.appendEntries([{ index: 0, term: 0, type: 'conf', data: { type: cc.type, id: cc.id } }]);
    this.pendingConfIndex = this.log.lastIndex();
    return true;
  }

  /**
   * Requests a linearizable read point. The answer arrives as a ReadState in ready() once
   * leadership is confirmed (a heartbeat quorum, or the lease). False without a known leader.
   */
  readIndex(context: string, mode: ReadMode = this.cfg.readOnly): boolean {
    if (this.role === 'leader') {
      this.handleReadIndex(this.id, context, this.clampReadMode(mode));
      return true;
    }
    if (this.lead === null) return false;
    const m: Omit<Message, 'from'> = { type: 'readIndex', to: this.lead, term: 0, context };
    if (mode === 'lease') m.lease = true;
    this.send(m);
    return true;
  }

  /** Leadership transfer (thesis 3.10): catch the target up, then tell it to campaign now. */
  transferLeadership(to: NodeId): boolean {
    if (this.role !== 'leader' || to === this.id || !this.conf.voters.includes(to)) return false;
    if (this.leadTransferee === to) return true;
    this.leadTransferee = to;
    this.transferElapsed = 0;
    const pr = this.prs.get(to)!;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else this.sendAppend(to, true);
    return true;
  }

  /** Starts an election at once (used to bootstrap a single node quickly; also by tests). */
  campaign(): void {
    if (this.role !== 'leader' && this.promotable()) this.hup(false);
  }

  step(m: Message): void {
    if (m.to !== this.id) return;
    if (m.term > this.term) {
      if ((m.type === 'vote' || m.type === 'preVote') && !m.force && this.inLease()) return;
      if (m.type === 'preVote' || (m.type === 'preVoteResp' && !m.reject)) {
        // Pre-votes never change terms; a granted pre-vote carries the future term.
      } else {
        const lead = m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap' ? m.from : null;
        this.becomeFollower(m.term, lead);
      }
    } else if (m.term < this.term && m.type !== 'readIndex' && m.type !== 'readIndexResp') {
      if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {
        // A stale leader: tell it our term so it steps down (needed with check-quorum/pre-vote).
        this.send({ type: 'appResp', to: m.from, term: this.term });
      } else if (m.type === 'preVote') {
        this.send({ type: 'preVoteResp', to: m.from, term: this.term, reject: true });
      }
      return;
    }

    if (m.type === 'vote' || m.type === 'preVote') {
      this.handleVoteRequest(m);
      return;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(m);
        break;
      case 'preCandidate':
      case 'candidate':
        this.stepCandidate(m);
        break;
      case 'follower':
        this.stepFollower(m);
        break;
    }
  }

  /**
   * Builds a snapshot of the applied state at `index` and drops the log before it, keeping the
   * last `trailing` entries in memory for followers that are only slightly behind.
   */
  compact(index: number, data: Uint8Array, trailing = 0): Snapshot {
    if (index > this.log.applied) throw new Error(`compact(${index}) beyond applied ${this.log.applied}`);
    const term = this.log.term(index);
    if (term === undefined) throw new Error(`compact(${index}): entry not in log`);
    const snap: Snapshot = { meta: { index, term, conf: this.confAt(index) }, data };
    this.log.compact(snap, trailing);
    this.confEntries = this.confEntries.filter((e) => e.index > index);
    return snap;
  }

  // ---------------------------------------------------------------- outputs

  hasReady(): boolean {
    return (
      this.msgs.length > 0 ||
      this.readStates.length > 0 ||
      this.log.pendingSnapshot !== null ||
      this.log.stableIndex < this.log.lastIndex() ||
      (this.log.pendingSnapshot === null && this.log.applied < this.log.committed) ||
      this.term !== this.prevHard.term ||
      this.vote !== this.prevHard.vote ||
      this.lead !== this.prevSoft.leader ||
      this.role !== this.prevSoft.role
    );
  }

  /** The work to do; the caller must call advance() before the next ready() or step(). */
  ready(): Ready {
    const soft: SoftState = { leader: this.lead, role: this.role };
    const hard: HardState = { term: this.term, vote: this.vote };
    const rd: Ready = {
      softState: soft.leader !== this.prevSoft.leader || soft.role !== this.prevSoft.role ? soft : null,
      hardState: hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote ? hard : null,
      entries: this.log.unstableEntries(),
      snapshot: this.log.pendingSnapshot,
      messages: this.msgs,
      committedEntries: this.log.nextCommitted(this.cfg.maxApplyPerReady),
      readStates: this.readStates,
    };
    this.msgs = [];
    this.readStates = [];
    this.inFlight = rd;
    return rd;
  }

  /**
   * The Ready is handled. Its entries are durable, unless `written` is false: a leader's
   * Ready whose write goes on in the background (RaftNode's write-behind, thesis 10.2.1);
   * its own copy of them then counts toward commitment only once persisted() reports them.
   */
  advance(written = true): void {
    const rd = this.inFlight;
    if (rd === null) return;
    this.inFlight = null;
    if (rd.softState) this.prevSoft = rd.softState;
    if (rd.hardState) this.prevHard = rd.hardState;
    if (rd.snapshot !== null && this.log.pendingSnapshot === rd.snapshot) {
      this.log.pendingSnapshot = null;
      this.log.applied = Math.max(this.log.applied, rd.snapshot.meta.index);
    }
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1];
      this.log.stableTo(last.index, last.term);
      if (written) this.persisted(last.index, last.term);
    }
    if (rd.committedEntries.length > 0) {
      this.log.appliedTo(rd.committedEntries[rd.committedEntries.length - 1].index);
    }
  }

  /**
   * This node's log up to the entry (index, term) is durable (its writes complete in order).
   * A leader counts its own copy only from here (etcd-io/raft's self-acknowledgement after
   * the append is written): a quorum of followers may commit an entry before the leader's
   * own write ends, and no commit ever counts a copy that a crash could still lose.
   */
  persisted(index: number, term: number): void {
    if (this.role !== 'leader' || this.log.term(index) !== term) return;
    const self = this.prs.get(this.id);
    if (self?.maybeUpdate(index) && this.maybeCommit()) this.bcastAppend();
  }

  // ---------------------------------------------------------------- status

  leaseValid(): boolean {
    if (this.role !== 'leader' || !this.cfg.checkQuorum || this.leadTransferee !== null) return false;
    if (this.leaseVoidTerm === this.term) return false;
    const voters = this.conf.voters;
    if (voters.length === 0) return false;
    const quorumTick = quorumValue(voters.map((v) => (v === this.id ? this.tickCount : (this.prs.get(v)?.leaseTick ?? NO_LEASE))));
    return this.tickCount - quorumTick < this.cfg.leaseTick;
  }

  /** The configuration after the entry at `index` (latest conf entry at or before it). */
  confAt(index: number): ConfState {
    let c = confCopy(this.log.snapshot.meta.conf);
    for (const e of this.confEntries) {
      if (e.index > index) break;
      c = applyConfChange(c, e.data as ConfChange);
    }
    return c;
  }

  /** Ticks since this node last heard from a leader (0 on the leader itself). */
  leaderContactTicks(): number {
    return this.role === 'leader' ? 0 : this.leaderContactAge;
  }

  /**
   * Leader only: ticks since `id` last acknowledged a heartbeat (counted from when that
   * heartbeat was sent; 0 for the leader itself), undefined if it has not this term.
   */
  followerContactTicks(id: NodeId): number | undefined {
    if (this.role !== 'leader') return undefined;
    if (id === this.id) return 0;
    const sent = this.prs.get(id)?.leaseTick ?? NO_LEASE;
    return sent === NO_LEASE ? undefined : this.tickCount - sent;
  }

  leadTransferTarget(): NodeId | null {
    return this.leadTransferee;
  }

  // ---------------------------------------------------------------- roles

  private becomeFollower(term: number, lead: NodeId | null): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = null;
    }
    this.role = 'follower';
    this.lead = lead;
    this.resetCommon();
  }

  private becomePreCandidate(): void {
    this.role = 'preCandidate';
    this.lead = null;
    this.votes = new Map();
    this.electionElapsed = 0;
    this.resetRandomizedElectionTimeout();
  }

  private becomeCandidate(): void {
    this.term++;
    this.vote = this.id;
    this.role = 'candidate';
    this.lead = null;
    this.resetCommon();
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.lead = this.id;
    this.resetCommon();
    const last = this.log.lastIndex();
    for (const pr of this.prs.values()) {
      pr.next = last + 1;
      pr.match = 0;
      pr.state = 'probe';
      pr.probeSent = false;
      pr.clearInflight();
      pr.recentActive = true;
      pr.leaseTick = NO_LEASE;
    }
    this.pendingConfIndex = last;
    this.uncommittedBytes = 0;
    // Thesis 6.4: an empty entry of the new term commits everything before it.
    this.appendEntries([{ index: 0, term: 0, type: 'noop', data: null }]);
  }

  private resetCommon(): void {
    this.votes = new Map();
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.leadTransferee = null;
    this.readQueue = [];
    this.readWaiting = [];
    this.resetRandomizedElectionTimeout();
  }

  private resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.cfg.electionTick + this.cfg.random(this.cfg.electionTick);
  }

  private promotable(): boolean {
    return this.conf.voters.includes(this.id) && this.log.pendingSnapshot === null;
  }

  /** Check-quorum lease: recently heard a leader (or just started), so refuse to help depose it. */
  private inLease(): boolean {
    if (!this.cfg.checkQuorum) return false;
    if (this.role === 'leader') return true;
    return this.leaderContactAge < this.cfg.electionTick;
  }

  // ---------------------------------------------------------------- ticks

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTick) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) {
        if (!this.quorumActive()) {
          this.becomeFollower(this.term, null);
          return;
        }
        for (const [id, pr] of this.prs) pr.recentActive = id === this.id;
      }
    }
    // A transfer gets a full election timeout of its own (counted from its start, not from the
    // check-quorum round), then is abandoned and proposals are accepted again.
    if (this.leadTransferee !== null && ++this.transferElapsed >= this.cfg.electionTick) this.leadTransferee = null;
    if (this.heartbeatElapsed >= this.cfg.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(undefined);
    }
  }

  private quorumActive(): boolean {
    let active = 0;
    for (const v of this.conf.voters) {
      if (v === this.id || this.prs.get(v)?.recentActive) active++;
    }
    return active >= majority(this.conf.voters.length);
  }

  // ---------------------------------------------------------------- elections

  private hup(transfer: boolean): void {
    if (this.cfg.preVote && !transfer) this.campaignPre();
    else this.campaignElection(transfer);
  }

  private campaignPre(): void {
    this.becomePreCandidate();
    this.votes.set(this.id, true);
    if (voteResult(this.conf.voters, this.votes) === 'won') {
      this.campaignElection(false);
      return;
    }
    for (const v of this.conf.voters) {
      if (v === this.id) continue;
      this.send({ type: 'preVote', to: v, term: this.term + 1, index: this.log.lastIndex(), logTerm: this.log.lastTerm() });
    }
  }

  private campaignElection(transfer: boolean): void {
    this.becomeCandidate();
    this.votes.set(this.id, true);
    if (voteResult(this.conf.voters, this.votes) === 'won') {
      this.becomeLeader();
      return;
    }
    for (const v of this.conf.voters) {
      if (v === this.id) continue;
      const m: Message = { type: 'vote', from: this.id, to: v, term: this.term, index: this.log.lastIndex(), logTerm: this.log.lastTerm() };
      if (transfer) m.force = true;
      this.send(m);
    }
  }

  private handleVoteRequest(m: Message): void {
    const pre = m.type === 'preVote';
    const canVote =
      (this.vote === m.from || (this.vote === null && this.lead === null) || (pre && m.term > this.term)) && !(pre && this.outranks(m));
    if (canVote && this.log.isUpToDate(m.index ?? 0, m.logTerm ?? 0)) {
      this.send({ type: pre ? 'preVoteResp' : 'voteResp', to: m.from, term: m.term });
      if (!pre) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type: pre ? 'preVoteResp' : 'voteResp', to: m.from, term: this.term, reject: true });
    }
  }

  /**
   * Two pre-candidates whose timers fired together (equal logs, say the two survivors of a dead
   * leader) would each grant the other's pre-vote, both stand, each vote for itself and split the
   * vote: a lost round, another election timeout. Between pre-candidates with equal logs only
   * the higher ID gets the pre-vote, so one of them stands. A pre-vote binds nothing (thesis
   * 9.6): this decides who stands first, never what is safe. True: this node outranks the sender.
   */
  private outranks(m: Message): boolean {
    return this.role === 'preCandidate' && m.from < this.id && m.index === this.log.lastIndex() && m.logTerm === this.log.lastTerm();
  }

  private stepCandidate(m: Message): void {
    const myResp = this.role === 'preCandidate' ? 'preVoteResp' : 'voteResp';
    switch (m.type) {
      case 'app':
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        return;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case 'snap':
        this.becomeFollower(m.term, m.from);
        this.handleSnapChunk(m);
        return;
      case 'preVoteResp':
      case 'voteResp': {
        if (m.type !== myResp) return;
        this.votes.set(m.from, !m.reject);
        const r = voteResult(this.conf.voters, this.votes);
        if (r === 'won') {
          if (this.role === 'preCandidate') this.campaignElection(false);
          else {
            this.becomeLeader();
            this.bcastAppend();
          }
        } else if (r === 'lost') {
          this.becomeFollower(this.term, null);
        }
        return;
      }
      default:
        return;
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'app':
        this.heardFromLeader(m.from);
        this.handleAppend(m);
        return;
      case 'heartbeat':
        this.heardFromLeader(m.from);
        this.handleHeartbeat(m);
        return;
      case 'snap':
        this.heardFromLeader(m.from);
        this.handleSnapChunk(m);
        return;
      case 'timeoutNow':
        if (this.promotable()) this.hup(true);
        return;
      case 'readIndexResp':
        this.readStates.push({ index: m.index ?? 0, context: m.context ?? '' });
        return;
      default:
        return;
    }
  }

  private heardFromLeader(from: NodeId): void {
    this.electionElapsed = 0;
    this.leaderContactAge = 0;
    this.lead = from;
  }

  // ---------------------------------------------------------------- follower side of replication

  private handleAppend(m: Message): void {
    this.leaderContactAge = 0;
    const prevIndex = m.index ?? 0;
    if (prevIndex < this.log.committed) {
      this.send({ type: 'appResp', to: m.from, term: this.term, index: this.log.committed });
      return;
    }
    const before = this.log.lastIndex();
    const lastNew = this.log.maybeAppend(prevIndex, m.logTerm ?? 0, m.commit ?? 0, m.entries ?? []);
    if (lastNew === null) {
      this.send({
        type: 'appResp',
        to: m.from,
        term: this.term,
        index: prevIndex,
        reject: true,
        rejectHint: this.log.lastIndex(),
      });
      return;
    }
    if (this.log.lastIndex() !== before || (m.entries?.length ?? 0) > 0) this.rebuildConfAfterAppend();
    this.send({ type: 'appResp', to: m.from, term: this.term, index: lastNew });
  }

  private handleHeartbeat(m: Message): void {
    this.leaderContactAge = 0;
    this.log.commitTo(Math.min(m.commit ?? 0, this.log.lastIndex()));
    const r: Message = { type: 'heartbeatResp', from: this.id, to: m.from, term: this.term, index: m.index };
    if (m.context !== undefined) r.context = m.context;
    this.send(r);
  }

  private handleSnapChunk(m: Message): void {
    this.leaderContactAge = 0;
    const meta = m.snapMeta!;
    if (meta.index <= this.log.committed) {
      this.snapReceive = null;
      this.send({ type: 'appResp', to: m.from, term: this.term, index: this.log.committed });
      return;
    }
    let rx = this.snapReceive;
    if (rx === null || rx.index !== meta.index || rx.term !== meta.term) {
      rx = this.snapReceive = { index: meta.index, term: meta.term, chunks: [], bytes: 0 };
    }
    const chunk = m.chunk ?? new Uint8Array(0);
    if (m.offset === rx.bytes) {
      rx.chunks.push(chunk);
      rx.bytes += chunk.length;
      if (m.done) {
        this.snapReceive = null;
        this.restoreSnapshot({ meta: { index: meta.index, term: meta.term, conf: confCopy(meta.conf) }, data: concat(rx.chunks, rx.bytes) });
        // Acknowledge the snapshot's index, not our last: a log that already held the snapshot's
        // entry keeps its suffix, which may be stale and must not count as replicated (etcd
        // answers with the commit index there too).
        this.send({ type: 'appResp', to: m.from, term: this.term, index: meta.index });
        return;
      }
    }
    this.send({ type: 'snapResp', to: m.from, term: this.term, index: meta.index, offset: rx.bytes });
  }

  private restoreSnapshot(snap: Snapshot): void {
    if (this.log.matchTerm(snap.meta.index, snap.meta.term)) {
      // We already have the entry: just commit up to it (etcd: fast-forward).
      this.log.commitTo(snap.meta.index);
      return;
    }
    this.log.restore(snap);
    this.confEntries = [];
    this.rebuildConf();
  }

  // ---------------------------------------------------------------- leader

  private appendEntries(ents: Entry[]): void {
    let index = this.log.lastIndex();
    for (const e of ents) {
      e.index = ++index;
      e.term = this.term;
    }
    this.log.append(ents);
    this.uncommittedBytes += entriesBytes(ents);
    for (const e of ents) if (e.type === 'conf') this.confEntries.push(e);
    if (ents.some((e) => e.type === 'conf')) this.rebuildConf();
    // The leader's own copy counts once it is durable (persisted()), not here.
    this.bcastAppend();
  }

  private stepLeader(m: Message): void {
    const pr = this.prs.get(m.from);
    switch (m.type) {
      case 'readIndex':
        this.handleReadIndex(m.from, m.context ?? '', this.clampReadMode(m.lease === true ? 'lease' : 'safe'));
        return;
      case 'appResp': {
        if (!pr) return;
        pr.recentActive = true;
        if (m.reject) {
          if (pr.maybeDecrTo(m.index ?? 0, m.rejectHint ?? 0)) {
            if (pr.state === 'replicate') pr.becomeProbe();
            this.sendAppend(m.from, true);
          }
          return;
        }
        const wasPaused = this.paused(pr);
        if (pr.maybeUpdate(m.index ?? 0)) {
          if (pr.state === 'probe') pr.becomeReplicate();
          else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) pr.becomeProbe();
          if (this.maybeCommit()) this.bcastAppend();
          else if (wasPaused) this.sendAppend(m.from, false);
          while (this.sendAppend(m.from, false)) {
            // Pipelining: keep sending while the in-flight window allows.
          }
          if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(m.from);
        }
        return;
      }
      case 'heartbeatResp': {
        if (!pr) return;
        pr.recentActive = true;
        if (m.index !== undefined) pr.leaseTick = Math.max(pr.leaseTick, m.index);
        pr.probeSent = false;
        if (pr.state === 'replicate' && pr.inflightFull(this.cfg.maxInflight, this.cfg.maxInflightBytes)) pr.freeOldest();
        if (pr.state === 'snapshot') this.sendSnapChunk(m.from);
        else if (pr.match < this.log.lastIndex()) this.sendAppend(m.from, true);
        if (m.context !== undefined) this.ackRead(m.from, m.context);
        return;
      }
      case 'snapResp': {
        if (!pr || pr.state !== 'snapshot') return;
        pr.recentActive = true;
        if (m.index !== pr.pendingSnapshot) return;
        pr.snapOffset = m.offset ?? 0;
        this.sendSnapChunk(m.from);
        return;
      }
      default:
        return;
    }
  }

  private maybeCommit(): boolean {
    const idx = committedIndex(this.conf.voters, (v) => this.prs.get(v)?.match ?? 0);
    // Raft 5.4.2: only entries of the current term are committed by counting replicas.
    if (idx > this.log.committed && this.log.term(idx) === this.term) {
      const firstOfTerm = this.log.term(this.log.committed) !== this.term;
      for (let i = this.log.committed + 1; i <= idx; i++) this.uncommittedBytes -= this.log.entryBytes(i);
      if (this.uncommittedBytes < 0) this.uncommittedBytes = 0; // entries of earlier terms were not counted
      this.log.commitTo(idx);
      if (firstOfTerm) this.releaseWaitingReads();
      this.onCommitAdvanced();
      return true;
    }
    return false;
  }

  /** A leader removed by a committed change steps down (thesis 4.2.2). */
  private onCommitAdvanced(): void {
    if (this.role === 'leader' && !this.conf.voters.includes(this.id) && this.pendingConfIndex <= this.log.committed) {
      this.becomeFollower(this.term, null);
    }
  }

  /** Sends to every follower; in replicate state, as many appends as the in-flight window allows. */
  private bcastAppend(): void {
    for (const [id, pr] of this.prs) {
      if (id === this.id) continue;
      while (this.sendAppend(id, false) && pr.state === 'replicate') {
        // Pipelining: keep going while the window is open.
      }
    }
  }

  private bcastHeartbeat(context: string | undefined): void {
    for (const [id, pr] of this.prs) {
      if (id === this.id) continue;
      const m: Message = {
        type: 'heartbeat',
        from: this.id,
        to: id,
        term: this.term,
        commit: Math.min(pr.match, this.log.committed),
        index: this.tickCount,
      };
      if (context !== undefined) m.context = context;
      this.send(m);
    }
  }

  /** Sends the next append to `to`; true when it carried entries. */
  private sendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.prs.get(to);
    if (!pr) return false;
    if (pr.state === 'snapshot') return false;
    if (this.paused(pr)) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined) {
      if (prevIndex < this.log.firstIndex()) {
        pr.becomeSnapshot(this.log.snapshot.meta.index);
        this.sendSnapChunk(to);
      }
      return false;
    }
    const ents = this.log.sliceBounded(pr.next, this.cfg.maxEntriesPerMsg, this.cfg.maxSizePerMsg);
    if (ents.length === 0 && !sendIfEmpty) return false;
    this.send({ type: 'app', to, term: this.term, index: prevIndex, logTerm: prevTerm, entries: ents, commit: this.log.committed });
    if (pr.state === 'replicate') {
      if (ents.length > 0) {
        const last = ents[ents.length - 1].index;
        pr.sent(last, this.log.bytes(ents[0].index, last + 1));
      }
    } else {
      pr.probeSent = true;
    }
    return ents.length > 0;
  }

  private paused(pr: Progress): boolean {
    return pr.isPaused(this.cfg.maxInflight, this.cfg.maxInflightBytes);
  }

  private sendSnapChunk(to: NodeId): void {
    const pr = this.prs.get(to)!;
    const snap = this.log.snapshot;
    if (pr.pendingSnapshot !== snap.meta.index) {
      pr.pendingSnapshot = snap.meta.index;
      pr.snapOffset = 0;
    }
    const data = snap.data;
    const end = Math.min(pr.snapOffset + this.cfg.snapshotChunkBytes, data.length);
    this.send({
      type: 'snap',
      to,
      term: this.term,
      snapMeta: { index: snap.meta.index, term: snap.meta.term, conf: confCopy(snap.meta.conf) },
      offset: pr.snapOffset,
      chunk: data.subarray(pr.snapOffset, end),
      done: end >= data.length,
    });
  }

  private sendTimeoutNow(to: NodeId): void {
    this.leaseVoidTerm = this.term;
    this.send({ type: 'timeoutNow', to, term: this.term });
  }

  // ---------------------------------------------------------------- reads

  /** The stricter of the requested mode and this node's readOnly: a request never loosens the configuration. */
  private clampReadMode(mode: ReadMode): ReadMode {
    return this.cfg.readOnly === 'safe' ? 'safe' : mode;
  }

  private handleReadIndex(from: NodeId, context: string, mode: ReadMode): void {
    if (this.log.term(this.log.committed) !== this.term) {
      // Thesis 6.4: the leader must first commit an entry of its term to know the commit index.
      this.readWaiting.push({ from, context, mode });
      return;
    }
    const index = this.log.committed;
    if (this.conf.voters.length === 1 && this.conf.voters[0] === this.id) {
      this.answerRead(from, context, index);
      return;
    }
    if (mode === 'lease' && this.leaseValid()) {
      this.answerRead(from, context, index);
      return;
    }
    const key = `${from}\u0000${context}`;
    this.readQueue.push({ key, index, from, context, acks: new Set([this.id]) });
    this.bcastHeartbeat(key);
  }

  private ackRead(from: NodeId, key: string): void {
    const pos = this.readQueue.findIndex((r) => r.key === key);
    if (pos < 0) return;
    const r = this.readQueue[pos];
    r.acks.add(from);
    let n = 0;
    for (const v of this.conf.voters) if (r.acks.has(v)) n++;
    if (n < majority(this.conf.voters.length)) return;
    // A quorum confirmed leadership after this request, so also after every earlier one.
    const done = this.readQueue.splice(0, pos + 1);
    for (const d of done) this.answerRead(d.from, d.context, d.index);
  }

  private answerRead(from: NodeId, context: string, index: number): void {
    if (from === this.id) this.readStates.push({ index, context });
    else this.send({ type: 'readIndexResp', to: from, term: this.term, index, context });
  }

  private releaseWaitingReads(): void {
    const w = this.readWaiting;
    this.readWaiting = [];
    for (const r of w) this.handleReadIndex(r.from, r.context, r.mode);
  }

  // ---------------------------------------------------------------- membership

  private rebuildConfAfterAppend(): void {
    // Called for every append a follower takes: allocates only when a conf entry came or went.
    // Log matching: the log still holds a conf entry when it has one with the same index and term.
    const held = (e: Entry): boolean => this.log.term(e.index) === e.term;
    let kept = this.confEntries;
    if (!kept.every(held)) kept = kept.filter(held);
    let changed = kept !== this.confEntries;
    // Conf entries take effect when appended (thesis 4.1), so scan what was just written.
    const last = this.log.lastIndex();
    for (let i = Math.max(this.log.firstIndex(), this.log.stableIndex + 1); i <= last; i++) {
      if (this.log.entryType(i) === 'conf' && !kept.some((e) => e.index === i)) {
        if (!changed) kept = [...kept];
        kept.push(this.log.entry(i)!);
        changed = true;
      }
    }
    if (!changed) return;
    kept.sort((a, b) => a.index - b.index);
    this.confEntries = kept;
    this.rebuildConf();
  }

  /** Recomputes the configuration from the snapshot plus conf entries, and the progress map. */
  private rebuildConf(): void {
    this.conf = this.confAt(this.log.lastIndex());
    const members = [...this.conf.voters, ...this.conf.learners];
    const next = new Map<NodeId, Progress>();
    for (const id of members) {
      const old = this.prs.get(id);
      const learner = this.conf.learners.includes(id);
      if (old && old.isLearner === learner) next.set(id, old);
      else {
        const pr = new Progress(this.log.lastIndex() + 1, learner);
        if (old) {
          pr.match = old.match;
          pr.next = old.next;
          pr.state = old.state;
          pr.inflight = old.inflight;
          pr.inflightBytes = old.inflightBytes;
          pr.pendingSnapshot = old.pendingSnapshot;
          pr.snapOffset = old.snapOffset;
          pr.leaseTick = old.leaseTick;
        }
        pr.recentActive = true;
        next.set(id, pr);
      }
    }
    this.prs = next;
    if (this.role === 'leader') {
      if (this.leadTransferee !== null && !this.conf.voters.includes(this.leadTransferee)) this.leadTransferee = null;
      // A smaller quorum may commit more now.
      if (this.maybeCommit()) this.bcastAppend();
    }
  }

  private send(m: Omit<Message, 'from'>): void {
    (m as Message).from = this.id;
    this.msgs.push(m as Message);
  }
}

export function applyConfChange(c: ConfState, cc: ConfChange): ConfState {
  const voters = c.voters.filter((v) => v !== cc.id);
  const learners = c.learners.filter((v) => v !== cc.id);
  switch (cc.type) {
    case 'addVoter':
    case 'promote':
      voters.push(cc.id);
      break;
    case 'addLearner':
      learners.push(cc.id);
      break;
    case 'remove':
      break;
  }
  return { voters, learners };
}

function concat(chunks: Uint8Array[], bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
