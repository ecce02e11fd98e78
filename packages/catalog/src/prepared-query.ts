/**
 * The prepared-query table (Consul's state/prepared_query.go) and its writes: IDs are UUIDs
 * chosen by the leader; names are unique without regard to case and may not alias another
 * query's ID; only one template may have the empty name (it catches every name); a bound
 * session must exist, and invalidating it deletes the query (session-writes.ts). Templates
 * are compiled when written and when restored, so a bad one never enters the state.
 * Resolution by ID or name: an ID first, then an exact name, then the template whose name
 * is the longest prefix of the asked name (rendered for it).
 */
import type { ApplyResult } from './commands.js';
import type { PreparedQuery, PreparedQueryCommand } from './prepared-query-types.js';
import { compileTemplate, renderTemplate, type CompiledTemplate, type QuerySource } from './query-template.js';
import { isObj } from './shape-check.js';
import { byString, fail, lower, ok } from './util.js';
import { validateMeta } from './validate.js';
import { parseGoDurationMs } from './duration.js';

/** Bound on the table, so a runaway client cannot grow the state without limit. */
export const PREPARED_QUERIES_MAX = 100_000;
/** Watch key of the table (blocking GET /v1/query). */
export const PREPARED_QUERIES_WATCH_KEY = 'prepared-queries';
/** What a non-management reader sees in place of a query's Token. */
export const REDACTED_TOKEN = '<hidden>';
/** `structs.ErrQueryNotFound`. */
export const QUERY_NOT_FOUND = 'Query not found';

/** A name or ID that cannot be resolved to a query to run (Consul's message): the asker's mistake. */
export class PreparedQueryResolveError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUUID = (s: string): boolean => s.length === 36 && UUID.test(s);

const isTemplate = (q: PreparedQuery): boolean => q.Template.Type !== '';

/**
 * Consul's parseQuery (the endpoint's checks before Raft), without its "Invalid prepared
 * query: " prefix. Returns the message, or undefined when the query is acceptable.
 */
export function preparedQueryError(q: PreparedQuery): string | undefined {
  if (q.Name === '' && q.Template.Type === '' && q.Session === '') return 'Must be bound to a session';
  if (q.Token === REDACTED_TOKEN) {
    return `Bad Token '${q.Token}', it looks like a query definition with a redacted token was submitted`;
  }
  const svc = q.Service;
  if (svc.Service === '') return 'Must provide a Service name to query';
  const f = svc.Failover;
  if (f.NearestN < 0) return `Bad NearestN '${f.NearestN}', must be >= 0`;
  if ((f.NearestN !== 0 || (f.Datacenters?.length ?? 0) !== 0) && (f.Targets?.length ?? 0) !== 0) {
    return 'Targets cannot be populated with NearestN or Datacenters';
  }
  const meta = validateMeta(svc.NodeMeta, true);
  if (meta) return meta;
  if (q.DNS.TTL !== '') {
    const ms = parseGoDurationMs(q.DNS.TTL);
    if (ms === undefined) return `Bad DNS TTL '${q.DNS.TTL}': time: invalid duration ${JSON.stringify(q.DNS.TTL)}`;
    if (ms < 0) return `DNS TTL '${Math.round(ms * 1e6)}', must be >=0`;
  }
  return undefined;
}

/** The shape a log entry must have before its fields are read (a replica never throws on one). */
function shapeError(q: unknown): string | undefined {
  if (!isObj(q)) return 'Invalid Query: expected an object';
  const o = q as unknown as PreparedQuery;
  for (const k of ['ID', 'Name', 'Session', 'Token'] as const) if (typeof o[k] !== 'string') return `Invalid Query.${k}`;
  if (!isObj(o.Template) || !isObj(o.Service) || !isObj(o.DNS) || !isObj(o.Service.Failover)) return 'Invalid Query: missing structure';
  return undefined;
}

interface Entry {
  query: PreparedQuery;
  template: CompiledTemplate | null;
}

/** A stored query, opaque outside this file. */
export type QueryEntry = Readonly<Entry>;

export class PreparedQueryStore {
  /** Max index of the table (0 when never written). */
  index = 0;
  /** ID (lowercase) -> query. */
  private readonly byId = new Map<string, Entry>();
  /** Lowercase name -> query, for named queries (Consul's "name" index). */
  private readonly byName = new Map<string, Entry>();
  /** The templates, for the longest-prefix match (Consul's "template_prefix" index). */
  private readonly templates = new Set<Entry>();

  get size(): number {
    return this.byId.size;
  }

  clear(): void {
    this.index = 0;
    this.byId.clear();
    this.byName.clear();
    this.templates.clear();
  }

  private insert(e: Entry): void {
    this.remove(e.query.ID);
    this.byId.set(lower(e.query.ID), e);
    if (e.query.Name !== '') this.byName.set(lower(e.query.Name), e);
    if (e.template) this.templates.add(e);
  }

  private remove(id: string): void {
    const old = this.byId.get(lower(id));
    if (!old) return;
    this.byId.delete(lower(id));
    if (old.query.Name !== '' && this.byName.get(lower(old.query.Name)) === old) this.byName.delete(lower(old.query.Name));
    this.templates.delete(old);
  }

  get(id: string): PreparedQuery | undefined {
    return this.byId.get(lower(id))?.query;
  }

  /** Every query, in ID order (Consul's "id" index). */
  list(): PreparedQuery[] {
    return [...this.byId.entries()].sort((a, b) => byString(a[0], b[0])).map(([, e]) => e.query);
  }

  /** The template with exactly this name (the empty name included). */
  private templateNamed(name: string): Entry | undefined {
    const want = lower(name);
    for (const e of this.templates) if (lower(e.query.Name) === want) return e;
    return undefined;
  }

  apply(idx: number, c: PreparedQueryCommand, sessionExists: (id: string) => boolean): ApplyResult {
    const shape = shapeError(c.Query);
    if (shape) return fail(shape);
    const q = c.Query;
    switch (c.Op) {
      case 'create':
      case 'update':
        return this.set(idx, c.Op, q, sessionExists);
      case 'delete': {
        if (!this.byId.has(lower(q.ID))) return fail(`Cannot modify non-existent prepared query: '${q.ID}'`);
        this.remove(q.ID);
        this.index = idx;
        return ok();
      }
      default:
        return fail(`Unknown prepared query operation: ${String((c as { Op?: unknown }).Op)}`);
    }
  }

  private set(idx: number, op: 'create' | 'update', input: PreparedQuery, sessionExists: (id: string) => boolean): ApplyResult {
    if (input.ID === '') return fail('Missing query ID');
    const existing = this.byId.get(lower(input.ID));
    if (op === 'create' && existing) return fail(`ID ${input.ID} is already in use`);
    if (op === 'update' && !existing) return fail(`Cannot modify non-existent prepared query: '${input.ID}'`);
    if (!existing && this.byId.size >= PREPARED_QUERIES_MAX) return fail('Too many prepared queries');
    const invalid = preparedQueryError(input);
    if (invalid) return fail(`Invalid prepared query: ${invalid}`);
    const query: PreparedQuery = { ...structuredClone(input), CreateIndex: existing?.query.CreateIndex ?? idx, ModifyIndex: idx };
    if (query.Name !== '') {
      const other = this.byName.get(lower(query.Name));
      if (other && other.query.ID !== existing?.query.ID) return fail(`name '${query.Name}' aliases an existing query name`);
    } else if (isTemplate(query)) {
      const other = this.templateNamed('');
      if (other && other.query.ID !== existing?.query.ID) return fail('a query template with an empty name already exists');
    }
    if (isUUID(query.Name) && this.byId.has(lower(query.Name))) return fail(`name '${query.Name}' aliases an existing query ID`);
    if (query.Session !== '' && !sessionExists(query.Session)) return fail(`invalid session ${JSON.stringify(query.Session)}`);
    let template: CompiledTemplate | null = null;
    if (isTemplate(query)) {
      try {
        template = compileTemplate(query);
      } catch (err) {
        return fail(`failed compiling template: ${(err as Error).message}`);
      }
    }
    this.insert({ query, template });
    this.index = idx;
    return ok();
  }

  /** Deletes the queries bound to a session being invalidated; true when any was. */
  deleteForSession(sessionId: string, idx: number): boolean {
    let deleted = false;
    for (const e of [...this.byId.values()]) {
      if (e.query.Session === sessionId) {
        this.remove(e.query.ID);
        deleted = true;
      }
    }
    if (deleted) this.index = idx;
    return deleted;
  }

  /** The queries bound to a session, kept as they are for `reinstate`. */
  boundTo(sessionId: string): QueryEntry[] {
    return [...this.byId.values()].filter((e) => e.query.Session === sessionId);
  }

  /** Puts queries back as they were (a rolled-back transaction); the index is the caller's. */
  reinstate(entries: QueryEntry[]): void {
    for (const e of entries) this.insert(e);
  }

  /**
   * PreparedQueryResolve: the query for an ID or a name, a template rendered for the name.
   * `undefined` when nothing matches; throws with Consul's message for a template asked by ID
   * or one that fails to render.
   */
  resolve(idOrName: string, source: QuerySource = {}): PreparedQuery | undefined {
    if (idOrName === '') throw new PreparedQueryResolveError('Missing query ID');
    if (isUUID(idOrName)) {
      const e = this.byId.get(lower(idOrName));
      if (e) {
        if (e.template) throw new PreparedQueryResolveError('prepared query templates can only be resolved up by name, not by ID');
        return e.query;
      }
    }
    const prep = (e: Entry): PreparedQuery => {
      if (!e.template) return e.query;
      try {
        return renderTemplate(e.template, idOrName, source);
      } catch (err) {
        throw new PreparedQueryResolveError((err as Error).message);
      }
    };
    const want = lower(idOrName);
    const exact = this.byName.get(want);
    if (exact) return prep(exact);
    // Longest-prefix match among templates (names compared lowercased, as Consul's index).
    let best: Entry | undefined;
    for (const e of this.templates) {
      const prefix = lower(e.query.Name);
      if (want.startsWith(prefix) && (!best || prefix.length > best.query.Name.length)) best = e;
    }
    return best ? prep(best) : undefined;
  }

  snapshot(): PreparedQuery[] {
    return this.list();
  }

  /** Restores the table; templates are compiled again (a snapshot never holds a bad one). */
  restore(queries: PreparedQuery[] | undefined): void {
    this.clear();
    for (const q of queries ?? []) {
      let template: CompiledTemplate | null = null;
      if (isTemplate(q)) {
        try {
          template = compileTemplate(q);
        } catch (err) {
          throw new Error(`failed compiling template: ${(err as Error).message}`);
        }
      }
      this.insert({ query: q, template });
      this.index = Math.max(this.index, q.ModifyIndex);
    }
  }
}
