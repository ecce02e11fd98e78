// Gossip encryption keys across the cluster (serf's KeyManager and internal keyring queries):
// an operation is a query every member answers after applying it to its own keyring, and the
// answers are counted into Consul's KeyringResponse. Installed keys are kept in
// <data-dir>/serf/local.keyring (a JSON list, the primary first) as Consul keeps them; a
// server's WAN pool has its own keyring in serf/remote.keyring, changed by the same
// operations (run over the WAN pool first, then the LAN pool, as Consul does).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeKey, Keyring } from '@proconsul/gossip';
import { writeFileDurably } from '../durable-file.js';
import { multiError } from '../multi-error.js';
import type { LanPool } from './lan.js';

export const KEYRING_FILE = join('serf', 'local.keyring');
export const WAN_KEYRING_FILE = join('serf', 'remote.keyring');
const QUERY = '_serf_keyring';

export type KeyringOp = 'list' | 'install' | 'use' | 'remove';

/** structs.KeyringResponse as /v1/operator/keyring returns it. */
export interface KeyringResponse {
  WAN: boolean;
  Datacenter: string;
  Segment: string;
  Messages?: Record<string, string>;
  Keys: Record<string, number>;
  PrimaryKeys: Record<string, number>;
  NumNodes: number;
  Error?: string;
}

interface NodeAnswer {
  ok: boolean;
  msg?: string;
  keys?: string[];
  primary?: string;
}

/**
 * The keyring to start with: the keyring file when it exists (it has the keys installed since,
 * and wins over `encrypt`, as in Consul), else `encrypt`, else none (plaintext gossip).
 */
export function loadKeyring(encrypt: string, dataDir: string, name = KEYRING_FILE): { keyring?: Keyring; fromFile: boolean } {
  const file = dataDir ? join(dataDir, name) : '';
  if (file && existsSync(file)) {
    let keys: unknown;
    try {
      keys = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`Error loading keyring file ${file}: ${(err as Error).message}`);
    }
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'string')) {
      throw new Error(`no keys present in keyring: ${file}`);
    }
    return { keyring: new Keyring(keys as string[]), fromFile: true };
  }
  if (!encrypt) return { fromFile: false };
  const keyring = new Keyring([encrypt]);
  if (file) writeKeyringFile(file, keyring);
  return { keyring, fromFile: false };
}

function writeKeyringFile(file: string, keyring: Keyring): void {
  writeFileDurably(file, JSON.stringify(keyring.list().keys));
}

/** Checks a key before it is sent around: base64 of 16, 24 or 32 bytes. */
export function validateKey(key: string): string | undefined {
  try {
    decodeKey(key);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

interface KeyedPool {
  pool: LanPool;
  wan: boolean;
  /** Where this pool's keyring is kept ('' in -dev). */
  file: string;
}

export class KeyringManager {
  readonly #pools: KeyedPool[] = [];

  constructor(
    lan: LanPool,
    private readonly datacenter: string,
    private readonly dataDir: string,
  ) {
    this.#add({ pool: lan, wan: false, file: dataDir ? join(dataDir, KEYRING_FILE) : '' });
  }

  /** A server's WAN pool: its operations run first, as in Consul. */
  addWan(wan: LanPool): void {
    this.#add({ pool: wan, wan: true, file: this.dataDir ? join(this.dataDir, WAN_KEYRING_FILE) : '' });
  }

  #add(p: KeyedPool): void {
    p.pool.handleQuery(QUERY, (body) => this.#apply(p, body));
    if (p.wan) this.#pools.unshift(p);
    else this.#pools.push(p);
  }

  /**
   * Runs `op` on every member of every pool (or, `localOnly`, lists this member's keys only;
   * with a `relayFactor` each answer also travels through that many other members); the error
   * is Consul's text when any member failed or did not answer.
   */
  async run(op: KeyringOp, key = '', opts: { localOnly?: boolean; relayFactor?: number; lanOnly?: boolean } = {}): Promise<KeyringResponse[]> {
    const responses: KeyringResponse[] = [];
    // local-only lists this member's LAN keyring only (Consul's KeyringOperation).
    for (const p of this.#pools) if (!((opts.localOnly || opts.lanOnly) && p.wan)) responses.push(await this.#runOn(p, op, key, opts));
    return responses;
  }

  async #runOn(p: KeyedPool, op: KeyringOp, key: string, opts: { localOnly?: boolean; relayFactor?: number }): Promise<KeyringResponse> {
    const { responses, numNodes } = opts.localOnly && op === 'list'
      ? { responses: new Map([[p.pool.localMember().Name, this.#apply(p, { op, key })]]), numNodes: 1 }
      : await p.pool.query(QUERY, { op, key }, opts.relayFactor ?? 0);
    const r: KeyringResponse = { WAN: p.wan, Datacenter: this.datacenter, Segment: '', Keys: {}, PrimaryKeys: {}, NumNodes: numNodes };
    // Maps, not objects: a node name or key is never read as Object.prototype's member.
    const messages = new Map<string, string>();
    const keys = new Map<string, number>();
    const primaryKeys = new Map<string, number>();
    let errors = 0;
    for (const [node, raw] of responses) {
      const a = raw as NodeAnswer;
      if (!a || a.ok !== true) {
        errors++;
        messages.set(node, typeof a?.msg === 'string' ? a.msg : 'malformed response');
        continue;
      }
      if (a.msg) messages.set(node, a.msg);
      for (const k of a.keys ?? []) keys.set(k, (keys.get(k) ?? 0) + 1);
      if (a.primary) primaryKeys.set(a.primary, (primaryKeys.get(a.primary) ?? 0) + 1);
    }
    r.Keys = Object.fromEntries(keys);
    r.PrimaryKeys = Object.fromEntries(primaryKeys);
    if (messages.size > 0) r.Messages = Object.fromEntries(messages);
    if (errors > 0) r.Error = `${errors}/${numNodes} nodes reported failure`;
    else if (responses.size !== numNodes) r.Error = `${responses.size}/${numNodes} nodes reported success`;
    return r;
  }

  /** One member's part of an operation on one pool's keyring (serf's handleInstallKey & co.). */
  #apply(p: KeyedPool, body: unknown): NodeAnswer {
    const { op, key } = (body ?? {}) as { op?: unknown; key?: unknown };
    const ring = p.pool.keyring;
    if (!ring) return { ok: false, msg: op === 'list' ? 'Keyring is empty (encryption not enabled)' : 'No keyring to modify (encryption not enabled)' };
    try {
      if (op === 'install') ring.install(String(key));
      else if (op === 'use') ring.use(String(key));
      else if (op === 'remove') ring.remove(String(key));
      else if (op !== 'list') return { ok: false, msg: `unknown keyring operation ${String(op)}` };
      if (op !== 'list' && p.file) writeKeyringFile(p.file, ring);
    } catch (err) {
      return { ok: false, msg: (err as Error).message };
    }
    const { primary, keys } = ring.list();
    return op === 'list' ? { ok: true, keys, primary } : { ok: true };
  }
}

/** Consul's keyringErrorsOrNil, rendered as go-multierror renders it ('' when none failed). */
export function keyringErrors(responses: KeyringResponse[]): string {
  const errs: string[] = [];
  for (const r of responses) {
    if (!r.Error) continue;
    errs.push(`${r.WAN ? 'WAN' : `${r.Datacenter} (LAN)`} error: ${r.Error}`);
    for (const [node, msg] of Object.entries(r.Messages ?? {})) errs.push(`${node}: ${msg}`);
  }
  return errs.length > 0 ? multiError(errs) : '';
}
