// A FileSystem that is another one with its appended files wrapped: for tests that count or
// delay what reaches the disk.

import type { AppendFile, FileSystem } from '../storage/fs.js';

/** `fs`, each file it opens for appending passed through `wrap`. */
export function wrapAppendFiles(fs: FileSystem, wrap: (f: AppendFile) => AppendFile): FileSystem {
  return {
    openAppend: async (path, opts) => wrap(await fs.openAppend(path, opts)),
    readFile: (path) => fs.readFile(path),
    stat: (path) => fs.stat(path),
    rename: (from, to) => fs.rename(from, to),
    unlink: (path) => fs.unlink(path),
    readdir: (dir) => fs.readdir(dir),
    mkdir: (dir) => fs.mkdir(dir),
    fsyncDir: (dir) => fs.fsyncDir(dir),
  };
}
