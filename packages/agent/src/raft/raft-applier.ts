// The apply seam backed by Raft: a write is a proposal, acknowledged once the entry is
// committed (durable on a quorum; a single voter fsyncs it) and applied to the catalog.
import type { ApplyResult, CatalogSnapshot, Command } from '@proconsul/catalog';
import { NotLeaderError, RaftTimeoutError, type RaftNode } from '@proconsul/raft';
import type { Applier } from '../apply/applier.js';
import { encodeCommand, encodeRestore, type CatalogFsm } from './catalog-fsm.js';

/** What the HTTP layer answers when a write cannot be committed (Consul's texts). */
export class RaftApplyError extends Error {
  override name = 'RaftApplyError';
}

export class RaftApplier implements Applier<Command, ApplyResult> {
  constructor(
    readonly node: RaftNode,
    private readonly fsm: CatalogFsm,
  ) {}

  get lastIndex(): number {
    return this.fsm.appliedIndex;
  }

  async apply(command: Command): Promise<ApplyResult> {
    return (await this.#propose(encodeCommand(command))) as ApplyResult;
  }

  async restore(snapshot: unknown): Promise<void> {
    await this.#propose(encodeRestore(snapshot as CatalogSnapshot));
  }

  close(): Promise<void> {
    return this.node.stop();
  }

  async #propose(data: Uint8Array): Promise<unknown> {
    try {
      return (await this.node.propose(data)).result;
    } catch (err) {
      throw toApplyError(err);
    }
  }
}

function toApplyError(err: unknown): Error {
  if (err instanceof NotLeaderError) return new RaftApplyError('No cluster leader');
  if (err instanceof RaftTimeoutError) return new RaftApplyError('timed out enqueuing operation');
  return err instanceof Error ? err : new Error(String(err));
}
