/**
 * The session behind a lock or semaphore holder: renewed every TTL/2 (Consul's
 * `Session.RenewPeriodic`), adopting the TTL the agent answers with, and the watch of the hold
 * it proves (Consul's `monitorLock`). `end()` stops both and destroys the session. Browser-safe:
 * timers and fetch only.
 */
import type { Consul } from './client.js';
import { parseDuration } from './duration.js';
import { isAbortError, isRetryableError } from './errors.js';
import type { SessionCreateRequest } from './types.js';
import { sleep } from './watch.js';

/** A session TTL in ms; throws Consul's `invalid SessionTTL: ...` when it does not parse. */
export function sessionTTLms(ttl: string): number {
  try {
    return parseDuration(ttl);
  } catch (err) {
    throw new Error(`invalid SessionTTL: ${(err as Error).message}`);
  }
}

/** One read of what proves the hold: the index to block on next while it stands, or undefined once it is lost. */
export type HoldCheck = (index: number, signal: AbortSignal) => Promise<number | undefined>;

export class RenewedSession {
  readonly #stop = new AbortController();
  readonly #gone = new AbortController();
  /** Aborted by a release (`stopWatching`) or `end()`: the watch ends without a loss. */
  readonly #released = new AbortController();

  private constructor(
    private readonly consul: Consul,
    readonly id: string,
    /** Created here, so renewed and destroyed here; false for a session its caller owns. */
    private readonly owned = true,
  ) {}

  /** Creates the session (a TTL that does not parse is refused before the agent is asked). */
  static async create(consul: Consul, req: SessionCreateRequest & { TTL: string }): Promise<RenewedSession> {
    const ttlMs = sessionTTLms(req.TTL);
    const s = new RenewedSession(consul, await consul.session.create(req));
    s.#renew(ttlMs);
    return s;
  }

  /** A session its caller created and keeps alive (Go's LockOptions.Session): watched here, never renewed or destroyed. */
  static adopt(consul: Consul, id: string): RenewedSession {
    return new RenewedSession(consul, id, false);
  }

  /**
   * Watches the hold with `stillHeld`, again and again. The returned signal aborts when the hold
   * is lost: the read says so, a renewal finds the session gone, or a read fails with something
   * other than a transport error or a 500, or more than `retries` times in a row (1 s apart).
   */
  watchHold(retries: number, stillHeld: HoldCheck): AbortSignal {
    const lost = new AbortController();
    const watching = new AbortController();
    const end = (): void => {
      watching.abort();
      if (!this.#released.signal.aborted) lost.abort();
    };
    this.#released.signal.addEventListener('abort', () => watching.abort(), { once: true });
    this.#gone.signal.addEventListener('abort', end, { once: true });
    void (async () => {
      let index = 0;
      let errors = 0;
      while (!watching.signal.aborted) {
        try {
          const next = await stillHeld(index, watching.signal);
          if (next === undefined) break;
          errors = 0;
          index = next;
        } catch (err) {
          if (isAbortError(err) || watching.signal.aborted) return;
          if (!isRetryableError(err) || errors >= retries) break;
          errors++;
          index = 0; // the retry does not block, so an answer resets the count at once
          await sleep(1000, watching.signal);
        }
      }
      end();
    })();
    return lost.signal;
  }

  /** Ends the watch without a loss: called before a holder gives the hold up itself. */
  stopWatching(): void {
    this.#released.abort();
  }

  /** Stops the watch and the renewals and destroys the session (an error here is ignored: the TTL ends it anyway). */
  async end(): Promise<void> {
    this.stopWatching();
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    if (!this.owned) return;
    await this.consul.session.destroy(this.id).catch(() => undefined);
  }

  #renew(ttlMs: number): void {
    void (async () => {
      let interval = ttlMs / 2;
      while (await sleep(interval, this.#stop.signal)) {
        const entry = await this.consul.session.renew(this.id).catch(() => undefined);
        if (entry === null) return this.#gone.abort();
        try {
          if (entry?.TTL) interval = parseDuration(entry.TTL) / 2;
        } catch {
          // keep the interval we have
        }
      }
    })();
  }
}
