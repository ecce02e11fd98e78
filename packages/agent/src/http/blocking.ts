// Index-based blocking queries (Consul's agent/blockingquery): run the query; if the client
// holds an index and the result's index is not past it, wait until something the query read
// changes, re-run, and return when the index moves past the client's or the wait (plus up to
// wait/16 of jitter) runs out. A timeout answers 200 with the current data.
import type { FastifyReply } from 'fastify';
import type { QueryOptions } from './query-options.js';

export interface QueryResult<T> {
  index: number;
  value: T;
  /** What the query read (catalog watch keys); undefined for agent-local state. */
  watch?: readonly string[];
}

/** Resolves when something under `watch` may have changed, or when `signal` aborts. */
export type WaitForChange = (watch: readonly string[] | undefined, signal: AbortSignal) => Promise<void>;

/** Bound on re-runs of one request, whatever happens to the state (TIGER_STYLE: bound every loop). */
const RERUNS_MAX = 1_000_000;

export async function blockingQuery<T>(
  reply: FastifyReply,
  opts: Pick<QueryOptions, 'index' | 'waitMs'>,
  waitForChange: WaitForChange,
  run: () => QueryResult<T>,
): Promise<QueryResult<T>> {
  let result = run();
  if (opts.index === 0 || result.index > opts.index) return result;
  const abort = new AbortController();
  const waitMs = opts.waitMs + Math.random() * (opts.waitMs / 16);
  const timer = setTimeout(() => abort.abort(), waitMs);
  const onClose = (): void => abort.abort();
  reply.raw.on('close', onClose);
  try {
    for (let i = 0; i < RERUNS_MAX && !abort.signal.aborted; i++) {
      await waitForChange(result.watch, abort.signal);
      result = run();
      if (result.index > opts.index) break;
    }
    return result;
  } finally {
    clearTimeout(timer);
    reply.raw.off('close', onClose);
  }
}

/** Fast path: answers synchronously when the request does not block. */
export function isBlocking(opts: Pick<QueryOptions, 'index'>): boolean {
  return opts.index > 0;
}
