// What host-info reads of the machine, as one interface: the real one (files under gopsutil's
// HOST_PROC / HOST_SYS / HOST_ETC roots, uname, statfs) is below; tests give an in-memory one.
import { closeSync, openSync, readdirSync, readSync, statfsSync, statSync } from 'node:fs';
import { hostname, machine, release, uptime } from 'node:os';
import { join } from 'node:path';

/** Bytes read of any one file at most (a /proc/cpuinfo of 1024 CPUs is ~1.5 MiB); the rest is not read. */
export const HOST_FILE_BYTES_MAX = 4 * 1024 * 1024;
const READ_CHUNK_BYTES = 64 * 1024;

/** statfs(2) of a path, as Node's `fs.statfsSync(path, { bigint: true })` gives it. */
export interface Statfs {
  type: bigint;
  bsize: bigint;
  blocks: bigint;
  bfree: bigint;
  bavail: bigint;
  files: bigint;
  ffree: bigint;
}

export interface HostEnv {
  /** gopsutil's HostProc, HostSys, HostEtc: a path under /proc, /sys, /etc (or $HOST_PROC, ...). */
  proc(...parts: string[]): string;
  sys(...parts: string[]): string;
  etc(...parts: string[]): string;
  /** gopsutil's PathExists: the path can be stat'ed. */
  exists(path: string): boolean;
  /** Size in bytes, undefined when the path cannot be stat'ed. */
  size(path: string): number | undefined;
  /** The file's text (its first HOST_FILE_BYTES_MAX bytes); throws as fs does. */
  read(path: string): string;
  /** A directory's entry names; throws as fs does. */
  list(path: string): string[];
  statfs(path: string): Statfs;
  /** Go's runtime.GOOS. */
  os: string;
  hostname(): string;
  /** uname's release and machine. */
  kernelRelease(): string;
  kernelArch(): string;
  /** sysinfo(2)'s uptime in whole seconds. */
  uptimeSec(): number;
  nowMs(): number;
}

/** gopsutil's common.GetEnv: $name, or the default, joined with the parts. */
const root = (name: string, fallback: string) => (...parts: string[]): string => join(process.env[name] || fallback, ...parts);

function readBounded(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    // procfs reports a size of 0: read until EOF, never past the bound.
    while (total < HOST_FILE_BYTES_MAX) {
      const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, HOST_FILE_BYTES_MAX - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const GOOS: Record<string, string> = { win32: 'windows', sunos: 'solaris' };

export const SYSTEM_ENV: HostEnv = {
  proc: root('HOST_PROC', '/proc'),
  sys: root('HOST_SYS', '/sys'),
  etc: root('HOST_ETC', '/etc'),
  exists: (path) => statSync(path, { throwIfNoEntry: false }) !== undefined,
  size: (path) => statSync(path, { throwIfNoEntry: false })?.size,
  read: readBounded,
  list: (path) => readdirSync(path),
  statfs: (path) => statfsSync(path, { bigint: true }),
  os: GOOS[process.platform] ?? process.platform,
  hostname,
  kernelRelease: release,
  kernelArch: machine,
  uptimeSec: () => Math.floor(uptime()),
  nowMs: Date.now,
};

/** A Node fs error as Go's *PathError prints it (`open /x: no such file or directory`); other errors by message. */
export function goErrorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as NodeJS.ErrnoException;
  const description = /^[A-Z0-9_]+: (.*?), \w+ '/.exec(e.message)?.[1];
  if (e.syscall && e.path && description) return `${e.syscall} ${e.path}: ${description}`;
  return e.message;
}

/** gopsutil's common.ReadLines: the lines of a file, no trailing empty line; undefined when it cannot be read. */
export function readLines(env: HostEnv, path: string): string[] | undefined {
  let text: string;
  try {
    text = env.read(path);
  } catch {
    return undefined;
  }
  return splitLines(text);
}

export function splitLines(text: string): string[] {
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}
