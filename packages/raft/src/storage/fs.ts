// The file-system seam under Raft storage: only the operations the WAL and the snapshot
// files use. `nodeFileSystem` is the real one; `MemoryFileSystem` (memory-fs.ts) keeps files
// in memory with crash semantics for `-dev` mode and the simulator.
//
// Errors carry Node's `code` ('ENOENT', 'ENOSPC', 'EIO', ...), whichever implementation.

import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';

/** A file opened for appending (WAL segments, temp files). */
export interface AppendFile {
  /**
   * Writes at the end of the file. Like write(2) it may write fewer bytes than given and
   * returns how many it wrote; callers loop (see writeAll). On a file opened with `dsync`
   * the bytes written are durable (data and the size needed to read them back) when it
   * resolves, as with O_DSYNC; a rejection leaves them in doubt.
   */
  append(data: Uint8Array): Promise<number>;
  /** fdatasync(2): the file's data (and size) are durable when this resolves. */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * Every append is durable when it resolves (O_DSYNC): one system call, one trip through
   * the thread pool, instead of a write and an fdatasync.
   */
  dsync?: boolean;
}

export interface FileSystem {
  /** Opens `path` for appending, creating it when absent. */
  openAppend(path: string, opts?: OpenOptions): Promise<AppendFile>;
  /** The whole file; rejects with code ENOENT when absent. */
  readFile(path: string): Promise<Uint8Array>;
  /** Size in bytes, or null when absent. */
  stat(path: string): Promise<{ size: number } | null>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readdir(dir: string): Promise<string[]>;
  /** mkdir -p */
  mkdir(dir: string): Promise<void>;
  /** fsync(2) of a directory: creations, renames and unlinks in it become durable. */
  fsyncDir(dir: string): Promise<void>;
}

/** Writes every byte or throws: short writes (a full disk, a signal) are continued, never ignored. */
export async function writeAll(f: AppendFile, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const n = await f.append(off === 0 ? data : data.subarray(off));
    if (!Number.isInteger(n) || n < 0) throw new Error(`write returned ${n}`);
    if (n === 0) throw Object.assign(new Error('write wrote 0 bytes'), { code: 'ENOSPC' });
    off += n;
  }
}

export function errorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

class NodeAppendFile implements AppendFile {
  /** `syncEach`: a platform without O_DSYNC gets the same guarantee from an fdatasync per append. */
  constructor(
    private readonly fh: FileHandle,
    private readonly syncEach: boolean,
  ) {}
  async append(data: Uint8Array): Promise<number> {
    // The file is opened with O_APPEND, so the position argument is ignored by the kernel.
    const n = (await this.fh.write(data, 0, data.length, null)).bytesWritten;
    if (this.syncEach) await this.fh.datasync();
    return n;
  }
  datasync(): Promise<void> {
    return this.fh.datasync();
  }
  truncate(length: number): Promise<void> {
    return this.fh.truncate(length);
  }
  close(): Promise<void> {
    return this.fh.close();
  }
}

/** The real file system (node:fs). */
export const nodeFileSystem: FileSystem = {
  async openAppend(path, opts = {}) {
    const { O_APPEND, O_CREAT, O_DSYNC, O_WRONLY } = constants;
    const dsync = opts.dsync === true && O_DSYNC !== undefined;
    const fh = await open(path, O_WRONLY | O_CREAT | O_APPEND | (dsync ? O_DSYNC : 0));
    return new NodeAppendFile(fh, opts.dsync === true && !dsync);
  },
  async readFile(path) {
    const fh = await open(path, 'r');
    try {
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  },
  async stat(path) {
    try {
      return { size: (await stat(path)).size };
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return null;
      throw e;
    }
  },
  rename: (from, to) => rename(from, to),
  unlink: (path) => unlink(path),
  readdir: (dir) => readdir(dir),
  async mkdir(dir) {
    await mkdir(dir, { recursive: true });
  },
  async fsyncDir(dir) {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
};
