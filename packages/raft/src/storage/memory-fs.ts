// An in-memory FileSystem with the crash semantics of a real disk, for `-dev` mode (no faults)
// and for the simulator and storage tests (faults on request):
//
// - crash(): bytes not made durable by datasync (or a `dsync` append) are lost, except that a
//   random prefix of a file's unsynced tail may survive (a torn last write); a file created,
//   renamed or unlinked since its directory's last fsyncDir may revert to the directory's
//   durable entries.
// - faults: short writes, a capacity in bytes (ENOSPC, after a short write as on Linux), EIO
//   from datasync/fsyncDir/`dsync` appends for chosen paths, a crash after the N-th mutating
//   operation (every later operation fails until crash()), bit flips.

import { basename, dirname as parentOf, resolve } from 'node:path';
import type { RandomSource } from '../rand.js';
import { seededRandom } from '../rand.js';
import type { AppendFile, FileSystem, OpenOptions } from './fs.js';

/** Thrown by every operation from a planned crash point until crash() is called. */
export class SimulatedCrashError extends Error {
  override name = 'SimulatedCrashError';
}

export interface MemoryFaults {
  /** Bytes all files may hold together; an append beyond is cut short, the next one fails with ENOSPC. */
  capacityBytes: number;
  /** Probability (0..1) that an append writes only part of its bytes. */
  shortWriteRate: number;
  /** Paths whose datasync (or directory fsync) fails with EIO. */
  syncFails: (path: string) => boolean;
  /** Mutating operations left before a planned crash (null: none planned). */
  crashAfterOps: number | null;
}

interface Inode {
  /** Its current name (error messages and fault predicates follow renames). */
  path: string;
  data: Uint8Array;
  len: number;
  /** Bytes [0, durableLen) are durable, unless `durableImage` says otherwise (after a truncate). */
  durableLen: number;
  durableImage: Uint8Array | null;
}

interface Dir {
  live: Map<string, Inode>;
  durable: Map<string, Inode>;
}

/** Paths are resolved against '/', so relative data dirs work too. */
function dirname(p: string): string {
  return parentOf(resolve('/', p));
}

function norm(p: string): string {
  return resolve('/', p);
}

function err(code: string, msg: string): Error {
  return Object.assign(new Error(`${code}: ${msg}`), { code });
}

export class MemoryFileSystem implements FileSystem {
  readonly faults: MemoryFaults = { capacityBytes: Infinity, shortWriteRate: 0, syncFails: () => false, crashAfterOps: null };
  /** Mutating operations performed (to plan a crash at each one in turn). */
  ops = 0;
  private dirs = new Map<string, Dir>();
  private crashed = false;
  private generation = 0;
  private readonly random: RandomSource;

  constructor(opts: { random?: RandomSource } = {}) {
    this.random = opts.random ?? seededRandom(1);
    this.dirs.set('/', { live: new Map(), durable: new Map() });
  }

  // ------------------------------------------------------------- FileSystem

  async openAppend(path: string, opts: OpenOptions = {}): Promise<AppendFile> {
    const d = this.dirOf(path);
    let ino = d.live.get(basename(path));
    if (!ino) {
      this.mutate();
      ino = { path: norm(path), data: new Uint8Array(256), len: 0, durableLen: 0, durableImage: null };
      d.live.set(basename(path), ino);
    }
    return new MemoryAppendFile(this, ino, this.generation, opts.dsync === true);
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.check();
    const ino = this.dirOf(path).live.get(basename(path));
    if (!ino) throw err('ENOENT', `no such file ${path}`);
    return ino.data.slice(0, ino.len);
  }

  async stat(path: string): Promise<{ size: number } | null> {
    this.check();
    if (this.dirs.has(norm(path))) return { size: 0 };
    const ino = this.dirs.get(dirname(path))?.live.get(basename(path));
    return ino ? { size: ino.len } : null;
  }

  async rename(from: string, to: string): Promise<void> {
    const a = this.dirOf(from);
    const ino = a.live.get(basename(from));
    if (!ino) throw err('ENOENT', `no such file ${from}`);
    this.mutate();
    a.live.delete(basename(from));
    this.dirOf(to).live.set(basename(to), ino);
    ino.path = norm(to);
  }

  async unlink(path: string): Promise<void> {
    const d = this.dirOf(path);
    if (!d.live.has(basename(path))) throw err('ENOENT', `no such file ${path}`);
    this.mutate();
    d.live.delete(basename(path));
  }

  async readdir(dir: string): Promise<string[]> {
    this.check();
    const d = this.dirs.get(norm(dir));
    if (!d) throw err('ENOENT', `no such directory ${dir}`);
    return [...d.live.keys()].sort();
  }

  async mkdir(dir: string): Promise<void> {
    this.check();
    // Directories themselves are durable at once: only their entries have crash semantics.
    for (let p = norm(dir); !this.dirs.has(p); p = dirname(p)) this.dirs.set(p, { live: new Map(), durable: new Map() });
  }

  async fsyncDir(dir: string): Promise<void> {
    const d = this.dirs.get(norm(dir));
    if (!d) throw err('ENOENT', `no such directory ${dir}`);
    this.mutate();
    if (this.faults.syncFails(dir)) throw err('EIO', `fsync ${dir}`);
    d.durable = new Map(d.live);
  }

  // ------------------------------------------------------------- faults

  /**
   * The machine loses power: every file and directory falls back to its durable state (a
   * random prefix of each unsynced file tail may survive). Open files become unusable.
   */
  crash(): void {
    this.crashed = false;
    this.faults.crashAfterOps = null;
    this.generation++;
    const inodes = new Set<Inode>();
    for (const d of this.dirs.values()) {
      d.live = new Map(d.durable);
      for (const ino of d.live.values()) inodes.add(ino);
    }
    for (const ino of inodes) {
      if (ino.durableImage !== null) {
        ino.data = ino.durableImage.slice();
        ino.len = ino.durableImage.length;
      } else if (ino.len > ino.durableLen) {
        // A torn write: some prefix of what was not synced made it to the platter.
        ino.len = ino.durableLen + this.random(ino.len - ino.durableLen + 1);
      }
      ino.durableLen = ino.len;
      ino.durableImage = null;
    }
  }

  /** Flips one bit of a file in place (as a disk error would). */
  flipBit(path: string, offset: number, bit = 0): void {
    const ino = this.dirOf(path).live.get(basename(path));
    if (!ino || offset >= ino.len) throw new Error(`flipBit: ${path} has no byte ${offset}`);
    ino.data[offset] ^= 1 << bit;
    if (ino.durableImage && offset < ino.durableImage.length) ino.durableImage[offset] ^= 1 << bit;
  }

  /** Cuts a file to `length` bytes, durably (an operator or a bad disk, not a crash). */
  chop(path: string, length: number): void {
    const ino = this.dirOf(path).live.get(basename(path));
    if (!ino) throw new Error(`chop: no file ${path}`);
    ino.len = Math.min(ino.len, length);
    ino.durableLen = ino.len;
    ino.durableImage = null;
  }

  /** Removes a file durably (an operator's rm), bypassing crash semantics. */
  remove(path: string): void {
    const d = this.dirOf(path);
    d.live.delete(basename(path));
    d.durable.delete(basename(path));
  }

  /** Total bytes held by files (for the capacity fault). */
  usedBytes(): number {
    const inodes = new Set<Inode>();
    for (const d of this.dirs.values()) for (const ino of d.live.values()) inodes.add(ino);
    let n = 0;
    for (const ino of inodes) n += ino.len;
    return n;
  }

  // ------------------------------------------------------------- internals

  /** @internal */
  check(generation = this.generation): void {
    if (this.crashed) throw new SimulatedCrashError('the machine crashed');
    if (generation !== this.generation) throw err('EBADF', 'file handle from before a crash');
  }

  /** @internal Counts a mutating operation and fires a planned crash. */
  mutate(generation = this.generation): void {
    this.check(generation);
    this.ops++;
    const f = this.faults;
    if (f.crashAfterOps !== null && f.crashAfterOps-- <= 0) {
      this.crashed = true;
      throw new SimulatedCrashError('planned crash');
    }
  }

  /** @internal */
  appendTo(ino: Inode, data: Uint8Array): number {
    let n = data.length;
    if (this.faults.shortWriteRate > 0 && n > 1 && this.random(1000) < this.faults.shortWriteRate * 1000) n = 1 + this.random(n - 1);
    if (this.faults.capacityBytes !== Infinity) {
      const free = this.faults.capacityBytes - this.usedBytes();
      if (free <= 0) throw err('ENOSPC', 'no space left on device');
      n = Math.min(n, free);
    }
    if (ino.len + n > ino.data.length) {
      const grown = new Uint8Array(Math.max(ino.data.length * 2, ino.len + n));
      grown.set(ino.data.subarray(0, ino.len));
      ino.data = grown;
    }
    ino.data.set(data.subarray(0, n), ino.len);
    ino.len += n;
    return n;
  }

  /** @internal */
  truncateInode(ino: Inode, length: number): void {
    if (length < ino.durableLen && ino.durableImage === null) ino.durableImage = ino.data.slice(0, ino.durableLen);
    if (length > ino.len) {
      const grown = new Uint8Array(length);
      grown.set(ino.data.subarray(0, ino.len));
      ino.data = grown;
    }
    ino.len = length;
  }

  /** @internal `op` names the call in the EIO a failing path gets. */
  syncInode(ino: Inode, op = 'fdatasync'): void {
    if (this.faults.syncFails(ino.path)) throw err('EIO', `${op} ${ino.path}`);
    ino.durableLen = ino.len;
    ino.durableImage = null;
  }

  private dirOf(path: string): Dir {
    const d = this.dirs.get(dirname(path));
    if (!d) throw err('ENOENT', `no such directory ${dirname(path)}`);
    return d;
  }
}

class MemoryAppendFile implements AppendFile {
  private closed = false;
  constructor(
    private readonly fs: MemoryFileSystem,
    private readonly ino: Inode,
    private readonly generation: number,
    private readonly dsync: boolean,
  ) {}

  async append(data: Uint8Array): Promise<number> {
    this.live();
    if (!this.dsync) {
      this.fs.mutate(this.generation);
      return this.fs.appendTo(this.ino, data);
    }
    // O_DSYNC: the bytes reach the file, then the write waits for the disk. A crash or EIO in
    // that wait leaves them in the file but not durable: a crash keeps any prefix of them.
    this.fs.check(this.generation);
    const n = this.fs.appendTo(this.ino, data);
    this.fs.mutate(this.generation);
    this.fs.syncInode(this.ino, 'write');
    return n;
  }

  async datasync(): Promise<void> {
    this.live();
    this.fs.mutate(this.generation);
    this.fs.syncInode(this.ino);
  }

  async truncate(length: number): Promise<void> {
    this.live();
    this.fs.mutate(this.generation);
    this.fs.truncateInode(this.ino, length);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private live(): void {
    if (this.closed) throw Object.assign(new Error(`EBADF: ${this.ino.path} is closed`), { code: 'EBADF' });
  }
}
