// The one seam every write goes through, backed by the catalog's Raft log (raft/raft-applier.ts).
// Callers never touch the state machine directly for writes.

export interface Applier<C, R> {
  /** Resolves with the state machine's result once the command is committed and applied. */
  apply(command: C): Promise<R>;
  /** Index of the last applied command (0 before any). */
  readonly lastIndex: number;
  /**
   * Replaces the whole state with `snapshot` (PUT /v1/snapshot) through the log, after the
   * commands already accepted. Later commands get higher indexes.
   */
  restore(snapshot: unknown): Promise<void>;
  /** Flushes what is pending and releases files. */
  close(): Promise<void>;
}
