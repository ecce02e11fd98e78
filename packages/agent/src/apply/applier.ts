// The one seam every write goes through. Today it is backed by memory (-dev) or by a durable
// command log (single server); the Raft issue backs it with the replicated log. Callers never
// touch the state machine directly for writes.

/** The deterministic state machine behind the applier (the catalog). */
export interface StateMachine<C, R> {
  /** Applies `command` at log index `index`; must be deterministic. */
  apply(index: number, command: C): R;
  /** The whole state as a serializable value, taken at `lastApplied`. */
  snapshot(): unknown;
  /** Replaces the whole state with a value produced by `snapshot()`. */
  restore(snapshot: unknown): void;
  /** The index the state was last applied at (after a restore: the snapshot's). */
  readonly lastIndex?: number;
}

/** The first index after a restore: past what the applier gave out and past the restored state. */
export function indexAfterRestore(applierIndex: number, fsm: { lastIndex?: number }): number {
  return Math.max(applierIndex + 1, fsm.lastIndex ?? 0);
}

export interface Applier<C, R> {
  /** Resolves with the state machine's result once the command is acknowledged (durable where the mode is). */
  apply(command: C): Promise<R>;
  /** Index of the last applied command (0 before any). */
  readonly lastIndex: number;
  /**
   * Replaces the whole state with `snapshot` (PUT /v1/snapshot), after the commands already
   * accepted; durable where the mode is. Later commands get higher indexes.
   */
  restore(snapshot: unknown): Promise<void>;
  /** Flushes what is pending and releases files. */
  close(): Promise<void>;
}
