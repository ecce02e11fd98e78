/**
 * Consul's ACL bootstrap reset (agent/consul/acl_endpoint.go fileBootstrapResetIndex): once
 * bootstrapped, `PUT /v1/acl/bootstrap` is refused with the reset index; an operator who lost
 * the management token writes that index to `<data-dir>/acl-bootstrap-reset` on the leader and
 * bootstraps again. The file is removed once read with the right index, so a later snapshot
 * restore cannot reopen bootstrapping by accident.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.js';

export const BOOTSTRAP_RESET_FILE = 'acl-bootstrap-reset';

/** The index written in the reset file, 0 when there is none or it does not parse (logged). */
export function fileBootstrapResetIndex(dataDir: string, log: Logger): number {
  if (dataDir === '') return 0;
  const path = join(dataDir, BOOTSTRAP_RESET_FILE);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.error({ path, error: (err as Error).message }, 'bootstrap: failed to read path');
    return 0;
  }
  // fmt.Sscanf("%d") into a uint64: leading spaces skipped, digits up to the first non-digit.
  const m = /^\s*\+?(\d+)/.exec(raw);
  const idx = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(idx)) {
    log.error({ path, error: 'expected integer' }, 'failed to parse bootstrap reset index path');
    return 0;
  }
  log.debug({ path, reset_index: idx }, 'parsed bootstrap reset index path');
  return idx;
}

export function removeBootstrapResetFile(dataDir: string, log: Logger): void {
  try {
    rmSync(join(dataDir, BOOTSTRAP_RESET_FILE));
  } catch (err) {
    log.warn({ error: (err as Error).message }, 'failed to remove bootstrap file');
  }
}
