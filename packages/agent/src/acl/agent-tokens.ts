/**
 * The agent's own tokens (`default`, `agent`, `agent_recovery`, ...), set from the config and
 * changed by PUT /v1/agent/token/:type. With acl.enable_token_persistence they are kept in
 * `<data_dir>/acl-tokens.json` (written durably: temp file, fsync, rename) and win over the
 * config at the next start, as in Consul.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AclConfig } from './config.js';

type TokenKey = keyof AclConfig['tokens'];

/** URL type (and Consul's legacy names) -> config token. */
export const AGENT_TOKEN_TYPES: Record<string, TokenKey> = {
  default: 'default',
  acl_token: 'default',
  agent: 'agent',
  acl_agent_token: 'agent',
  agent_recovery: 'agentRecovery',
  agent_master: 'agentRecovery',
  acl_agent_master_token: 'agentRecovery',
};

const FILE = 'acl-tokens.json';
/** Consul's persisted keys. */
const PERSISTED: Record<string, TokenKey> = { default: 'default', agent: 'agent', agent_recovery: 'agentRecovery' };

/** Applies tokens persisted by an earlier run (no file: nothing to do; a corrupt file stops the start). */
export function loadPersistedTokens(acl: AclConfig, dataDir: string): void {
  if (!acl.enableTokenPersistence || dataDir === '') return;
  let text: string;
  try {
    text = readFileSync(join(dataDir, FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch {
    throw new Error(`Failed to decode tokens file ${join(dataDir, FILE)}: not valid JSON`);
  }
  if (saved === null || typeof saved !== 'object') throw new Error(`Failed to decode tokens file ${join(dataDir, FILE)}`);
  for (const [k, key] of Object.entries(PERSISTED)) {
    const v = (saved as Record<string, unknown>)[k];
    if (typeof v === 'string' && v !== '') acl.tokens[key] = v;
  }
}

function persist(acl: AclConfig, dataDir: string): void {
  const path = join(dataDir, FILE);
  const tmp = `${path}.tmp`;
  const body = JSON.stringify({ default: acl.tokens.default, agent: acl.tokens.agent, agent_recovery: acl.tokens.agentRecovery });
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Sets one of the agent's tokens; persisted first when persistence is on, so a crash keeps it. */
export function setAgentToken(acl: AclConfig, dataDir: string, key: TokenKey, token: string): void {
  const before = acl.tokens[key];
  acl.tokens[key] = token;
  if (!acl.enableTokenPersistence || dataDir === '') return;
  try {
    persist(acl, dataDir);
  } catch (err) {
    acl.tokens[key] = before;
    throw err;
  }
}
