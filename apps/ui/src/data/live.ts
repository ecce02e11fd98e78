/**
 * useLive: keeps a view's data current through Consul blocking queries (?index=&wait=), or by
 * polling for endpoints that do not block. Follows Consul's client rules (api's nextIndex:
 * an index going backwards resets to 0), backs off on errors, and after any error starts
 * again from index 0 — a restarted agent has a fresh, lower index and would otherwise hold
 * the request for the whole wait. While the tab is hidden, watches pause (the request in
 * flight is dropped): browsers allow six connections per host, shared by all tabs.
 */
import { backoffDelay, nextIndex, sleep, type QueryMeta, type QueryOptions, type QueryResult } from '@proconsul/api';
import { useEffect, useState } from 'preact/hooks';
import { reportResult } from './connection.js';

/** Blocking wait per request; well under browsers' and proxies' idle timeouts. */
const WAIT_MS = 30_000;
/** Smallest gap between two requests of one watch (Consul asks clients to rate-limit). */
const MIN_GAP_MS = 100;
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 2_000;

export interface LiveState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  meta: QueryMeta | undefined;
}

export type Fetcher<T> = (q: QueryOptions) => Promise<QueryResult<T>>;

export interface LiveOptions {
  /** Poll every `pollMs` instead of blocking (for endpoints without X-Consul-Index). */
  pollMs?: number;
}

const INITIAL: LiveState<never> = { data: undefined, error: undefined, loading: true, meta: undefined };

/** Wraps a plain read (no query meta) as a Fetcher for polling. */
export function plain<T>(read: (signal: AbortSignal | undefined) => Promise<T>): Fetcher<T> {
  return async (q) => ({ data: await read(q.signal), meta: { lastIndex: 0, knownLeader: true, lastContactMs: 0, requestTimeMs: 0 } });
}

function hidden(): boolean {
  return typeof document !== 'undefined' && document.visibilityState === 'hidden';
}

/** Resolves once the tab is visible (false if `signal` aborts first). */
function whenVisible(signal: AbortSignal): Promise<boolean> {
  if (!hidden()) return Promise.resolve(!signal.aborted);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      document.removeEventListener('visibilitychange', onChange);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onChange = () => !hidden() && done(true);
    const onAbort = () => done(false);
    document.addEventListener('visibilitychange', onChange);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A signal for one request: aborts with the watch, or when the tab is hidden. */
function requestSignal(watch: AbortSignal): { signal: AbortSignal; release(): void } {
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  const onChange = () => hidden() && ac.abort();
  watch.addEventListener('abort', onAbort, { once: true });
  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onChange);
  return {
    signal: ac.signal,
    release: () => {
      watch.removeEventListener('abort', onAbort);
      if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onChange);
    },
  };
}

export function useLive<T>(fetcher: Fetcher<T> | null, deps: unknown[], opts: LiveOptions = {}): LiveState<T> {
  const [state, setState] = useState<LiveState<T>>(INITIAL);
  useEffect(() => {
    setState(INITIAL);
    if (!fetcher) return;
    const ac = new AbortController();
    const { signal } = ac;
    void (async () => {
      let index = 0;
      let failures = 0;
      let lastJson = '';
      while (!signal.aborted) {
        if (!(await whenVisible(signal))) return;
        const blocking = !opts.pollMs && index > 0;
        const req = requestSignal(signal);
        try {
          const res = await fetcher(blocking ? { index, wait: WAIT_MS, signal: req.signal } : { signal: req.signal });
          if (signal.aborted) return;
          reportResult();
          failures = 0;
          const json = JSON.stringify(res.data);
          if (json !== lastJson) {
            lastJson = json;
            setState({ data: res.data, error: undefined, loading: false, meta: res.meta });
          } else {
            setState((s) => (s.error === undefined && !s.loading ? s : { ...s, error: undefined, loading: false }));
          }
          const received = res.meta.lastIndex;
          if (opts.pollMs || received === 0) {
            index = 0;
            if (!(await sleep(opts.pollMs ?? 5_000, signal))) return;
          } else {
            index = nextIndex(index, received);
            if (!(await sleep(MIN_GAP_MS, signal))) return;
          }
        } catch (err) {
          if (signal.aborted) return;
          if (req.signal.aborted) continue; // the tab was hidden: pause, keep the index
          reportResult(err);
          failures++;
          index = 0;
          setState((s) => ({ ...s, error: err, loading: false }));
          if (!(await sleep(backoffDelay(failures, BACKOFF_BASE_MS, BACKOFF_MAX_MS), signal))) return;
        } finally {
          req.release();
        }
      }
    })();
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}
