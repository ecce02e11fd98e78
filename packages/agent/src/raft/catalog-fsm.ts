// The catalog as Raft's state machine. A log entry carries a payload: either a catalog command
// or a whole-state restore (PUT /v1/snapshot), which goes through the log like every write so
// every server restores at the same index.
//
// Commands are msgpack (msgpackr keeps KV Flags above 2^53 as exact uint64 bigints, and
// `undefined` fields). Not v8.serialize: each v8 (de)serializer is a native object held by a weak
// handle, and visiting those was a third of every young-generation GC pause under write load.
// A command that holds a "__proto__" key (`packKeepingKeys`), and every restore, are
// v8-serialized; the first byte tells them apart, and entries written before msgpack still decode.
//
// The Raft snapshot is taken off the request path: `snapshot()` captures the state at once (a
// copy-on-write view, `Catalog.snapshotStream`: O(number of key blocks) in the KV table) and
// encodes it into one buffer, in slices of at most SLICE_MS with the event loop free between
// them, while later writes apply. A worker thread would not help: handing it the
// state is a structured clone, the very cost to avoid.
// Format (3): msgpack values one after the other: the head (everything but KV: nodes, services,
// checks, sessions, ACLs...) as a binary holding its v8 serialization, which keeps every type
// and key the catalog holds; then the KV entries in chunks of KV_CHUNK tuples (`KVTuple`): field
// names are not repeated per entry, 29% fewer bytes to write than v8's objects.
// Older snapshots start with v8's header byte (0xFF) and still restore: format 2 (`{ Head }`,
// then one v8 value per KV entry) and format 1 (the whole state as one v8 value). A server of a
// release before format 3 refuses a new snapshot loudly (v8 finds no header).
import { performance } from 'node:perf_hooks';
import { DefaultDeserializer, deserialize, serialize } from 'node:v8';
import { Packr } from 'msgpackr';
import { snapshotAtIndex, snapshotFromStream, type ApplyResult, type Catalog, type CatalogSnapshot, type Command, type KVRecord, type SnapshotHead, type SnapshotStream } from '@proconsul/catalog';
import type { StateMachine } from '@proconsul/raft';
import { isV8Serialized, packKeepingKeys, unpackKeepingKeys } from '../msgpack.js';

/** Longest stretch the snapshot encoder holds the event loop. */
const SLICE_MS = 2;
/** Bytes copied between two looks at the clock when joining a snapshot's buffers. */
const JOIN_PIECE = 256 * 1024;
/** KV entries per msgpack array in a snapshot. */
const KV_CHUNK = 1024;
/** A KV entry in a snapshot: the record's fields in this order. */
type KVTuple = [Key: string, Flags: KVRecord['Flags'], Value: string | null, LockIndex: number, Session: string, CreateIndex: number, ModifyIndex: number];
const toTuple = (e: KVRecord): KVTuple => [e.Key, e.Flags, e.Value, e.LockIndex, e.Session, e.CreateIndex, e.ModifyIndex];
const fromTuple = (t: KVTuple): KVRecord => ({ Key: t[0], Flags: t[1], Value: t[2], LockIndex: t[3], Session: t[4], CreateIndex: t[5], ModifyIndex: t[6] });

type Payload = { Kind: 'command'; Command: Command } | { Kind: 'restore'; Snapshot: CatalogSnapshot };

const packr = new Packr({ useRecords: false, mapsAsObjects: true });

export function encodeCommand(command: Command): Uint8Array {
  const payload: Payload = { Kind: 'command', Command: command };
  return packKeepingKeys(packr, payload);
}

function decodePayload(data: Uint8Array): Payload {
  // msgpackr caches a DataView on the array it decodes (a property it adds). An entry's bytes
  // stay in the Raft log until a snapshot, so that cache would add two long-lived objects to
  // every write (13% of what a follower keeps per write): decode a throwaway view instead.
  return unpackKeepingKeys(packr, Buffer.from(data.buffer, data.byteOffset, data.byteLength)) as Payload;
}

/** The command an entry carries, or undefined (a restore, or bytes that are no entry). */
export function decodeCommand(data: Uint8Array): Command | undefined {
  try {
    const payload = decodePayload(data);
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
    const payload = decodePayload(data as Uint8Array);
    this.appliedIndex = index;
    if (payload.Kind === 'restore') {
      // Restored records keep their indexes, but none may lie ahead of this entry: later writes
      // get higher indexes, and blocking queries never see an index go back.
      this.catalog.restore(snapshotAtIndex(payload.Snapshot, index));
      return { ok: true, value: true } as ApplyResult;
    }
    return this.catalog.apply(index, payload.Command);
  }

  /** The state at the applied index now, encoded in slices (writes may apply meanwhile). */
  snapshot(): Promise<Uint8Array> {
    return encodeSnapshot(this.catalog.snapshotStream());
  }

  restore(data: Uint8Array): void {
    const snap = decodeSnapshot(data);
    if (snap.Index <= this.appliedIndex) return;
    this.catalog.restore(snap);
    this.appliedIndex = snap.Index;
  }
}

export async function encodeSnapshot(stream: SnapshotStream, sliceMs = SLICE_MS): Promise<Uint8Array> {
  const entries = stream.entries();
  try {
    const out = new SnapshotBuffer(packr.pack(serialize({ Head: stream.head })), stream.head.KVCount);
    let chunk: KVTuple[] = [];
    let until = performance.now() + sliceMs;
    for (const e of entries) {
      chunk.push(toTuple(e));
      if (chunk.length === KV_CHUNK) {
        out.append(packr.pack(chunk));
        chunk = [];
      }
      if (chunk.length % 64 === 0 && performance.now() > until) {
        await new Promise((resolve) => setImmediate(resolve));
        until = performance.now() + sliceMs;
      }
    }
    if (chunk.length > 0) out.append(packr.pack(chunk));
    return await out.finish(sliceMs);
  } finally {
    stream.close();
  }
}

/**
 * The encoded snapshot: each part is copied into one buffer as soon as it is packed. Keeping
 * the parts and joining them at the end held the snapshot twice in new ArrayBuffers, and that
 * much external memory made V8 start a mark-compact it then finished at once (pauses of 9-11 ms
 * in snapshots of 218,000 keys; 64-connection PUT p99 median 17.6 ms before, 11.1 after:
 * docs/PERFORMANCE.md, kv-single). The buffer is sized from the last snapshot's bytes per
 * entry; when that guess is short, further buffers follow and are joined in slices at the end.
 */
class SnapshotBuffer {
  /** KV bytes per entry in the last snapshot encoded: the next one's guess. */
  private static bytesPerEntry = 160;
  /** Buffers already full, each cut to what it holds. */
  private readonly full: Buffer[] = [];
  private buf: Buffer;
  private used = 0;
  private total = 0;

  private readonly headLength: number;

  constructor(
    head: Uint8Array,
    private readonly kvCount: number,
  ) {
    this.headLength = head.length;
    this.buf = Buffer.allocUnsafeSlow(head.length + Math.ceil(kvCount * SnapshotBuffer.bytesPerEntry * 1.05) + 64);
    this.append(head);
  }

  append(part: Uint8Array): void {
    if (this.used + part.length > this.buf.length) {
      this.full.push(this.buf.subarray(0, this.used));
      this.buf = Buffer.allocUnsafeSlow(Math.max(part.length, Math.ceil(this.total / 2)));
      this.used = 0;
    }
    this.buf.set(part, this.used);
    this.used += part.length;
    this.total += part.length;
  }

  async finish(sliceMs: number): Promise<Buffer> {
    if (this.kvCount > 0) SnapshotBuffer.bytesPerEntry = (this.total - this.headLength) / this.kvCount;
    const last = this.buf.subarray(0, this.used);
    return this.full.length === 0 ? last : joinSliced([...this.full, last], this.total, sliceMs);
  }
}

/** `parts` (`total` bytes) in one buffer, copied in slices with the event loop free between them. */
async function joinSliced(parts: Buffer[], total: number, sliceMs: number): Promise<Buffer> {
  const out = Buffer.allocUnsafeSlow(total);
  let off = 0;
  let until = performance.now() + sliceMs;
  for (const p of parts) {
    // A part can be large (a guess far short): copy it in pieces too.
    for (let at = 0; at < p.length; at += JOIN_PIECE) {
      const piece = p.subarray(at, at + JOIN_PIECE);
      out.set(piece, off);
      off += piece.length;
      if (performance.now() > until) {
        await new Promise((resolve) => setImmediate(resolve));
        until = performance.now() + sliceMs;
      }
    }
  }
  return out;
}

export function decodeSnapshot(data: Uint8Array): CatalogSnapshot {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return isV8Serialized(buf) ? decodeV8Snapshot(buf) : decodeTupleSnapshot(buf);
}

function decodeTupleSnapshot(buf: Buffer): CatalogSnapshot {
  const values = packr.unpackMultiple(buf) as unknown[];
  const { Head: head } = deserialize(values[0] as Uint8Array) as { Head: SnapshotHead };
  const kvs: KVRecord[] = [];
  for (let i = 1; i < values.length; i++) {
    for (const t of values[i] as KVTuple[]) kvs.push(fromTuple(t));
  }
  if (kvs.length !== head.KVCount) throw new Error(`catalog snapshot holds ${kvs.length} KV entries, its head says ${head.KVCount}`);
  return snapshotFromStream(head, kvs);
}

/** Formats 1 and 2 (v8). */
function decodeV8Snapshot(buf: Buffer): CatalogSnapshot {
  const input = new DefaultDeserializer(buf);
  input.readHeader();
  const first = input.readValue() as CatalogSnapshot | { Head: SnapshotHead };
  if (!('Head' in first)) return first;
  const head = first.Head;
  const kvs: KVRecord[] = new Array(head.KVCount);
  for (let i = 0; i < head.KVCount; i++) kvs[i] = input.readValue() as KVRecord;
  return snapshotFromStream(head, kvs);
}
