/**
 * Blocking-query loops, following the client rules in Consul's docs and its Go `watch`
 * package: pass the last X-Consul-Index back as `?index=`; reset to 0 when the index goes
 * backwards; treat an index below 1 as 1; skip answers whose index (or data) did not
 * change; back off on errors (failures² × base, bounded); rate-limit with a token bucket
 * (burst 2 by default); stop when the AbortSignal fires.
 */
import { isAbortError } from './errors.js';
import type { QueryMeta, QueryResult } from './query.js';

export interface BlockingParams {
  index: number;
  /** The index as exact text when it is above 2^53 (pass it as `index` to keep it exact). */
  indexRaw?: string;
  /** Milliseconds. */
  wait: number;
  signal: AbortSignal;
}

export type BlockingFetcher<T> = (params: BlockingParams) => Promise<QueryResult<T>>;

export interface WatchOptions {
  signal?: AbortSignal;
  /** `?wait=` for each blocking request, in ms. Default 60 s (consul-template's), which stays under fetch's default 300 s headers timeout. */
  waitMs?: number;
  /** Index to start from; 0 (default) means the first request answers at once. */
  initialIndex?: number;
  /** Back-off after the n-th consecutive error: min(maxMs, baseMs × n²). Defaults 500 ms and 20 s. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Give up (throw the last error) after this many consecutive errors. Default: never. */
  maxConsecutiveErrors?: number;
  /** Token bucket bounding request rate: `burst` requests at once, refilled at `ratePerSecond`. Defaults 2 and 10. */
  burst?: number;
  ratePerSecond?: number;
  /** Also yield answers whose index moved but whose data is the same. Default false. */
  emitUnchanged?: boolean;
  /** Called on each error before the back-off sleep. */
  onError?: (err: unknown, consecutiveErrors: number, delayMs: number) => void;
}

/** Sleeps `ms`; resolves early (to false) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A token bucket: `take()` waits until a token is free. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly ratePerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Milliseconds to wait before a token is available (0 if one is), taking it. */
  reserve(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.ratePerSecond) / 1000);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.ratePerSecond);
  }

  async take(signal?: AbortSignal): Promise<boolean> {
    const delay = this.reserve();
    return delay === 0 ? !signal?.aborted : sleep(delay, signal);
  }
}

/** The index to send next, given the one sent and the one received (Consul's client rules). */
export function nextIndex(sent: number, received: number): number {
  const r = received < 1 ? 1 : received;
  return r < sent ? 0 : r;
}

/** Back-off delay after `failures` consecutive errors. */
export function backoffDelay(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * failures * failures);
}

/**
 * Yields the result of `fetcher` each time it changes. Ends (without throwing) when
 * `signal` aborts; throws only after `maxConsecutiveErrors` errors in a row.
 */
export async function* watch<T>(fetcher: BlockingFetcher<T>, opts: WatchOptions = {}): AsyncGenerator<QueryResult<T>, void, undefined> {
  const signal = opts.signal ?? new AbortController().signal;
  const waitMs = opts.waitMs ?? 60_000;
  const baseMs = opts.backoffBaseMs ?? 500;
  const maxMs = opts.backoffMaxMs ?? 20_000;
  const maxErrors = opts.maxConsecutiveErrors ?? Infinity;
  const bucket = new TokenBucket(opts.burst ?? 2, opts.ratePerSecond ?? 10);
  let index = opts.initialIndex ?? 0;
  let indexRaw: string | undefined;
  let lastData: string | undefined;
  let first = true;
  let failures = 0;

  while (!signal.aborted) {
    if (!(await bucket.take(signal))) return;
    let res: QueryResult<T>;
    try {
      res = await fetcher({ index, ...(indexRaw ? { indexRaw } : {}), wait: waitMs, signal });
    } catch (err) {
      if (signal.aborted || isAbortError(err)) return;
      failures++;
      if (failures >= maxErrors) throw err;
      const delay = backoffDelay(failures, baseMs, maxMs);
      opts.onError?.(err, failures, delay);
      if (!(await sleep(delay, signal))) return;
      continue;
    }
    failures = 0;
    const received = res.meta.lastIndex;
    const receivedRaw = res.meta.lastIndexRaw ?? String(received);
    if (!first && receivedRaw === (indexRaw ?? String(index))) continue; // the wait ran out; nothing changed
    if (Number.isSafeInteger(received)) {
      index = nextIndex(index, received);
      indexRaw = undefined;
    } else {
      // Above 2^53 (event list indexes are hashes of event IDs, not ordered): echo it back exactly.
      index = received;
      indexRaw = receivedRaw;
    }
    const snapshot = JSON.stringify(res.data);
    if (!first && !opts.emitUnchanged && snapshot === lastData) continue;
    first = false;
    lastData = snapshot;
    yield res;
  }
}

export interface WatchHandle {
  /** Stops the loop and aborts any request in flight. */
  stop(): void;
  /** Settles when the loop ends: resolves on stop, rejects if the handler throws or errors exceed the bound. */
  done: Promise<void>;
}

/** Callback form of `watch`: calls `handler(data, meta)` on each change until `stop()`. */
export function watchCallback<T>(
  fetcher: BlockingFetcher<T>,
  handler: (data: T, meta: QueryMeta) => void | Promise<void>,
  opts: WatchOptions = {},
): WatchHandle {
  const controller = new AbortController();
  const outer = opts.signal;
  const onOuterAbort = () => controller.abort();
  if (outer?.aborted) controller.abort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  const done = (async () => {
    try {
      for await (const res of watch(fetcher, { ...opts, signal: controller.signal })) {
        await handler(res.data, res.meta);
      }
    } finally {
      outer?.removeEventListener('abort', onOuterAbort);
    }
  })();
  return { stop: () => controller.abort(), done };
}
