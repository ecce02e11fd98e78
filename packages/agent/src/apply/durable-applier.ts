// Single-server durability (`-server -bootstrap -data-dir D`): a command is acknowledged only
// after its record is on disk. Commands that arrive while a batch is being fsynced wait and go
// into the next batch together (group commit). Every `snapshotEvery` commands the whole state is
// written to a snapshot (temp file, fsync, rename, fsync dir) and older log segments are removed.
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { deserialize, serialize } from 'node:v8';
import { indexAfterRestore, type Applier, type StateMachine } from './applier.js';
import {
  CorruptLogError,
  encodeRecord,
  fsyncDir,
  listSegments,
  recoverLog,
  removeSegmentsBefore,
  segmentName,
  SegmentWriter,
} from './command-log.js';

export interface DurableApplierOptions {
  /** Directory holding the snapshot and the log segments. */
  dir: string;
  /** Commands between snapshots. */
  snapshotEvery?: number;
  /** Called with what recovery found (for logging). */
  onRecovered?: (info: { snapshotIndex: number; replayed: number; truncatedBytes: number }) => void;
  onSnapshot?: (info: { index: number; bytes: number }) => void;
}

interface Pending<C, R> {
  command: C;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

const SNAPSHOT_FILE = 'snapshot.bin';

export class DurableApplier<C, R> implements Applier<C, R> {
  #index = 0;
  #sinceSnapshot = 0;
  #queue: Pending<C, R>[] = [];
  #flushing: Promise<void> | null = null;
  #broken: Error | null = null;
  #closed = false;

  private constructor(
    private readonly fsm: StateMachine<C, R>,
    private readonly opts: Required<Omit<DurableApplierOptions, 'onRecovered' | 'onSnapshot'>> & DurableApplierOptions,
    private writer: SegmentWriter,
  ) {}

  /** Restores the snapshot, replays the log after it, and opens the log for appends. */
  static async open<C, R>(fsm: StateMachine<C, R>, options: DurableApplierOptions): Promise<DurableApplier<C, R>> {
    const opts = { snapshotEvery: 4096, ...options };
    mkdirSync(opts.dir, { recursive: true });
    const snap = readSnapshot(opts.dir);
    if (snap) fsm.restore(snap.state);
    const snapshotIndex = snap?.index ?? 0;
    const { entries, truncatedBytes } = recoverLog<C>(opts.dir, snapshotIndex);
    for (const e of entries) applyQuietly(fsm, e.command, e.index);
    const lastIndex = entries.length > 0 ? entries[entries.length - 1]!.index : snapshotIndex;
    opts.onRecovered?.({ snapshotIndex, replayed: entries.length, truncatedBytes });
    // Appends continue in the newest segment, or a new one starting after the snapshot.
    const segPath = join(opts.dir, segmentName(lastIndex + 1));
    const writer = await SegmentWriter.open(entries.length > 0 ? lastSegmentPath(opts.dir) : segPath);
    fsyncDir(opts.dir);
    const applier = new DurableApplier(fsm, opts, writer);
    applier.#index = lastIndex;
    applier.#sinceSnapshot = entries.length;
    return applier;
  }

  get lastIndex(): number {
    return this.#index;
  }

  apply(command: C): Promise<R> {
    if (this.#broken) return Promise.reject(this.#broken);
    if (this.#closed) return Promise.reject(new Error('applier is closed'));
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ command, resolve, reject });
      if (!this.#flushing) this.#flushing = this.#flushLoop();
    });
  }

  /**
   * Replaces the state after every command accepted so far, then makes it durable as a new
   * snapshot (the log before it is dropped). Commands that arrive meanwhile wait for it.
   */
  async restore(snapshot: unknown): Promise<void> {
    if (this.#broken) throw this.#broken;
    while (this.#flushing) await this.#flushing;
    const run = (async () => {
      this.fsm.restore(snapshot);
      this.#index = indexAfterRestore(this.#index, this.fsm);
      await this.snapshotNow();
    })();
    this.#flushing = run.then(
      () => undefined,
      () => undefined,
    );
    try {
      await run;
    } finally {
      this.#flushing = null;
      if (this.#queue.length > 0) this.#flushing = this.#flushLoop();
    }
  }

  async #flushLoop(): Promise<void> {
    try {
      while (this.#queue.length > 0 && !this.#broken) {
        const batch = this.#queue.splice(0, this.#queue.length);
        const first = this.#index + 1;
        const records = batch.map((p, i) => encodeRecord({ index: first + i, command: p.command }));
        try {
          await this.writer.appendDurably(records);
        } catch (err) {
          // The tail of the log is now unknown: refuse further writes rather than guess.
          this.#broken = new Error(`command log write failed: ${(err as Error).message}`);
          for (const p of batch) p.reject(this.#broken);
          for (const p of this.#queue.splice(0)) p.reject(this.#broken);
          return;
        }
        for (const p of batch) {
          const index = ++this.#index;
          try {
            p.resolve(this.fsm.apply(index, p.command));
          } catch (err) {
            p.reject(err);
          }
        }
        this.#sinceSnapshot += batch.length;
        if (this.#sinceSnapshot >= this.opts.snapshotEvery) await this.snapshotNow();
      }
    } finally {
      this.#flushing = null;
    }
  }

  /** Writes a snapshot of the state at `lastIndex` and drops the log before it. */
  async snapshotNow(): Promise<void> {
    const dir = this.opts.dir;
    const index = this.#index;
    const body = serialize({ index, state: this.fsm.snapshot() });
    const header = Buffer.allocUnsafe(8);
    header.writeUInt32LE(body.length, 0);
    header.writeUInt32LE(crc32(body), 4);
    const tmp = join(dir, `${SNAPSHOT_FILE}.tmp`);
    writeFileSync(tmp, Buffer.concat([header, body]));
    const fd = openSync(tmp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, SNAPSHOT_FILE));
    // New appends go to a fresh segment; every older one is covered by the snapshot.
    await this.writer.close();
    this.writer = await SegmentWriter.open(join(dir, segmentName(index + 1)));
    fsyncDir(dir);
    removeSegmentsBefore(dir, index + 1);
    this.#sinceSnapshot = 0;
    this.opts.onSnapshot?.({ index, bytes: body.length });
  }

  async close(): Promise<void> {
    this.#closed = true;
    while (this.#flushing) await this.#flushing;
    await this.writer.close();
  }
}

function applyQuietly<C, R>(fsm: StateMachine<C, R>, command: C, index: number): void {
  try {
    fsm.apply(index, command);
  } catch {
    // The command failed the same way when it was first applied; its result was an error then too.
  }
}

function readSnapshot(dir: string): { index: number; state: unknown } | null {
  const path = join(dir, SNAPSHOT_FILE);
  if (!existsSync(path)) return null;
  const buf = readFileSync(path);
  const length = buf.length >= 8 ? buf.readUInt32LE(0) : -1;
  const body = buf.subarray(8);
  if (length !== body.length || crc32(body) !== buf.readUInt32LE(4)) {
    throw new CorruptLogError(`snapshot ${path} is corrupt (checksum mismatch)`);
  }
  return deserialize(body) as { index: number; state: unknown };
}

function lastSegmentPath(dir: string): string {
  const segs = listSegments(dir);
  return join(dir, segs[segs.length - 1]!.name);
}
