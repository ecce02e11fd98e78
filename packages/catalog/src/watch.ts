/**
 * Watch hub: wakes blocking queries when something they read changes. A waiter registers
 * on watch keys (see `WatchKey`); `Catalog.apply` collects the keys it touched and calls
 * `notify` once per apply. Exact keys are a Map lookup; KV prefixes are checked per distinct
 * prefix, so thousands of waiters on a few prefixes cost a few string comparisons per write.
 */
import type { WatchKey } from './types.js';

interface Waiter {
  wake: () => void;
}

const KV_PREFIX = 'kv:';

export class WatchHub {
  /** Exact (table / service) keys -> waiters. */
  private readonly exact = new Map<string, Set<Waiter>>();
  /** KV prefix (without `kv:`) -> waiters. */
  private readonly prefixes = new Map<string, Set<Waiter>>();

  /** Number of registered waiters (for metrics and tests). */
  get size(): number {
    const all = new Set<Waiter>();
    for (const set of this.exact.values()) for (const w of set) all.add(w);
    for (const set of this.prefixes.values()) for (const w of set) all.add(w);
    return all.size;
  }

  /**
   * Resolves on the next `notify` that touches one of `keys`, or when `signal` aborts
   * (resolves, never rejects: the caller re-reads and answers with what it has).
   */
  wait(keys: readonly WatchKey[], signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const waiter: Waiter = { wake: () => undefined };
      const onAbort = (): void => waiter.wake();
      waiter.wake = () => {
        this.remove(keys, waiter);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      for (const key of keys) this.add(key, waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Wakes the waiters of table/service keys and of KV prefixes covering any of `kvKeys`. */
  notify(keys: Iterable<string>, kvKeys: Iterable<string> = []): void {
    const woken = new Set<Waiter>();
    for (const key of keys) {
      const set = this.exact.get(key);
      if (set) for (const w of set) woken.add(w);
    }
    if (this.prefixes.size > 0) {
      for (const k of kvKeys) {
        if (this.prefixes.size <= k.length + 1) {
          for (const [prefix, set] of this.prefixes) {
            if (k.startsWith(prefix)) for (const w of set) woken.add(w);
          }
        } else {
          // Many distinct prefixes: look up each prefix of the key instead.
          for (let i = 0; i <= k.length; i++) {
            const set = this.prefixes.get(k.slice(0, i));
            if (set) for (const w of set) woken.add(w);
          }
        }
      }
    }
    for (const w of woken) w.wake();
  }

  /** Wakes every waiter (after a snapshot restore replaced the whole state). */
  notifyAll(): void {
    const woken = new Set<Waiter>();
    for (const set of this.exact.values()) for (const w of set) woken.add(w);
    for (const set of this.prefixes.values()) for (const w of set) woken.add(w);
    for (const w of woken) w.wake();
  }

  private add(key: string, waiter: Waiter): void {
    const [map, k] = this.slot(key);
    let set = map.get(k);
    if (!set) {
      set = new Set();
      map.set(k, set);
    }
    set.add(waiter);
  }

  private remove(keys: readonly WatchKey[], waiter: Waiter): void {
    for (const key of keys) {
      const [map, k] = this.slot(key);
      const set = map.get(k);
      if (!set) continue;
      set.delete(waiter);
      if (set.size === 0) map.delete(k);
    }
  }

  private slot(key: string): [Map<string, Set<Waiter>>, string] {
    return key.startsWith(KV_PREFIX) ? [this.prefixes, key.slice(KV_PREFIX.length)] : [this.exact, key];
  }
}

/** Watch key of a KV prefix (a single key watches itself as a prefix). */
export function kvWatchKey(prefix: string): WatchKey {
  return KV_PREFIX + prefix;
}

/** Watch key of one service name (instances, their checks, their nodes). */
export function serviceWatchKey(name: string): WatchKey {
  return 'service:' + name.toLowerCase();
}
