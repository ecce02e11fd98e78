// Wire and storage types of the Raft core. Names follow the Raft paper and etcd-io/raft.
// Message and entry types are append-only: they are persisted and sent between versions.

export type NodeId = string;

/** A replicated configuration: voters decide, learners (non-voters) only receive the log. */
export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
}

export type ConfChangeType = 'addVoter' | 'addLearner' | 'promote' | 'remove';

/** One-at-a-time membership change, carried as the data of a `conf` entry. */
export interface ConfChange {
  type: ConfChangeType;
  id: NodeId;
}

export type EntryType = 'normal' | 'conf' | 'noop';

export interface Entry {
  index: number;
  term: number;
  type: EntryType;
  /** The command (normal), the ConfChange (conf) or null (noop). Must be msgpack-serializable. */
  data: unknown;
}

/** Durable per-node state that must survive a crash before any message depending on it is sent. */
export interface HardState {
  term: number;
  vote: NodeId | null;
}

export interface SnapshotMeta {
  index: number;
  term: number;
  conf: ConfState;
}

export interface Snapshot {
  meta: SnapshotMeta;
  /** The state machine's serialized state at meta.index. */
  data: Uint8Array;
}

export type MessageType =
  | 'preVote'
  | 'preVoteResp'
  | 'vote'
  | 'voteResp'
  | 'app'
  | 'appResp'
  | 'heartbeat'
  | 'heartbeatResp'
  | 'snap'
  | 'snapResp'
  | 'timeoutNow'
  | 'readIndex'
  | 'readIndexResp';

export interface Message {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  /** app: term of the entry before `entries`; vote/preVote: term of the candidate's last entry. */
  logTerm?: number;
  /** app: index of the entry before `entries`; vote: candidate's last index; appResp: match or rejected index. */
  index?: number;
  entries?: Entry[];
  commit?: number;
  reject?: boolean;
  /** appResp reject: the follower's last index, so the leader can skip back quickly. */
  rejectHint?: number;
  /** heartbeat/readIndex: opaque read context echoed back. */
  context?: string;
  /** readIndex: the follower accepts a lease-based answer. */
  lease?: boolean;
  /** vote/preVote caused by leadership transfer: bypasses the leader-lease check. */
  force?: boolean;
  /** snap: the snapshot's metadata, the byte offset and bytes of this chunk, whether it is the last. */
  snapMeta?: SnapshotMeta;
  offset?: number;
  chunk?: Uint8Array;
  done?: boolean;
}

export type StateRole = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** A linearizable read point: once applied >= index, reads for `context` may be served. */
export interface ReadState {
  index: number;
  context: string;
}

/** Volatile state that changed and callers may want to observe (leader id, role). */
export interface SoftState {
  leader: NodeId | null;
  role: StateRole;
}

/** Everything the caller must do, in order: persist hardState+entries (+snapshot), send, apply. */
export interface Ready {
  softState: SoftState | null;
  hardState: HardState | null;
  /** Entries to append to stable storage; an entry may replace a stored one with the same index. */
  entries: Entry[];
  /** A snapshot received from the leader to persist and restore into the state machine. */
  snapshot: Snapshot | null;
  /** Messages to send after the above is durable. */
  messages: Message[];
  /** Committed entries to apply to the state machine, in order. */
  committedEntries: Entry[];
  readStates: ReadState[];
}
