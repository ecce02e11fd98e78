/**
 * A distributed semaphore on a KV prefix (Consul's `api.Semaphore` recipe, so Consul's own
 * clients and `consul lock -n` share its slots): each contender holds `<prefix>/<session>` with
 * its session, and `<prefix>/.lock` keeps `{"Limit":N,"Holders":{<session>:true}}`, changed
 * only by check-and-set. A holder whose contender key is gone (its session ended) is pruned by
 * whoever reads the lock next. Browser-safe: timers and fetch only.
 */
import type { Consul } from './client.js';
import { isAbortError } from './errors.js';
import { kvFlags, kvValueText, type KVValue } from './kv.js';
import { DEFAULT_LOCK_KEY } from './lock.js';
import { RenewedSession, sessionTTLms } from './renewed-session.js';
import type { KVPair } from './types.js';

/** The Flags value Consul's semaphore recipe stores on its keys (api.SemaphoreFlagValue). */
export const SEMAPHORE_FLAG_VALUE = 0xe0f69a2baa414de0n;

export class SemaphoreConflictError extends Error {
  constructor() {
    super('Existing key does not match semaphore use');
  }
}

export class SemaphoreInUseError extends Error {
  constructor() {
    super('Semaphore in use');
  }
}

export interface SemaphoreOptions {
  /** The KV prefix the contenders share (must be writable). */
  prefix: string;
  /** Slots; every contender must agree on it. */
  limit: number;
  /** Stored on this contender's key. */
  value?: KVValue;
  sessionName?: string;
  /** Session TTL; Consul's default is 15s. */
  sessionTTL?: string;
  /** Blocking wait per attempt, in ms (default 15 s). */
  waitMs?: number;
  /** Give up after `waitMs` in all (consul lock -n N -timeout). */
  tryOnce?: boolean;
  /** Transport errors and 500s the monitor rides out before the slot is declared lost (default 3, 1 s apart). */
  monitorRetries?: number;
  /** Flags marking the keys as a semaphore's; default Consul's SEMAPHORE_FLAG_VALUE. */
  flagValue?: bigint;
}

/** The coordination record at `<prefix>/.lock`. */
interface SemaphoreLock {
  Limit: number;
  Holders: Set<string>;
}

export class Semaphore {
  private session: RenewedSession | undefined;
  private held = false;
  private readonly lockKey: string;

  constructor(
    private readonly consul: Consul,
    private readonly opts: SemaphoreOptions,
  ) {
    if (opts.prefix === '') throw new Error('missing prefix');
    if (!(opts.limit > 0)) throw new Error('semaphore limit must be positive');
    sessionTTLms(opts.sessionTTL ?? '15s');
    this.lockKey = this.key(DEFAULT_LOCK_KEY);
  }

  get isHeld(): boolean {
    return this.held;
  }

  /**
   * Waits for a slot. Resolves to a signal that aborts when the slot is lost, or to undefined
   * when `stop` fired or `tryOnce` ran out of time.
   */
  async acquire(stop?: AbortSignal): Promise<AbortSignal | undefined> {
    if (this.held) throw new Error('Semaphore already held');
    const kv = this.consul.kv;
    let session: RenewedSession;
    try {
      session = await RenewedSession.create(this.consul, { Name: this.opts.sessionName ?? 'Consul API Semaphore', TTL: this.opts.sessionTTL ?? '15s', Behavior: 'delete' });
    } catch (err) {
      throw new Error(`failed to create session: ${(err as Error).message}`);
    }
    this.session = session;
    try {
      // The contender key lives as long as the session (Behavior delete).
      const made = await kv.acquire(this.key(session.id), this.opts.value ?? '', session.id, { flags: this.flagValue }).catch((err: Error) => {
        throw new Error(`failed to make contender entry: ${err.message}`);
      });
      if (!made) throw new Error('failed to make contender entry: <nil>');
      const waitMs = this.opts.waitMs ?? 15_000;
      const deadline = Date.now() + waitMs;
      let index = 0;
      for (let attempts = 0; ; attempts++) {
        if (stop?.aborted) return await this.endSession();
        if (this.opts.tryOnce && attempts > 0 && Date.now() >= deadline) return await this.endSession();
        const wait = this.opts.tryOnce ? Math.max(1, deadline - Date.now()) : waitMs;
        let pairs: KVPair[];
        try {
          const res = await kv.list(this.opts.prefix, { index, wait, signal: stop });
          pairs = res.data;
          index = res.meta.lastIndex;
        } catch (err) {
          if (isAbortError(err)) return await this.endSession();
          throw new Error(`failed to read prefix: ${(err as Error).message}`);
        }
        const lockPair = pairs.find((p) => p.Key === this.lockKey);
        if (lockPair && kvFlags(lockPair) !== this.flagValue) throw new SemaphoreConflictError();
        const lock = this.decode(lockPair);
        if (lock.Limit !== this.opts.limit) throw new Error(`semaphore limit conflict (lock: ${lock.Limit}, local: ${this.opts.limit})`);
        pruneDeadHolders(lock, pairs);
        if (lock.Holders.size >= lock.Limit) continue; // full: block until the prefix changes
        lock.Holders.add(session.id);
        const set = await kv.cas(this.lockKey, encode(lock), lockPair?.ModifyIndex ?? 0, { flags: this.flagValue }).catch((err: Error) => {
          throw new Error(`failed to update lock: ${err.message}`);
        });
        if (!set) continue; // another contender changed the lock first: read it again
        this.held = true;
        return this.startMonitor(session);
      }
    } catch (err) {
      await this.endSession();
      throw err;
    }
  }

  /** Gives up the slot: out of the holders (check-and-set), the contender key deleted, the session destroyed. */
  async release(): Promise<void> {
    if (!this.held) throw new Error('Semaphore not held');
    this.held = false;
    this.session!.stopWatching();
    const id = this.session!.id;
    try {
      for (;;) {
        const { data: pair } = await this.consul.kv.get(this.lockKey);
        const lock = this.decode(pair ?? undefined);
        if (!lock.Holders.delete(id)) break;
        const set = await this.consul.kv.cas(this.lockKey, encode(lock), pair?.ModifyIndex ?? 0, { flags: this.flagValue }).catch((err: Error) => {
          throw new Error(`failed to update lock: ${err.message}`);
        });
        if (set) break;
      }
      await this.consul.kv.delete(this.key(id));
    } finally {
      await this.endSession();
    }
  }

  /** Deletes `<prefix>/.lock` when no live contender holds a slot (Consul's Semaphore.Destroy). */
  async destroy(): Promise<void> {
    if (this.held) throw new Error('Semaphore already held');
    const pairs = await this.consul.kv.list(this.opts.prefix).then(
      (r) => r.data,
      (err: Error) => {
        throw new Error(`failed to read prefix: ${err.message}`);
      },
    );
    const lockPair = pairs.find((p) => p.Key === this.lockKey);
    if (!lockPair) return;
    if (kvFlags(lockPair) !== this.flagValue) throw new SemaphoreConflictError();
    const lock = this.decode(lockPair);
    pruneDeadHolders(lock, pairs);
    if (lock.Holders.size > 0) throw new SemaphoreInUseError();
    const removed = await this.consul.kv.deleteCAS(this.lockKey, lockPair.ModifyIndex).catch((err: Error) => {
      throw new Error(`failed to remove semaphore: ${err.message}`);
    });
    if (!removed) throw new SemaphoreInUseError();
  }

  private get flagValue(): bigint {
    return this.opts.flagValue ?? SEMAPHORE_FLAG_VALUE;
  }

  /** `<prefix>/<name>`, as Go's path.Join would write it. */
  private key(name: string): string {
    return `${this.opts.prefix.replace(/\/+$/, '')}/${name}`;
  }

  /** The lock record of `pair`; an empty one with our limit when there is none yet. */
  private decode(pair: KVPair | undefined): SemaphoreLock {
    if (!pair?.Value) return { Limit: this.opts.limit, Holders: new Set() };
    let rec: { Limit?: unknown; Holders?: unknown } | null;
    try {
      rec = JSON.parse(kvValueText(pair)) as typeof rec;
    } catch (err) {
      throw new Error(`lock decoding failed: ${(err as Error).message}`);
    }
    // Go's map[string]bool: a key is a holder whatever its value.
    const holders = rec?.Holders && typeof rec.Holders === 'object' ? Object.keys(rec.Holders) : [];
    return { Limit: typeof rec?.Limit === 'number' ? rec.Limit : 0, Holders: new Set(holders) };
  }

  /** Ends the session (its watch and renewals; a semaphore contender key goes with it); undefined, so an acquire can return it. */
  private async endSession(): Promise<undefined> {
    const session = this.session;
    this.session = undefined;
    await session?.end();
    return undefined;
  }

  /** Watches the prefix with consistent reads; the returned signal aborts when the slot is lost. */
  private startMonitor(session: RenewedSession): AbortSignal {
    return session.watchHold(this.opts.monitorRetries ?? 3, async (index, signal) => {
      const res = await this.consul.kv.list(this.opts.prefix, { index, wait: 60_000, consistent: true, signal });
      const lock = this.decode(res.data.find((p) => p.Key === this.lockKey));
      pruneDeadHolders(lock, res.data);
      return lock.Holders.has(session.id) ? res.meta.lastIndex : undefined;
    });
  }
}

/** Drops the holders without a live contender key under the prefix (a key with their session). */
function pruneDeadHolders(lock: SemaphoreLock, pairs: KVPair[]): void {
  const alive = new Set(pairs.map((p) => p.Session).filter((s): s is string => !!s));
  for (const h of lock.Holders) if (!alive.has(h)) lock.Holders.delete(h);
}

/** Go's json.Marshal of the record: Limit, then Holders with its keys sorted. */
function encode(lock: SemaphoreLock): string {
  return JSON.stringify({ Limit: lock.Limit, Holders: Object.fromEntries([...lock.Holders].sort().map((h) => [h, true])) });
}
