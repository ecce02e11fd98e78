// De-duplication (consul-template's DedupManager, manager/dedup.go): many instances render the
// same template, one of them watches Consul. Each runner keeps one session; per template it
// contends for a lock on `<prefix>/<template ID>/data`. The holder (the leader) watches the
// template's dependencies and, after each complete render, writes the shareable values to that
// key; the others (followers) blocking-query the key and render from it. The session has
// Behavior "delete": when a leader dies or stops, its key goes with its session and another
// instance takes the lock.

import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { isAbortError, kvFlags, kvValueBytes, Lock, LOCK_FLAG_VALUE, sleep, type Consul } from '@proconsul/api';
import type { DedupSettings } from './config.js';
import { decodeTemplateData, dedupVersion, DEDUP_DATA_MAX_BYTES, encodeTemplateData, NO_DATA, templateDataHash } from './dedup-data.js';
import type { Logger } from './log.js';

/** dedup.go's intervals. */
export interface DedupTiming {
  /** Before a lost (or never created) session is created again (sessionCreateRetry). */
  sessionCreateRetryMs: number;
  /** Before a failed lock attempt is tried again (lockRetry). */
  lockRetryMs: number;
  /** Before a failed read of the data key is tried again (listRetry). */
  listRetryMs: number;
  /** Blocking wait of one lock attempt (lockWaitTime). */
  lockWaitMs: number;
}

export const DEDUP_TIMING: DedupTiming = { sessionCreateRetryMs: 15_000, lockRetryMs: 10_000, listRetryMs: 10_000, lockWaitMs: 15_000 };

export const DEDUP_SESSION_NAME = 'Consul-Template de-duplication';

/** consul-template's template ID: sha256 hex of source, contents and destination. */
export function templateId(source: string, contents: string, destination: string): string {
  return createHash('sha256').update(`${source}\x00${contents}\x00${destination}`).digest('hex');
}

export interface DedupOptions {
  client: Consul;
  log: Logger;
  settings: DedupSettings;
  /** Leadership of a template was won or lost: render it again (and watch, or stop watching). */
  onLeadership: (templateId: string) => void;
  /** A follower read the leader's values (dependency id -> value): load them and render again. */
  onData: (templateId: string, data: Record<string, unknown>) => void;
  /** The Version written and required in the data; default this build's. */
  version?: string;
}

interface Entry {
  id: string;
  key: string;
  /** Aborted when the template goes (a reload without it). */
  removed: AbortController;
  /** Aborts when the lock is lost; undefined while not holding it. */
  leader?: AbortSignal;
  /** Hash of the data last written while leader. */
  lastWrite?: string;
  /** Writes run one after another, so an older value never lands last. */
  writing: Promise<void>;
}

interface SessionState {
  id: string;
  ended: AbortController;
}

export class DedupManager {
  private readonly entries = new Map<string, Entry>();
  private readonly stopped = new AbortController();
  private readonly version: string;
  private session?: SessionState;
  private sessions?: Promise<void>;

  constructor(private readonly opts: DedupOptions) {
    this.version = opts.version ?? dedupVersion();
  }

  private get log(): Logger {
    return this.opts.log;
  }

  start(templateIds: string[]): void {
    this.log.info('dedup', 'starting de-duplication manager');
    this.setTemplates(templateIds);
    this.sessions = this.maintainSession();
  }

  /** The templates to de-duplicate (again after a reload): new ones contend, removed ones let go. */
  setTemplates(templateIds: string[]): void {
    const want = new Set(templateIds);
    for (const [id, e] of this.entries) {
      if (want.has(id)) continue;
      e.removed.abort();
      this.entries.delete(id);
    }
    for (const id of want) {
      if (this.entries.has(id)) continue;
      const e: Entry = { id, key: posix.join(this.opts.settings.prefix, id, 'data'), removed: new AbortController(), writing: Promise.resolve() };
      this.entries.set(id, e);
      this.log.info('dedup', `starting watch for template hash ${id}`);
      void this.watchData(e);
      if (this.session) void this.holdLock(e, this.session);
    }
  }

  isLeader(templateId: string): boolean {
    const leader = this.entries.get(templateId)?.leader;
    return leader !== undefined && !leader.aborted;
  }

  /** The leader's write after a complete render; skipped when the data is what it last wrote. */
  updateDeps(templateId: string, data: Record<string, unknown>): Promise<void> {
    const e = this.entries.get(templateId);
    if (!e) return Promise.resolve();
    e.writing = e.writing.then(() => this.write(e, data));
    return e.writing;
  }

  /** Ends the session: the locks are released and, with Behavior "delete", the data keys deleted. */
  async stop(): Promise<void> {
    if (this.stopped.signal.aborted) return;
    this.log.info('dedup', 'stopping de-duplication manager');
    this.stopped.abort();
    for (const e of this.entries.values()) e.leader = undefined;
    const s = this.session;
    this.session = undefined;
    if (s) {
      s.ended.abort();
      await this.destroySession(s.id);
    }
    await this.sessions;
  }

  private async write(e: Entry, data: Record<string, unknown>): Promise<void> {
    if (!this.isLeader(e.id)) return;
    const td = { Version: this.version, Data: data };
    const hash = templateDataHash(td);
    if (e.lastWrite === hash) {
      this.log.debug('dedup', `de-duplicate data '${e.key}' already current`);
      return;
    }
    const value = encodeTemplateData(td);
    if (value.length > DEDUP_DATA_MAX_BYTES) {
      this.log.error('dedup', `not writing '${e.key}': ${value.length} bytes is over the KV value limit of ${DEDUP_DATA_MAX_BYTES}; the other instances keep the last data`);
      return;
    }
    try {
      // A plain put keeps the lock's Session on the key.
      await this.opts.client.kv.put(e.key, value, { flags: LOCK_FLAG_VALUE });
    } catch (err) {
      this.log.error('dedup', `failed to write '${e.key}': ${message(err)}`);
      return;
    }
    e.lastWrite = hash;
    this.log.info('dedup', `updated de-duplicate data '${e.key}'`);
  }

  private setLeader(e: Entry, leader: AbortSignal | undefined): void {
    e.leader = leader;
    if (!leader) e.lastWrite = undefined;
    if (this.entries.get(e.id) === e && !this.stopped.signal.aborted) this.opts.onLeadership(e.id);
  }

  /** createSession: one session at a time, renewed; created again `sessionCreateRetryMs` after it is lost. */
  private async maintainSession(): Promise<void> {
    const stop = this.stopped.signal;
    const { ttlMs } = this.opts.settings;
    while (!stop.aborted) {
      this.log.info('dedup', 'attempting to create session');
      let id: string | undefined;
      try {
        id = await this.opts.client.session.create({ Name: DEDUP_SESSION_NAME, Behavior: 'delete', TTL: `${ttlMs / 1000}s`, LockDelay: '1ms' });
      } catch (err) {
        this.log.error('dedup', `failed to create session: ${message(err)}`);
      }
      if (id !== undefined) {
        if (stop.aborted) return this.destroySession(id); // stop() ran while it was being created
        const s: SessionState = { id, ended: new AbortController() };
        this.session = s;
        this.log.info('dedup', `created session ${id}`);
        for (const e of this.entries.values()) void this.holdLock(e, s);
        const why = await this.renew(s.id, ttlMs);
        s.ended.abort();
        if (stop.aborted) return;
        this.session = undefined;
        this.log.error('dedup', `session ${id} lost: ${why}`);
      }
      if (!(await sleep(DEDUP_TIMING.sessionCreateRetryMs, stop))) return;
    }
  }

  /** Go's Session.RenewPeriodic: every TTL/2; gives up when the session is gone or renewals failed for a whole TTL. */
  private async renew(id: string, ttlMs: number): Promise<string> {
    let lastOk = Date.now();
    let intervalMs = ttlMs / 2;
    while (await sleep(intervalMs, this.stopped.signal)) {
      try {
        const entry = await this.opts.client.session.renew(id);
        if (entry === null) return 'the session expired';
        lastOk = Date.now();
        intervalMs = ttlMs / 2;
      } catch (err) {
        if (Date.now() - lastOk > ttlMs) return `renewals failed for longer than the TTL: ${message(err)}`;
        intervalMs = 1000;
      }
    }
    return 'stopped';
  }

  private async destroySession(id: string): Promise<void> {
    await this.opts.client.session.destroy(id).catch((err: unknown) => this.log.error('dedup', `failed destroying session '${id}': ${message(err)}`));
  }

  /** attemptLock: holds the template's lock under the session while it lives, trying again after a loss or a failure. */
  private async holdLock(e: Entry, s: SessionState): Promise<void> {
    const signal = AbortSignal.any([s.ended.signal, e.removed.signal, this.stopped.signal]);
    while (!signal.aborted) {
      this.log.info('dedup', `attempting lock for template hash ${e.id}`);
      const lock = new Lock(this.opts.client, { key: e.key, value: NO_DATA, session: s.id, waitMs: DEDUP_TIMING.lockWaitMs, monitorRetries: 3 });
      let lost: AbortSignal | undefined;
      try {
        lost = await lock.acquire(signal);
      } catch (err) {
        if (signal.aborted || isAbortError(err)) break;
        this.log.error('dedup', `failed to acquire lock '${e.key}': ${message(err)}`);
        if (!(await sleep(DEDUP_TIMING.lockRetryMs, signal))) break;
        continue;
      }
      if (!lost) break;
      this.log.info('dedup', `acquired lock '${e.key}'`);
      this.setLeader(e, lost);
      await whenAborted(lost, signal);
      if (signal.aborted) {
        if (e.leader === lost) this.setLeader(e, undefined);
        // Gone from the templates, but the session lives on: let another instance have it.
        if (e.removed.signal.aborted && !s.ended.signal.aborted) await lock.release().catch(() => undefined);
        break;
      }
      this.log.warn('dedup', `lost lock ownership '${e.key}'`);
      this.setLeader(e, undefined);
    }
  }

  /** watchTemplate: a follower's blocking query on the data key (paused while leader). */
  private async watchData(e: Entry): Promise<void> {
    const signal = AbortSignal.any([e.removed.signal, this.stopped.signal]);
    const maxStaleMs = this.opts.settings.maxStaleMs;
    let stale = maxStaleMs > 0;
    let index = 0;
    let lastIndex = 0;
    let lastData: string | undefined;
    while (!signal.aborted) {
      if (e.leader && !e.leader.aborted) {
        await whenAborted(e.leader, signal);
        continue;
      }
      this.log.debug('dedup', `listing data for template hash ${e.id}`);
      let res;
      try {
        res = await this.opts.client.kv.get(e.key, { index, wait: this.opts.settings.blockWaitMs, stale, signal });
      } catch (err) {
        if (signal.aborted || isAbortError(err)) return;
        this.log.error('dedup', `failed to get '${e.key}': ${message(err)}`);
        if (!(await sleep(DEDUP_TIMING.listRetryMs, signal))) return;
        continue;
      }
      const received = res.meta.lastIndex;
      index = Math.max(1, received);
      // An answer from a server too long out of touch with its leader is asked again of the leader.
      if (stale && res.meta.lastContactMs > maxStaleMs) {
        stale = false;
        this.log.debug('dedup', `${e.key} stale data (last contact exceeded max_stale)`);
        continue;
      }
      stale = maxStaleMs > 0;
      if (received === lastIndex) continue; // the wait ran out
      if (received < lastIndex) {
        lastIndex = 0;
        index = 0; // another agent, or a restored snapshot: read again without blocking
        continue;
      }
      lastIndex = received;
      const pair = res.data;
      const data = pair?.Value ?? '';
      if (data === lastData) continue;
      lastData = data;
      if (e.leader && !e.leader.aborted) continue;
      if (!pair || kvFlags(pair) !== LOCK_FLAG_VALUE) continue;
      const raw = kvValueBytes(pair);
      if (Buffer.from(raw).toString('latin1') === NO_DATA) continue;
      const decoded = decodeTemplateData(raw, this.version);
      if (!decoded.ok) {
        this.log.warn('dedup', `'${e.key}': ${decoded.reason}`);
        continue;
      }
      this.log.info('dedup', `loading ${Object.keys(decoded.data).length} dependencies from '${e.key}'`);
      this.opts.onData(e.id, decoded.data);
    }
  }
}

function whenAborted(...signals: AbortSignal[]): Promise<void> {
  const any = AbortSignal.any(signals);
  return new Promise((resolve) => {
    if (any.aborted) resolve();
    else any.addEventListener('abort', () => resolve(), { once: true });
  });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
