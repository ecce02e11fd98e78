// Settings of the Raft core. All times are in ticks; the adapter chooses the tick length.

import type { RandomSource } from './rand.js';
import type { NodeId } from './types.js';

/**
 * The most ticks a node loop may replay at once after an event-loop stall (RaftNode's
 * catch-up cap). A leader that stalls longer loses the excess ticks, so its lease would count
 * less than real time; the lease is therefore never longer than this cap (see leaseTick).
 */
export const MAX_TICK_CATCH_UP = 100;

/**
 * The clock-rate difference between two nodes that leases tolerate (10%: far beyond real
 * quartz drift, which is well under 0.1%, but it also covers tick-timer jitter).
 */
export const MAX_CLOCK_DRIFT = 0.1;

export interface RaftConfig {
  id: NodeId;
  /** Election timeout: a follower campaigns after a random [electionTick, 2*electionTick) ticks of silence. */
  electionTick?: number;
  /** The leader sends heartbeats every heartbeatTick ticks. Must be < electionTick. */
  heartbeatTick?: number;
  /** Pre-vote (Raft thesis 9.6): a partitioned node does not bump terms and disrupt the cluster. */
  preVote?: boolean;
  /** Check-quorum: a leader that has not heard from a quorum within electionTick steps down. Required for lease reads. */
  checkQuorum?: boolean;
  /**
   * The most permissive read mode this node serves. 'safe': every ReadIndex confirms
   * leadership with a heartbeat round, whatever the request (or a follower forwarding one)
   * asks for; 'lease': a request may ask for a lease read. Lease mode needs checkQuorum.
   */
  readOnly?: 'safe' | 'lease';
  /**
   * The lease lasts this many ticks after a quorum acknowledged a heartbeat. A follower refuses
   * votes for electionTick ticks after hearing the leader, the first of which may come at once,
   * so the lease must end within electionTick - 1 ticks on the fastest clock:
   * leaseTick <= (electionTick - 1) / (1 + MAX_CLOCK_DRIFT), and leaseTick <= MAX_TICK_CATCH_UP.
   * Default: that bound (8 for electionTick 10).
   */
  leaseTick?: number;
  /**
   * Bytes of entries (their encoded commands) in one append message; at least one entry is
   * always sent (etcd's MaxSizePerMsg). Default 1 MiB, well under the 64 MiB frame limit.
   */
  maxSizePerMsg?: number;
  /** Entries in one append message, a secondary cap on per-entry overhead (small commands). Default 4096. */
  maxEntriesPerMsg?: number;
  /** Upper bound on append messages in flight to one follower (pipelining window). */
  maxInflight?: number;
  /** Bytes of entries in flight to one follower (etcd's MaxInflightBytes). Default 16 MiB. */
  maxInflightBytes?: number;
  /**
   * Bytes of entries a leader holds appended but not committed; further proposals throw
   * ProposalDroppedError (etcd's MaxUncommittedEntriesSize / ErrProposalDropped). One
   * proposal is always accepted when nothing is pending. Default 64 MiB.
   */
  maxUncommittedEntriesSize?: number;
  /** InstallSnapshot chunk size in bytes. */
  snapshotChunkBytes?: number;
  /** Upper bound on committed entries handed out by one ready(). */
  maxApplyPerReady?: number;
  /** The only source of randomness (election jitter). */
  random: RandomSource;
}

export type ResolvedConfig = Required<RaftConfig>;

/** The longest lease that is safe for an election timeout (see RaftConfig.leaseTick). */
export function maxLeaseTick(electionTick: number): number {
  return Math.min(MAX_TICK_CATCH_UP, Math.floor((electionTick - 1) / (1 + MAX_CLOCK_DRIFT)));
}

export function resolveConfig(c: RaftConfig): ResolvedConfig {
  const electionTick = c.electionTick ?? 10;
  const r: ResolvedConfig = {
    id: c.id,
    electionTick,
    heartbeatTick: c.heartbeatTick ?? 1,
    preVote: c.preVote ?? true,
    checkQuorum: c.checkQuorum ?? true,
    readOnly: c.readOnly ?? 'safe',
    leaseTick: c.leaseTick ?? Math.max(1, maxLeaseTick(electionTick)),
    maxSizePerMsg: c.maxSizePerMsg ?? 1024 * 1024,
    maxEntriesPerMsg: c.maxEntriesPerMsg ?? 4096,
    maxInflight: c.maxInflight ?? 64,
    maxInflightBytes: c.maxInflightBytes ?? 16 * 1024 * 1024,
    maxUncommittedEntriesSize: c.maxUncommittedEntriesSize ?? 64 * 1024 * 1024,
    snapshotChunkBytes: c.snapshotChunkBytes ?? 256 * 1024,
    maxApplyPerReady: c.maxApplyPerReady ?? 4096,
    random: c.random,
  };
  if (!r.id) throw new Error('raft config: id must be non-empty');
  if (r.heartbeatTick < 1) throw new Error('raft config: heartbeatTick must be >= 1');
  if (r.electionTick <= r.heartbeatTick) throw new Error('raft config: electionTick must be > heartbeatTick');
  if (r.readOnly === 'lease' && !r.checkQuorum) throw new Error('raft config: lease reads need checkQuorum');
  const leaseMax = maxLeaseTick(r.electionTick);
  if (r.leaseTick < 1 || (r.leaseTick > leaseMax && (c.leaseTick !== undefined || r.readOnly === 'lease'))) {
    throw new Error(
      `raft config: leaseTick ${r.leaseTick} must be in [1, ${leaseMax}] for electionTick ${r.electionTick} ` +
        `(below the election timeout less ${MAX_CLOCK_DRIFT * 100}% clock drift, and at most the ${MAX_TICK_CATCH_UP}-tick catch-up cap)`,
    );
  }
  for (const k of ['maxSizePerMsg', 'maxEntriesPerMsg', 'maxInflight', 'maxInflightBytes', 'maxUncommittedEntriesSize', 'snapshotChunkBytes', 'maxApplyPerReady'] as const) {
    if (!Number.isInteger(r[k]) || r[k] < 1) throw new Error(`raft config: ${k} must be an integer >= 1`);
  }
  return r;
}
