import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The node's UUID: from config, else from `<data-dir>/node-id` (Consul keeps it there), else new
 * (and saved when there is a data dir). A -dev agent gets a new one each start.
 */
export function resolveNodeId(configured: string, dataDir: string): string {
  if (configured) return configured.toLowerCase();
  if (!dataDir) return randomUUID();
  const path = join(dataDir, 'node-id');
  if (existsSync(path)) {
    const id = readFileSync(path, 'utf8').trim();
    if (UUID_RE.test(id)) return id.toLowerCase();
  }
  const id = randomUUID();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, id);
  return id;
}
