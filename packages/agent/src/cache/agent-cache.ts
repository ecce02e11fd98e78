// The agent cache (Consul's agent/cache/cache.go): answers to reads from the servers, kept by
// (datacenter, token, request) so ACLs and datacenters need no cleverness. Two kinds of type:
//
// - background refresh (Refresh + SupportsBlocking: catalog and health reads, intention
//   matches): after the first fetch the entry keeps one blocking query running against the
//   servers, so a read of it is fresh and a hit; a read with `?index` at or past the entry's
//   index waits for that query's next answer. Its Age is 0 while the query succeeds, else the
//   time since contact was lost.
// - simple (no refresh: prepared query execution, datacenters): the value is fetched on a miss
//   and kept; `max-age` and `must-revalidate` ask for a new fetch; Age is the value's age.
//
// Many reads of one entry share one fetch. A failed fetch keeps the last good value and backs
// off (Consul's backOffWait). An entry not read for its type's LastGetTTL (3 days) is evicted,
// and beyond `maxEntries` or `maxBytes` the least recently read ones are (a bound Consul's
// cache does not have; ours keeps a client agent's memory small).

/** What a fetch answers: the server's HTTP answer. Only a 200 is a value; anything else is an error. */
export interface CachedResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  /** X-Consul-Index (0 when absent). */
  index: number;
}

/** Fetches the value, blocking until its index passes `minIndex` (0: at once) or `timeoutMs` runs out. */
export type CacheFetch = (minIndex: number, timeoutMs: number) => Promise<CachedResponse>;

/** Consul's cache.RegisterOptions. */
export interface CacheType {
  name: string;
  refresh: boolean;
  supportsBlocking: boolean;
  /** The background blocking query's wait. */
  queryTimeoutMs: number;
  lastGetTtlMs: number;
}

/** Consul's RegisterType default LastGetTTL: "reasonable default is days". */
export const LAST_GET_TTL_MS = 72 * 3600_000;

/** cache-types' RegisterOptionsBlockingRefresh. */
export function blockingRefreshType(name: string): CacheType {
  return { name, refresh: true, supportsBlocking: true, queryTimeoutMs: 10 * 60_000, lastGetTtlMs: LAST_GET_TTL_MS };
}

/** cache-types' RegisterOptionsNoRefresh. */
export function noRefreshType(name: string): CacheType {
  return { name, refresh: false, supportsBlocking: false, queryTimeoutMs: 0, lastGetTtlMs: LAST_GET_TTL_MS };
}

/** Consul's cache.RequestInfo, less the key parts. */
export interface GetOptions {
  /** Blocks while the entry's index is not past this (background refresh types). */
  minIndex: number;
  /** How long a blocking get waits (the request's `?wait`). */
  timeoutMs: number;
  maxAgeMs: number;
  mustRevalidate: boolean;
}

export interface GetResult {
  value?: CachedResponse;
  /** The fetch failed: the server's non-200 answer, or the transport's error. */
  error?: CachedResponse | Error;
  hit: boolean;
  ageMs: number;
  index: number;
}

export interface AgentCacheOptions {
  maxEntries: number;
  maxBytes: number;
  now?: () => number;
  random?: () => number;
}

/** A client agent's bound: far more entries than one host's watches use, little memory. */
export const DEFAULT_CACHE_OPTIONS: AgentCacheOptions = { maxEntries: 1024, maxBytes: 32 * 1024 * 1024 };

/** Consul's CacheRefreshBackoffMin / CacheRefreshMaxWait. */
const BACKOFF_MIN_FAILURES = 3;
const BACKOFF_MAX_MS = 60_000;
/** A background query blocked this long is connected (Consul: the yamux keepalive, 30 s, plus 1). */
const CONNECTED_AFTER_MS = 31_000;
const SWEEP_EVERY_MS = 60_000;
/** Bound on one get's fetch rounds (each waits for a fetch). */
const GET_ROUNDS_MAX = 1_000_000;

interface Entry {
  readonly key: string;
  readonly type: CacheType;
  readonly fetchValue: CacheFetch;
  value: CachedResponse | undefined;
  index: number;
  error: CachedResponse | Error | undefined;
  fetching: Promise<void> | undefined;
  fetchedAt: number;
  /** When the background refresh first failed since its last success (0: connected). */
  lostContactAt: number;
  lastGetAt: number;
  attempt: number;
  bytes: number;
  /** The token is gone (ACL not found): Consul stops refreshing such an entry. */
  stopRefresh: boolean;
  evicted: boolean;
}

export class AgentCache {
  readonly #entries = new Map<string, Entry>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #now: () => number;
  readonly #random: () => number;
  #bytes = 0;
  #sweeper: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(readonly options: AgentCacheOptions = DEFAULT_CACHE_OPTIONS) {
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** The entry's last good value and its age, without fetching (stale-if-error). */
  peek(key: string): { value: CachedResponse; ageMs: number } | undefined {
    const e = this.#entries.get(key);
    return e?.value ? { value: e.value, ageMs: this.#now() - e.fetchedAt } : undefined;
  }

  /** Consul's Cache.Get: the entry's value when valid for `o`, else a fetch shared with every other reader. */
  async get(key: string, type: CacheType, fetchValue: CacheFetch, o: GetOptions): Promise<GetResult> {
    let first = true;
    let mustRevalidate = o.mustRevalidate;
    const deadline = o.minIndex > 0 && o.timeoutMs > 0 ? this.#now() + o.timeoutMs : Infinity;
    let e = this.#entries.get(key);
    for (let round = 0; round < GET_ROUNDS_MAX; round++) {
      e = this.#entries.get(key) ?? e;
      // The fetch this get waited for failed: that is the answer (stale-if-error is the caller's),
      // not the older value, and not a reason to loop on it.
      if (!first && e?.error !== undefined) return { value: e.value, error: e.error, hit: false, ageMs: 0, index: e.index };
      if (e && this.#valid(e, o.minIndex, o.maxAgeMs, mustRevalidate)) {
        // A read keeps the entry: last-get TTL and LRU order.
        e.lastGetAt = this.#now();
        if (this.#entries.get(key) === e) {
          this.#entries.delete(key);
          this.#entries.set(key, e);
        }
        return { value: e.value!, hit: first, ageMs: this.#age(e), index: e.index };
      }
      if (!e || e.evicted) e = this.#create(key, type, fetchValue);
      const fetched = this.#fetch(e);
      first = false;
      mustRevalidate = false;
      if (deadline === Infinity) {
        await fetched;
        continue;
      }
      const left = deadline - this.#now();
      if (left <= 0 || !(await settlesWithin(fetched, left))) {
        // Like a blocking query's timeout: the value there is, not an error.
        return { ...(e.value ? { value: e.value } : {}), hit: false, ageMs: 0, index: e.index };
      }
    }
    throw new Error('agent cache: get did not settle');
  }

  /** Evicts entries not read for their type's LastGetTTL (Consul's runExpiryLoop). */
  sweep(): number {
    const now = this.#now();
    let n = 0;
    for (const e of [...this.#entries.values()]) {
      if (now - e.lastGetAt > e.type.lastGetTtlMs) {
        this.#evict(e);
        n++;
      }
    }
    return n;
  }

  close(): void {
    this.#closed = true;
    if (this.#sweeper) clearInterval(this.#sweeper);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #valid(e: Entry, minIndex: number, maxAgeMs: number, mustRevalidate: boolean): boolean {
    if (!e.value || e.evicted) return false;
    // Consul's getEntryLocked.
    if (e.type.supportsBlocking && minIndex > 0 && minIndex >= e.index) return false;
    if (!e.type.refresh && maxAgeMs > 0 && this.#now() - e.fetchedAt > maxAgeMs) return false;
    if (!e.type.refresh && mustRevalidate) return false;
    return true;
  }

  #age(e: Entry): number {
    if (e.type.refresh) return e.lostContactAt === 0 ? 0 : this.#now() - e.lostContactAt;
    return this.#now() - e.fetchedAt;
  }

  #create(key: string, type: CacheType, fetchValue: CacheFetch): Entry {
    const now = this.#now();
    const e: Entry = {
      key, type, fetchValue, value: undefined, index: 0, error: undefined, fetching: undefined,
      fetchedAt: 0, lostContactAt: 0, lastGetAt: now, attempt: 0, bytes: 0, stopRefresh: false, evicted: false,
    };
    this.#entries.set(key, e);
    this.#bound(e);
    if (!this.#sweeper && !this.#closed) {
      this.#sweeper = setInterval(() => this.sweep(), SWEEP_EVERY_MS);
      this.#sweeper.unref();
    }
    return e;
  }

  /** One fetch of the entry at a time; every reader waits on the same one (Consul's fetch). */
  #fetch(e: Entry): Promise<void> {
    if (e.fetching) return e.fetching;
    const run = async (): Promise<void> => {
      let connected: NodeJS.Timeout | undefined;
      if (e.type.refresh && e.index > 0 && e.type.queryTimeoutMs > CONNECTED_AFTER_MS) {
        // A query that blocks this long reached a server: the entry is fresh again.
        connected = setTimeout(() => (e.lostContactAt = 0), CONNECTED_AFTER_MS);
        connected.unref();
      }
      let res: CachedResponse | undefined;
      let err: CachedResponse | Error | undefined;
      try {
        res = await e.fetchValue(e.type.supportsBlocking ? e.index : 0, e.type.queryTimeoutMs);
        if (res.status !== 200) [err, res] = [res, undefined];
      } catch (x) {
        err = x instanceof Error ? x : new Error(String(x));
      } finally {
        if (connected) clearTimeout(connected);
      }
      e.error = err;
      if (res) {
        if (!e.evicted) this.#bytes += res.body.length - e.bytes;
        e.bytes = res.body.length;
        e.value = res;
        // A value at index 0 would never block; 1 is safe (no user data is ever written at 1).
        e.index = Math.max(res.index, 1);
        e.fetchedAt = this.#now();
        e.attempt = res.index > 0 ? 0 : e.attempt + 1;
        e.lostContactAt = 0;
      } else {
        e.attempt++;
        if (e.type.refresh && e.lostContactAt === 0) e.lostContactAt = this.#now();
        if (aclNotFound(err)) e.stopRefresh = true;
      }
      e.fetching = undefined;
      if (!e.evicted) this.#bound(e);
      if (e.type.refresh && !e.stopRefresh) this.#refreshLater(e);
    };
    e.fetching = run();
    return e.fetching;
  }

  /** The background refresh: the next blocking fetch, after a backoff when fetches fail. */
  #refreshLater(e: Entry): void {
    if (this.#closed || e.evicted) return;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#closed && !e.evicted) void this.#fetch(e);
    }, this.#backoffMs(e.attempt));
    t.unref();
    this.#timers.add(t);
  }

  /** Consul's backOffWait: none for the first 3 failures, then 2^n s up to a minute, plus a random stagger. */
  #backoffMs(failures: number): number {
    if (failures <= BACKOFF_MIN_FAILURES) return 0;
    const shift = failures - BACKOFF_MIN_FAILURES;
    const wait = shift < 31 ? Math.min(2 ** shift * 1000, BACKOFF_MAX_MS) : BACKOFF_MAX_MS;
    return wait + this.#random() * wait;
  }

  /** Evicts the least recently read entries while over a bound, never `keep`. */
  #bound(keep: Entry): void {
    for (const e of this.#entries.values()) {
      if (this.#entries.size <= this.options.maxEntries && this.#bytes <= this.options.maxBytes) return;
      if (e !== keep) this.#evict(e);
    }
  }

  #evict(e: Entry): void {
    if (this.#entries.get(e.key) === e) this.#entries.delete(e.key);
    if (!e.evicted) this.#bytes -= e.bytes;
    e.evicted = true;
  }
}

function aclNotFound(err: CachedResponse | Error | undefined): boolean {
  if (!err || err instanceof Error) return false;
  return err.status === 403 && Buffer.from(err.body).toString('utf8').includes('ACL not found');
}

async function settlesWithin(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
