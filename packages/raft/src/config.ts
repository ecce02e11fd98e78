// Settings of the Raft core. All times are in ticks; the adapter chooses the tick length.

import type { RandomSource } from './rand.js';
import type { NodeId } from './types.js';

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
   * Default read mode and the most a forwarded request may use. 'safe': every ReadIndex
   * confirms leadership with a heartbeat round; 'lease': served from the leader lease while valid.
   * Lease mode needs checkQuorum.
   */
  readOnly?: 'safe' | 'lease';
  /** The lease lasts this many ticks after a quorum acknowledged a heartbeat; kept below electionTick for clock drift. */
  leaseTick?: number;
  /** Upper bound on entries in one append message (batching). 64 x 512 KiB KV values stays under the 64 MiB frame limit. */
  maxEntriesPerMsg?: number;
  /** Upper bound on append messages in flight to one follower (pipelining). */
  maxInflight?: number;
  /** InstallSnapshot chunk size in bytes. */
  snapshotChunkBytes?: number;
  /** Upper bound on committed entries handed out by one ready(). */
  maxApplyPerReady?: number;
  /** The only source of randomness (election jitter). */
  random: RandomSource;
}

export type ResolvedConfig = Required<RaftConfig>;

export function resolveConfig(c: RaftConfig): ResolvedConfig {
  const electionTick = c.electionTick ?? 10;
  const r: ResolvedConfig = {
    id: c.id,
    electionTick,
    heartbeatTick: c.heartbeatTick ?? 1,
    preVote: c.preVote ?? true,
    checkQuorum: c.checkQuorum ?? true,
    readOnly: c.readOnly ?? 'safe',
    leaseTick: c.leaseTick ?? electionTick - 2,
    maxEntriesPerMsg: c.maxEntriesPerMsg ?? 64,
    maxInflight: c.maxInflight ?? 64,
    snapshotChunkBytes: c.snapshotChunkBytes ?? 256 * 1024,
    maxApplyPerReady: c.maxApplyPerReady ?? 4096,
    random: c.random,
  };
  if (!r.id) throw new Error('raft config: id must be non-empty');
  if (r.heartbeatTick < 1) throw new Error('raft config: heartbeatTick must be >= 1');
  if (r.electionTick <= r.heartbeatTick) throw new Error('raft config: electionTick must be > heartbeatTick');
  if (r.readOnly === 'lease' && !r.checkQuorum) throw new Error('raft config: lease reads need checkQuorum');
  if (r.leaseTick < 1 || r.leaseTick >= r.electionTick) throw new Error('raft config: leaseTick must be in [1, electionTick)');
  if (r.maxEntriesPerMsg < 1 || r.maxInflight < 1 || r.snapshotChunkBytes < 1 || r.maxApplyPerReady < 1) {
    throw new Error('raft config: limits must be >= 1');
  }
  return r;
}
