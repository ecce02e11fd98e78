/**
 * A distributed lock on a KV key, held by a session (Consul's `api.Lock` recipe): the
 * session is renewed every TTL/2, the key is acquired with `?acquire=`, a blocking query
 * waits while another session holds it, and a monitor reports when the lock is lost.
 * Browser-safe: timers and fetch only.
 */
import type { Consul } from './client.js';
import { isAbortError } from './errors.js';
import { RenewedSession } from './renewed-session.js';
import { sleep } from './watch.js';
import type { KVPair } from './types.js';

/** The Flags value Consul's lock recipe stores on its key (api.LockFlagValue). */
export const LOCK_FLAG_VALUE = 0x2ddccbc058a50c18n;
/** The key under a prefix that `consul lock` uses (api.DefaultSemaphoreKey). */
export const DEFAULT_LOCK_KEY = '.lock';

export class LockConflictError extends Error {
  constructor() {
    super('Existing key does not match lock use');
  }
}

export class LockInUseError extends Error {
  constructor() {
    super('Lock in use');
  }
}

export interface LockOptions {
  key: string;
  value?: string | Uint8Array;
  sessionName?: string;
  /** Session TTL; Consul's default is 15s. */
  sessionTTL?: string;
  /** Blocking wait per attempt, in ms (default 15 s). */
  waitMs?: number;
  /** Give up after one wait of `waitMs` (consul lock -timeout). */
  tryOnce?: boolean;
  /** Pause before retrying when the key is in its lock-delay window (default 5 s). */
  retryMs?: number;
  /** Transport errors and 500s the monitor rides out before the lock is declared lost (default 3, 1 s apart). */
  monitorRetries?: number;
  /** Hold the lock under this existing session (Go's LockOptions.Session): the lock neither renews nor destroys it. */
  session?: string;
  /** Flags marking the key as a lock; default Consul's LOCK_FLAG_VALUE, so Consul's own lock clients interoperate. */
  flagValue?: bigint;
}

function flagsMatch(pair: KVPair, flagValue: bigint): boolean {
  // Flags above 2^53 arrive rounded by JSON.parse; compare as doubles.
  return pair.Flags === Number(flagValue);
}

export class Lock {
  private session: RenewedSession | undefined;
  private held = false;

  constructor(
    private readonly consul: Consul,
    private readonly opts: LockOptions,
  ) {}

  private get flagValue(): bigint {
    return this.opts.flagValue ?? LOCK_FLAG_VALUE;
  }

  get isHeld(): boolean {
    return this.held;
  }

  /**
   * Waits for the lock. Resolves to a signal that aborts when the lock is lost, or to
   * undefined when `stop` fired or `tryOnce` ran out of time.
   */
  async acquire(stop?: AbortSignal): Promise<AbortSignal | undefined> {
    if (this.held) throw new Error('Lock already held');
    const kv = this.consul.kv;
    const session = this.opts.session
      ? RenewedSession.adopt(this.consul, this.opts.session)
      : await RenewedSession.create(this.consul, { Name: this.opts.sessionName ?? 'Consul API Lock', TTL: this.opts.sessionTTL ?? '15s' });
    this.session = session;
    const waitMs = this.opts.waitMs ?? 15_000;
    const deadline = Date.now() + waitMs;
    let index = 0;
    try {
      for (;;) {
        if (stop?.aborted) return this.endSession();
        if (this.opts.tryOnce && Date.now() >= deadline) return this.endSession();
        const wait = this.opts.tryOnce ? Math.max(1, deadline - Date.now()) : waitMs;
        let res;
        try {
          res = await kv.get(this.opts.key, { index, wait, signal: stop });
        } catch (err) {
          if (isAbortError(err)) return this.endSession();
          throw err;
        }
        const pair = res.data;
        if (pair && !flagsMatch(pair, this.flagValue)) throw new LockConflictError();
        if (pair && pair.Session && pair.Session !== session.id) {
          index = res.meta.lastIndex; // someone holds it: block until the key changes
          continue;
        }
        const ok = await kv.put(this.opts.key, this.opts.value ?? '', { acquire: session.id, flags: this.flagValue });
        if (ok) {
          this.held = true;
          return this.startMonitor(session);
        }
        // Not acquired: either someone got there first, or the key is in its lock-delay window.
        const again = await kv.get(this.opts.key, { signal: stop }).catch(() => undefined);
        if (again?.data?.Session) {
          index = again.meta.lastIndex;
          continue;
        }
        if (!(await sleep(this.opts.retryMs ?? 5000, stop))) return this.endSession();
        index = 0;
      }
    } catch (err) {
      await this.endSession();
      throw err;
    }
  }

  /** Releases the lock and destroys the session. */
  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    this.session!.stopWatching();
    try {
      await this.consul.kv.put(this.opts.key, this.opts.value ?? '', { release: this.session!.id, flags: this.flagValue });
    } finally {
      await this.endSession();
    }
  }

  /** Deletes the lock key if nobody holds it (Consul's Lock.Destroy). */
  async destroy(): Promise<void> {
    const { data: pair } = await this.consul.kv.get(this.opts.key);
    if (!pair) return;
    if (!flagsMatch(pair, this.flagValue)) throw new LockConflictError();
    if (pair.Session) throw new LockInUseError();
    await this.consul.kv.deleteCAS(this.opts.key, pair.ModifyIndex);
  }

  /** Ends the session (its watch and renewals; a semaphore contender key goes with it); undefined, so an acquire can return it. */
  private async endSession(): Promise<undefined> {
    const session = this.session;
    this.session = undefined;
    await session?.end();
    return undefined;
  }

  /** Watches the key with consistent reads; the returned signal aborts when the lock is lost. */
  private startMonitor(session: RenewedSession): AbortSignal {
    return session.watchHold(this.opts.monitorRetries ?? 3, async (index, signal) => {
      const res = await this.consul.kv.get(this.opts.key, { index, wait: 60_000, consistent: true, signal });
      return res.data?.Session === session.id ? res.meta.lastIndex : undefined;
    });
  }
}
