/**
 * The agent's own tokens (`default`, `agent`, `agent_recovery`, ...), set from the config and
 * changed by PUT /v1/agent/token/:type. With acl.enable_token_persistence they are kept in
 * `<data_dir>/acl-tokens.json` (written durably: temp file, fsync, rename) and win over the
 * config at the next start, as in Consul.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '@proconsul/catalog';
import type { AclConfig } from './config.js';
import { ANONYMOUS_TOKEN_ID, ANONYMOUS_TOKEN_SECRET } from './identities.js';

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
  dns: 'dns',
  replication: 'replication',
  acl_replication_token: 'replication',
};

const FILE = 'acl-tokens.json';
/** Consul's persisted keys. */
const PERSISTED: Record<string, TokenKey> = { default: 'default', agent: 'agent', agent_recovery: 'agentRecovery', replication: 'replication' };

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
  const body = JSON.stringify({ default: acl.tokens.default, agent: acl.tokens.agent, agent_recovery: acl.tokens.agentRecovery, replication: acl.tokens.replication });
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

/** Consul's token store: the agent token, else the default (user) token. */
export function agentToken(acl: AclConfig): string {
  return acl.tokens.agent || acl.tokens.default;
}

/**
 * The token an agent sends with its own background calls (anti-entropy reads, its coordinate):
 * the agent token, else the default token; none is the anonymous token, as a server takes a
 * token as sent. '' without ACLs.
 */
export function agentCallToken(acl: AclConfig): string {
  return acl.enabled ? agentToken(acl) || ANONYMOUS_TOKEN_SECRET : '';
}

/**
 * The token a client agent sends with one of its own writes, as Consul's anti-entropy picks
 * it: a service (and the checks sent with it) or a node check with the token it was registered
 * with, else the default token; node info and every deregistration with the agent token.
 */
export function ownWriteToken(cmd: Command, acl: AclConfig, tokenOf: (kind: 'service' | 'check', id: string) => string): string {
  if (cmd.Type === 'Register' && cmd.Service) return tokenOf('service', cmd.Service.ID || cmd.Service.Service) || acl.tokens.default;
  if (cmd.Type === 'Register' && cmd.Check) return tokenOf('check', cmd.Check.CheckID || cmd.Check.Name || '') || acl.tokens.default;
  return agentToken(acl);
}

/** Errors that mean "blocked by ACLs" (Consul's acl.IsErrPermissionDenied / IsErrNotFound). */
export function isAclError(err: unknown): boolean {
  return err instanceof Error && (err.message.startsWith('Permission denied') || err.message === 'ACL not found');
}

/** The AccessorID a denial names, as Consul logs it (the anonymous token by its alias). */
export function deniedAccessor(err: unknown): string {
  const id = /AccessorID '([^']*)'/.exec((err as Error).message)?.[1] ?? '';
  return id === ANONYMOUS_TOKEN_ID ? 'anonymous token' : id;
}
