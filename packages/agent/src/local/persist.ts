// Local services and checks are owned by the agent and survive restarts: they are saved to
// `<data-dir>/local-state.json` (temp file, fsync, rename) on every change.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { PersistedLocalState } from './types.js';

const FILE = 'local-state.json';

export function loadLocalState(dataDir: string): PersistedLocalState | null {
  const path = join(dataDir, FILE);
  if (!existsSync(path)) return null;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as PersistedLocalState;
  return parsed.version === 1 ? parsed : null;
}

export function saveLocalState(dataDir: string, state: PersistedLocalState): void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, FILE);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(state));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  // The rename itself must survive a crash too.
  const dirFd = openSync(dataDir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
