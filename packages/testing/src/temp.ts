import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  readonly path: string;
  /** Deletes the directory and everything in it (no error if it is already gone). */
  remove(): void;
}

/** A fresh directory under the OS temp dir, named `<prefix>XXXXXX`. */
export function tempDir(prefix = 'proconsul-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
