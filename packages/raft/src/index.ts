// @proconsul/raft: a deterministic Raft core, its durable storage, a TCP transport and the
// node loop that ties them together.

export { Raft, ProposalDroppedError, bootstrapState, joinState, emptySnapshot, applyConfChange, type RaftInitialState, type ReadMode } from './raft.js';
export { MAX_CLOCK_DRIFT, MAX_TICK_CATCH_UP, maxLeaseTick, type RaftConfig } from './config.js';
export { seededRandom, type RandomSource } from './rand.js';
export type {
  ConfChange,
  ConfChangeType,
  ConfState,
  Entry,
  EntryType,
  HardState,
  Message,
  MessageType,
  NodeId,
  ReadState,
  Ready,
  Snapshot,
  SnapshotMeta,
  SoftState,
  StateRole,
} from './types.js';
export { DiskStorage, readSnapshotFile, type PersistBatch } from './storage/disk.js';
export { Wal, type WalOptions, type WalRecord } from './storage/wal.js';
export { CorruptWalError, StorageFailedError, StorageFullError } from './storage/errors.js';
export { nodeFileSystem, type FileSystem, type AppendFile } from './storage/fs.js';
export { MemoryFileSystem, SimulatedCrashError, type MemoryFaults } from './storage/memory-fs.js';
export {
  TcpTransport,
  type Transport,
  type TcpTransportOptions,
  type PeerAddress,
  type TransportMetrics,
} from './transport/tcp.js';
export { RAFT_PROTOCOL_BYTE, encodeFrame, FrameDecoder, FrameError } from './transport/frame.js';
export {
  RaftNode,
  NotLeaderError,
  RaftTimeoutError,
  type RaftNodeOptions,
  type Clock,
  realClock,
  type RaftStatus,
  type RaftPeerStatus,
  type StateMachine,
} from './node.js';
