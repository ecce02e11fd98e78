// The memo of catalog reads: a query's result and its JSON encoding, shared by every request
// that asks the same query while the catalog's last applied index stays the same. Every state
// change goes through apply and moves that index, so a memoized result is exactly what a
// re-run would return. Entries are bounded; the memo empties when the index moves.
import { constants, gzipSync } from 'node:zlib';
import type { Indexed } from '@proconsul/catalog';
import type { AgentContext } from '../context.js';
import { encodeJson } from './respond.js';

/** Distinct queries remembered at one applied index; past this the memo starts over. */
export const READ_MEMO_ENTRIES_MAX = 1024;

interface Entry {
  result: Indexed<unknown>;
  plain?: Buffer;
  pretty?: Buffer;
  plainGzip?: Buffer;
  prettyGzip?: Buffer;
}

/** Smaller answers are sent as they are: gzip would save little and cost a call. */
export const GZIP_MIN_BYTES = 1024;

export class ReadMemo {
  #appliedIndex = -1;
  #entries = new Map<string, Entry>();
  /** Query runs and encodings done (the rest were shared): for metrics and tests. */
  runs = 0;
  encodings = 0;

  constructor(private readonly appliedIndex: () => number) {}

  #current(): Map<string, Entry> {
    const applied = this.appliedIndex();
    if (applied !== this.#appliedIndex) {
      this.#appliedIndex = applied;
      this.#entries = new Map();
    }
    return this.#entries;
  }

  /** The result of `run` for `key` at the current applied index, run at most once. */
  read<T>(key: string, run: () => Indexed<T>): Indexed<T> {
    const entries = this.#current();
    const hit = entries.get(key);
    if (hit) return hit.result as Indexed<T>;
    const result = run();
    this.runs++;
    if (entries.size >= READ_MEMO_ENTRIES_MAX) entries.clear();
    entries.set(key, { result });
    return result;
  }

  /** The JSON of `result.value`, encoded once per memoized result (and per `pretty`). */
  encoded(key: string, result: Indexed<unknown>, pretty: boolean): Buffer {
    return this.#slot(key, result, pretty ? 'pretty' : 'plain', () => {
      this.encodings++;
      return Buffer.from(encodeJson(result.value, pretty));
    });
  }

  /**
   * That JSON gzipped (Consul gzips every answer for a client that accepts it), compressed
   * once per memoized result; undefined when it is too small to be worth it.
   */
  gzipped(key: string, result: Indexed<unknown>, pretty: boolean): Buffer | undefined {
    const body = this.encoded(key, result, pretty);
    if (body.length < GZIP_MIN_BYTES) return undefined;
    return this.#slot(key, result, pretty ? 'prettyGzip' : 'plainGzip', () => gzipSync(body, { level: constants.Z_BEST_SPEED }));
  }

  #slot(key: string, result: Indexed<unknown>, slot: 'plain' | 'pretty' | 'plainGzip' | 'prettyGzip', make: () => Buffer): Buffer {
    const entry = this.#current().get(key);
    const mine = entry !== undefined && entry.result === result;
    if (mine && entry[slot]) return entry[slot];
    const out = make();
    if (mine) entry[slot] = out;
    return out;
  }
}

const memos = new WeakMap<AgentContext, ReadMemo>();

export function memoFor(ctx: AgentContext): ReadMemo {
  let m = memos.get(ctx);
  if (!m) {
    const memo = (m = new ReadMemo(() => ctx.catalog.lastIndex));
    memos.set(ctx, memo);
    ctx.metrics.gaugeFunc('http.read_memo.runs', () => memo.runs);
    ctx.metrics.gaugeFunc('http.read_memo.encodings', () => memo.encodings);
  }
  return m;
}

/** The query of a read: its URL without `index` and `wait`, which only say when to answer (callers add the token). */
export function queryKey(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .filter((p) => !/^(index|wait)(=|$)/.test(p));
  return params.length === 0 ? url.slice(0, q) : `${url.slice(0, q)}?${params.join('&')}`;
}
