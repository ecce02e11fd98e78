// Local services and checks are owned by the agent and survive restarts: they are saved to
// `<data-dir>/local-state.json` (temp file, fsync, rename) on every change.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../durable-file.js';
import type { PersistedLocalState } from './types.js';

const FILE = 'local-state.json';

export function loadLocalState(dataDir: string): PersistedLocalState | null {
  const path = join(dataDir, FILE);
  if (!existsSync(path)) return null;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as PersistedLocalState;
  return parsed.version === 1 ? parsed : null;
}

export function saveLocalState(dataDir: string, state: PersistedLocalState): void {
  writeFileDurably(join(dataDir, FILE), JSON.stringify(state), 0o644);
}
