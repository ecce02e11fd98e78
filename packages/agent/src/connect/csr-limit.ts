/**
 * The leader's limit on signing leaf certificates (Consul 1.17's CAManager.SignCertificate in
 * agent/consul/leader_connect_ca.go, with connectSignRateLimiter): the CA configuration's
 * `CSRMaxPerSecond` (default 50, structs.CAConfiguration.GetCommonConfig) is a token bucket
 * with a burst of 1; when it is 0, `CSRMaxConcurrent` (> 0) bounds the signings in progress.
 * A request waits at most csrLimitWait (500 ms) for its turn, else it fails at once with
 * ErrRateLimited, which Consul's HTTP layer answers with 429.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** agent/consul/connect_ca_endpoint.go ErrRateLimited: agents recognise it by its text. */
export const ERR_RATE_LIMITED = 'Rate limit reached, try again later';
/** csrLimitWait. */
export const CSR_LIMIT_WAIT_MS = 500;

export class RateLimitedError extends Error {
  constructor() {
    super(ERR_RATE_LIMITED);
  }
}

/** CommonCAProviderConfig's two limits, as parseConsulCAConfig decodes them. */
export interface CsrLimits {
  csrMaxPerSecond: number;
  csrMaxConcurrent: number;
}

export class CsrLimiter {
  /** When the bucket next has a token (golang.org/x/time/rate with burst 1). */
  #nextFreeAt = 0;
  #perSecond = 0;
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Runs `sign` within `limits` (from the CA configuration), or throws RateLimitedError when no
   * turn comes within CSR_LIMIT_WAIT_MS.
   */
  async run<T>(limits: CsrLimits, sign: () => Promise<T>): Promise<T> {
    const { csrMaxPerSecond: perSecond, csrMaxConcurrent: concurrent } = limits;
    if (perSecond > 0) {
      await this.#takeToken(perSecond);
      return sign();
    }
    if (concurrent <= 0) return sign();
    await this.#acquire(concurrent);
    try {
      return await sign();
    } finally {
      this.#release();
    }
  }

  /** rate.Limiter.Wait with a 500 ms deadline: reserve the next slot, refuse it if it is later than that. */
  async #takeToken(perSecond: number): Promise<void> {
    const now = this.now();
    // A new limit is a new limiter (getCSRRateLimiterWithLimit).
    if (perSecond !== this.#perSecond) [this.#perSecond, this.#nextFreeAt] = [perSecond, 0];
    const at = Math.max(now, this.#nextFreeAt);
    if (at - now > CSR_LIMIT_WAIT_MS) throw new RateLimitedError();
    this.#nextFreeAt = at + 1000 / perSecond;
    if (at > now) await sleep(at - now);
  }

  /** semaphore.Acquire with the same deadline. */
  async #acquire(size: number): Promise<void> {
    if (this.#inFlight < size) {
      this.#inFlight++;
      return;
    }
    // Both outcomes settle synchronously, so a slot is never handed to a waiter that gave up.
    await new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(wake), 1);
        reject(new RateLimitedError());
      }, CSR_LIMIT_WAIT_MS);
      this.#waiting.push(wake);
    });
  }

  #release(): void {
    // The slot passes straight to the next waiter, else it is freed.
    const next = this.#waiting.shift();
    if (next) next();
    else this.#inFlight--;
  }
}
