// `@proconsul/agent/snapshot`: the archive format and what `proconsul snapshot inspect` counts
// in it, for the CLI. Loads nothing but Node's own modules (raw.ts loads Raft and the
// catalog only when a server's own snapshot file is read).
export { ArchiveError, buildArchive, decodeState, openArchive, readArchive, type SnapshotMeta } from './archive.js';
export { looksLikeRaftSnapshot, readRaftSnapshot } from './raw.js';
export { snapshotStats, type KvDetails, type SnapshotStats, type TypeStats } from './inspect.js';
export { readTar, TarError, writeTar, type TarEntry } from './tar.js';
