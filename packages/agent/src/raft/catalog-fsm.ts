// The catalog as Raft's state machine. Log entries carry v8-serialized payloads (v8 keeps KV
// Flags as exact uint64 bigints; msgpack would round them): either a catalog command or a
// whole-state restore (PUT /v1/snapshot), which goes through the log like every write so every
// server restores at the same index.
import { deserialize, serialize } from 'node:v8';
import { snapshotAtIndex, type ApplyResult, type Catalog, type CatalogSnapshot, type Command } from '@proconsul/catalog';
import type { StateMachine } from '@proconsul/raft';

type Payload = { Kind: 'command'; Command: Command } | { Kind: 'restore'; Snapshot: CatalogSnapshot };

export function encodeCommand(command: Command): Uint8Array {
  return serialize({ Kind: 'command', Command: command } satisfies Payload);
}

/** The command an entry carries, or undefined (a restore, or bytes that are no entry). */
export function decodeCommand(data: Uint8Array): Command | undefined {
  try {
    const payload = deserialize(data) as Payload;
    return payload?.Kind === 'command' ? payload.Command : undefined;
  } catch {
    return undefined;
  }
}

export function encodeRestore(snapshot: CatalogSnapshot): Uint8Array {
  return serialize({ Kind: 'restore', Snapshot: snapshot } satisfies Payload);
}

export class CatalogFsm implements StateMachine {
  /** Raft index of the last entry applied to the catalog (0 before any). */
  appliedIndex = 0;

  constructor(readonly catalog: Catalog) {}

  apply(index: number, data: unknown): ApplyResult {
    // A Raft node reopened from disk under this live catalog (after a disk-full stop) replays
    // entries the catalog already holds: the same entries (log matching), so skip them.
    if (index <= this.appliedIndex) return { ok: true };
    const payload = deserialize(data as Uint8Array) as Payload;
    this.appliedIndex = index;
    if (payload.Kind === 'restore') {
      // Restored records keep their indexes, but none may lie ahead of this entry: later writes
      // get higher indexes, and blocking queries never see an index go back.
      this.catalog.restore(snapshotAtIndex(payload.Snapshot, index));
      return { ok: true, value: true } as ApplyResult;
    }
    return this.catalog.apply(index, payload.Command);
  }

  snapshot(): Uint8Array {
    // Serialized at once, so the live records need no copy first.
    return serialize(this.catalog.sharedSnapshot());
  }

  restore(data: Uint8Array): void {
    const snap = deserialize(data) as CatalogSnapshot;
    if (snap.Index <= this.appliedIndex) return;
    this.catalog.restore(snap);
    this.appliedIndex = snap.Index;
  }
}
