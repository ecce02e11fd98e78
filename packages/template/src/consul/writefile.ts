// consul-template's writeToFile: `{{ key "cert" | writeToFile "/etc/ssl/x.pem" "user" "group" "0600" "append,newline" }}`
// writes the piped content to a file, sets its owner and mode, and renders "".
// Like consul-template it writes on every render, and refuses a symlink as the
// file or as its directory.

import { closeSync, constants, fchmodSync, fchownSync, lstatSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { goQuote } from '../engine/fmt.js';
import { typeName } from '../engine/values.js';
import { resolveId } from '../os-user.js';

// Go's syscall error texts where libuv words them differently.
const GO_ERRNO: Record<string, string> = {
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  EEXIST: 'file exists',
};

/** An fs error as Go's *PathError prints it: "open /x: permission denied". */
function pathError(op: string, path: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  if (!err.code) return err instanceof Error ? err : new Error(String(e));
  const text = GO_ERRNO[err.code] ?? /^[A-Z0-9]+: (.*?)(?:, \w+(?: '.*')?)?$/s.exec(err.message)?.[1] ?? err.message;
  return new Error(`${op} ${path}: ${text}`);
}

/** strconv.ParseUint(s, 8, 32). */
function parsePerm(s: string): number {
  if (!/^[0-7]+$/.test(s)) throw new Error(`strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`);
  const n = parseInt(s, 8);
  if (n > 0xffffffff) throw new Error(`strconv.ParseUint: parsing ${goQuote(s)}: value out of range`);
  return n;
}

/**
 * os.FileMode(n) as Go hands it to open and chmod: the 0777 bits, plus
 * setuid/setgid/sticky only as Go's own mode bits (1<<23, 1<<22, 1<<20), so
 * "4755" is 0755, as with consul-template.
 */
function fileMode(n: number): number {
  let mode = n & 0o777;
  if (n & (1 << 23)) mode |= 0o4000;
  if (n & (1 << 22)) mode |= 0o2000;
  if (n & (1 << 20)) mode |= 0o1000;
  return mode;
}

/** filepath.Clean for the path forms a template gives. */
function goClean(p: string): string {
  if (p === '') return '.';
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

function isNotExist(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

export function writeToFile(path: string, username: string, groupName: string, permissions: string, ...args: string[]): string {
  for (const v of [path, username, groupName, permissions, ...args]) {
    if (typeof v !== 'string') throw new Error(`wrong type for value; expected string; got ${typeName(v)}`);
  }
  if (args.length === 0) throw new Error('runtime error: index out of range [-1]');
  const flags = args.length === 2 ? args[0]! : '';
  const content = args[args.length - 1]!;
  const perm = fileMode(parsePerm(permissions));

  const cleanPath = goClean(path);
  const dirPath = dirname(cleanPath);
  try {
    statSync(dirPath);
  } catch (e) {
    if (!isNotExist(e)) throw pathError('stat', dirPath, e);
    try {
      mkdirSync(dirPath, { recursive: true, mode: 0o777 });
    } catch (e2) {
      throw pathError('mkdir', dirPath, e2);
    }
  }
  // A symlinked directory or file would send the write elsewhere.
  let dirIsLink: boolean;
  try {
    dirIsLink = lstatSync(dirPath).isSymbolicLink();
  } catch (e) {
    throw new Error(`writeToFile: failed to stat directory ${goQuote(dirPath)}: ${pathError('lstat', dirPath, e).message}`);
  }
  if (dirIsLink) throw new Error(`writeToFile: refusing to write through symlinked directory in path ${goQuote(path)}`);
  const resolvedPath = join(dirPath, basename(cleanPath));
  try {
    if (lstatSync(resolvedPath).isSymbolicLink()) throw new Error(`writeToFile: refusing to write to symlink ${goQuote(path)}`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === undefined) throw e;
    if (!isNotExist(e)) throw new Error(`writeToFile: failed to stat ${goQuote(resolvedPath)}: ${pathError('lstat', resolvedPath, e).message}`);
  }

  // O_NOFOLLOW closes the window between the check above and the open.
  const append = flags.includes('append');
  const openFlags = append
    ? constants.O_APPEND | constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW
    : constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
  let fd: number;
  try {
    fd = openSync(resolvedPath, openFlags, perm);
  } catch (e) {
    throw pathError('open', resolvedPath, e);
  }
  try {
    const data = Buffer.from(flags.includes('newline') ? content + '\n' : content);
    try {
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
    } catch (e) {
      throw pathError('write', resolvedPath, e);
    }
    // As consul-template: names are looked up after the write, and an empty one means the current id.
    const uid = username === '' ? process.getuid!() : resolveId(username, 'user');
    const gid = groupName === '' ? process.getgid!() : resolveId(groupName, 'group');
    if (username !== '' || groupName !== '') {
      try {
        fchownSync(fd, uid, gid);
      } catch (e) {
        throw pathError('chown', resolvedPath, e);
      }
    }
    try {
      fchmodSync(fd, perm);
    } catch (e) {
      throw pathError('chmod', resolvedPath, e);
    }
  } finally {
    closeSync(fd);
  }
  return '';
}
