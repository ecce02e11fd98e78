// The apply seam backed by Raft: a write is a proposal, acknowledged once the entry is
// committed (durable on a quorum) and applied to the catalog. A server that is not the leader
// forwards the encoded command to the leader (`forwardToLeader`, agent RPC), as Consul's
// followers forward writes; during an election it waits a little for a leader.
import type { ApplyResult, CatalogSnapshot, Command } from '@proconsul/catalog';
import { NotLeaderError, RaftTimeoutError, type RaftNode } from '@proconsul/raft';
import type { Applier } from '../apply/applier.js';
import { encodeCommand, encodeRestore, type CatalogFsm } from './catalog-fsm.js';

/** Consul's RPCHoldTimeout: how long a write waits for a leader during an election. */
const LEADER_HOLD_MS = 7_000;

/** What the HTTP layer answers when a write cannot be committed (Consul's texts, 500). */
export class RaftApplyError extends Error {
  override name = 'RaftApplyError';
}

export type ForwardToLeader = (leaderId: string, data: Uint8Array) => Promise<unknown>;

export class RaftApplier implements Applier<Command, ApplyResult> {
  #node: RaftNode | null = null;
  #unavailable: string | null = null;
  /** Set on servers of a cluster: sends an encoded command to the leader. */
  forwardToLeader: ForwardToLeader | undefined;

  constructor(private readonly fsm: CatalogFsm) {}

  get node(): RaftNode | null {
    return this.#node;
  }

  /** Writes fail with `reason` until serveWith() (the log cannot be written). */
  unavailable(reason: string): void {
    this.#unavailable = reason;
  }

  /** Writes go to `node` from now on. */
  serveWith(node: RaftNode): void {
    this.#node = node;
    this.#unavailable = null;
  }

  get lastIndex(): number {
    return this.fsm.appliedIndex;
  }

  async apply(command: Command): Promise<ApplyResult> {
    return (await this.applyEncoded(encodeCommand(command), true)) as ApplyResult;
  }

  async restore(snapshot: unknown): Promise<void> {
    await this.applyEncoded(encodeRestore(snapshot as CatalogSnapshot), true);
  }

  close(): Promise<void> {
    return this.#node?.stop() ?? Promise.resolve();
  }

  /** Commits an encoded entry here (leader) or, when `forward`, through the leader. */
  async applyEncoded(data: Uint8Array, forward: boolean): Promise<unknown> {
    const deadline = Date.now() + LEADER_HOLD_MS;
    for (;;) {
      if (this.#unavailable) throw new RaftApplyError(this.#unavailable);
      const node = this.#node;
      try {
        if (!node) throw new NotLeaderError(null);
        return (await node.propose(data)).result;
      } catch (err) {
        if (err instanceof RaftTimeoutError) throw new RaftApplyError('timed out enqueuing operation');
        if (!(err instanceof NotLeaderError)) throw err;
        if (err.leader !== null && err.leader !== node?.id && forward && this.forwardToLeader) return this.forwardToLeader(err.leader, data);
        if (Date.now() > deadline) throw new RaftApplyError('No cluster leader');
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  }
}
