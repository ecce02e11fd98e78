/**
 * The config-entries table (Consul's state/config_entry.go): keyed by kind and name without
 * regard to case (its memdb "id" index is lowercased), listed in that key's order. Upserts keep
 * CreateIndex; CAS writes compare ModifyIndex (0: only when absent), as ensureConfigEntryCASTxn
 * and deleteConfigEntryCASTxn do. The table keeps one max index ("config-entries").
 */
import type { ApplyResult } from './commands.js';
import type { ConfigEntry, ConfigEntryCommand, ConfigEntrySnapshot } from './config-entry-types.js';
import { configEntryName } from './config-entry/index.js';
import { configEntryGraphError } from './config-entry-graph.js';
import { isObj } from './shape-check.js';
import { byString, fail, lower, ok } from './util.js';

/** Bound on the table, so a runaway client cannot grow the state without limit. */
export const CONFIG_ENTRIES_MAX = 100_000;
/** Watch key of the table (blocking GET /v1/config). */
export const CONFIG_ENTRIES_WATCH_KEY = 'config-entries';

const keyOf = (kind: string, name: string): string => `${lower(kind)}\u0000${lower(name)}`;

export class ConfigEntryStore {
  /** Max index of the table (0 when never written). */
  index = 0;
  private readonly byKey = new Map<string, ConfigEntry>();

  get size(): number {
    return this.byKey.size;
  }

  clear(): void {
    this.index = 0;
    this.byKey.clear();
  }

  get(kind: string, name: string): ConfigEntry | undefined {
    return this.byKey.get(keyOf(kind, name));
  }

  /** Entries of one kind (every kind when `kind` is undefined), by kind then name. */
  list(kind?: string): ConfigEntry[] {
    const prefix = kind === undefined ? '' : `${lower(kind)}\u0000`;
    return [...this.byKey.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort((a, b) => byString(a[0], b[0]))
      .map(([, e]) => e);
  }

  apply(idx: number, c: ConfigEntryCommand): ApplyResult {
    const e = c.Entry;
    if (!isObj(e) || typeof e.Kind !== 'string' || e.Kind === '') return fail('Invalid config entry');
    const key = keyOf(e.Kind, configEntryName(e.Kind, e));
    const existing = this.byKey.get(key);
    const cas = typeof e.ModifyIndex === 'number' ? e.ModifyIndex : 0;
    switch (c.Op) {
      case 'upsert':
      case 'upsert-cas': {
        if (c.Op === 'upsert-cas') {
          if (cas === 0 ? existing !== undefined : existing?.ModifyIndex !== cas) return ok(false);
        }
        if (!existing && this.byKey.size >= CONFIG_ENTRIES_MAX) return fail(`Too many config entries (max ${CONFIG_ENTRIES_MAX})`);
        const { CreateIndex: _c, ModifyIndex: _m, ...fields } = e;
        this.byKey.set(key, { ...fields, CreateIndex: existing?.CreateIndex ?? idx, ModifyIndex: idx } as ConfigEntry);
        return this.#keepIfValid(idx, key, existing, e.Kind, configEntryName(e.Kind, e));
      }
      case 'delete':
      case 'delete-cas': {
        if (c.Op === 'delete-cas' && (existing === undefined || existing.ModifyIndex !== cas)) return ok(false);
        if (!existing) return ok(true); // nothing to delete: no index moves (deleteConfigEntryTxn)
        this.byKey.delete(key);
        return this.#keepIfValid(idx, key, existing, e.Kind, configEntryName(e.Kind, e));
      }
      default:
        return fail(`Invalid config entry operation ${JSON.stringify((c as { Op?: unknown }).Op)}`);
    }
  }

  /** Keeps a change the discovery-chain check accepts; puts `previous` back otherwise. */
  #keepIfValid(idx: number, key: string, previous: ConfigEntry | undefined, kind: string, name: string): ApplyResult {
    const graph = configEntryGraphError(this, kind, name);
    if (graph !== undefined) {
      if (previous) this.byKey.set(key, previous);
      else this.byKey.delete(key);
      return fail(graph);
    }
    this.index = idx;
    return ok(true);
  }

  snapshot(): ConfigEntrySnapshot {
    return { Index: this.index, Entries: structuredClone(this.list()) };
  }

  /** Loads a snapshot's table; absent (a snapshot taken before config entries existed): empty. */
  restore(snap: ConfigEntrySnapshot | undefined): void {
    this.clear();
    if (!snap) return;
    for (const e of snap.Entries) this.byKey.set(keyOf(e.Kind, configEntryName(e.Kind, e)), e);
    this.index = snap.Index;
  }
}
