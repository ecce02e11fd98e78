// The three ways storage can fail, as the node and the agent must treat them.

import { errorCode } from './fs.js';

/** Damaged data where a crash cannot explain it: refuse to start, naming the file and offset. */
export class CorruptWalError extends Error {
  override name = 'CorruptWalError';
}

/**
 * A write or fsync failed: what is on disk is unknown, so the storage is fail-stop from now
 * on (never retry an fsync and carry on). The message names the file and the error.
 */
export class StorageFailedError extends Error {
  override name = 'StorageFailedError';
  readonly code: string | undefined;
  constructor(
    readonly path: string,
    readonly op: string,
    cause: unknown,
  ) {
    super(`raft storage failed: ${op} ${path}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.code = errorCode(cause);
  }
}

/**
 * The disk is full: the write was refused and undone, nothing else changed. Retrying once
 * space returns is safe (nothing was acknowledged, no fsync failed).
 */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
  readonly code = 'ENOSPC';
  constructor(readonly path: string) {
    super(`raft storage full: no space left writing ${path}; writes are refused until space returns`);
  }
}
