import { describe, expect, it } from 'vitest';
import type { QueryResult } from './query.js';
import { backoffDelay, nextIndex, TokenBucket, watch, watchCallback, type BlockingParams } from './watch.js';

function result<T>(data: T, index: number): QueryResult<T> {
  return { data, meta: { lastIndex: index, knownLeader: true, lastContactMs: 0, requestTimeMs: 0 } };
}

/** A scripted server: answers in order and records the index each request sent. */
function scripted<T>(answers: Array<QueryResult<T> | Error>) {
  const sent: number[] = [];
  let i = 0;
  const fetcher = async (p: BlockingParams): Promise<QueryResult<T>> => {
    sent.push(p.index);
    const a = answers[Math.min(i++, answers.length - 1)]!;
    if (a instanceof Error) throw a;
    return a;
  };
  return { fetcher, sent };
}

const fast = { burst: 1000, ratePerSecond: 1e6, backoffBaseMs: 1, backoffMaxMs: 2 };

async function take<T>(it: AsyncGenerator<QueryResult<T>>, n: number): Promise<T[]> {
  const out: T[] = [];
  for await (const r of it) {
    out.push(r.data);
    if (out.length === n) break;
  }
  return out;
}

describe('index rules', () => {
  it('sends back the last index, resets to 0 when it goes backwards, and treats < 1 as 1', () => {
    expect(nextIndex(0, 5)).toBe(5);
    expect(nextIndex(5, 9)).toBe(9);
    expect(nextIndex(9, 3)).toBe(0);
    expect(nextIndex(0, 0)).toBe(1);
  });
  it('bounds the back-off', () => {
    expect(backoffDelay(1, 500, 20_000)).toBe(500);
    expect(backoffDelay(3, 500, 20_000)).toBe(4500);
    expect(backoffDelay(100, 500, 20_000)).toBe(20_000);
  });
});

describe('watch', () => {
  it('yields on each change and passes the index along', async () => {
    const s = scripted([result('a', 5), result('a', 5), result('b', 7), result('c', 9)]);
    const got = await take(watch(s.fetcher, fast), 3);
    expect(got).toEqual(['a', 'b', 'c']);
    expect(s.sent).toEqual([0, 5, 5, 7]);
  });

  it('resets to index 0 when the index goes backwards (snapshot restore)', async () => {
    const s = scripted([result('a', 50), result('b', 10), result('b', 10), result('c', 11)]);
    const got = await take(watch(s.fetcher, fast), 2);
    expect(got).toEqual(['a', 'b']);
    // after 10 < 50 the next request does not block (index 0)
    const s2 = scripted([result('a', 50), result('a2', 10), result('x', 10)]);
    await take(watch(s2.fetcher, fast), 3).catch(() => undefined);
    expect(s2.sent.slice(0, 3)).toEqual([0, 50, 0]);
  });

  it('echoes indexes above 2^53 back exactly (event list indexes)', async () => {
    const big = (raw: string, data: string): QueryResult<string> => ({ data, meta: { lastIndex: Number(raw), lastIndexRaw: raw, knownLeader: true, lastContactMs: 0, requestTimeMs: 0 } });
    const sent: Array<string | undefined> = [];
    const answers = [big('12345678901234567891', 'a'), big('12345678901234567891', 'a'), big('9007199254740993', 'b')];
    let i = 0;
    const got = await take(
      watch(async (p) => {
        sent.push(p.indexRaw ?? String(p.index));
        return answers[Math.min(i++, answers.length - 1)]!;
      }, fast),
      2,
    );
    expect(got).toEqual(['a', 'b']);
    expect(sent).toEqual(['0', '12345678901234567891', '12345678901234567891']);
  });

  it('skips answers whose data did not change even when the index moved', async () => {
    const s = scripted([result(['x'], 1), result(['x'], 2), result(['x', 'y'], 3)]);
    expect(await take(watch(s.fetcher, fast), 2)).toEqual([['x'], ['x', 'y']]);
  });

  it('backs off and retries after errors, then carries on', async () => {
    const errors: number[] = [];
    const s = scripted<string>([new Error('boom'), new Error('boom'), result('ok', 3)]);
    const got = await take(watch(s.fetcher, { ...fast, onError: (_e, n) => errors.push(n) }), 1);
    expect(got).toEqual(['ok']);
    expect(errors).toEqual([1, 2]);
  });

  it('gives up after maxConsecutiveErrors with the last error', async () => {
    const s = scripted<string>([new Error('down')]);
    await expect(take(watch(s.fetcher, { ...fast, maxConsecutiveErrors: 3 }), 1)).rejects.toThrow('down');
    expect(s.sent.length).toBe(3);
  });

  it('stops cleanly when the signal aborts, also mid-request', async () => {
    const controller = new AbortController();
    let calls = 0;
    const fetcher = (p: BlockingParams) =>
      new Promise<QueryResult<string>>((resolve, reject) => {
        calls++;
        if (calls === 1) return resolve(result('first', 1));
        p.signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
      });
    const seen: string[] = [];
    const handle = watchCallback(fetcher, (d) => {
      seen.push(d);
      // abort while the second (blocking) request is in flight
      setTimeout(() => controller.abort(), 20);
    }, { ...fast, signal: controller.signal });
    await handle.done;
    expect(seen).toEqual(['first']);
    expect(calls).toBe(2);
  });

  it('watchCallback.stop() ends the loop', async () => {
    const s = scripted([result(1, 1), result(2, 2), result(3, 3)]);
    const seen: number[] = [];
    const handle = watchCallback(s.fetcher, (d) => {
      seen.push(d);
      if (d === 2) handle.stop();
    }, fast);
    await handle.done;
    expect(seen).toEqual([1, 2]);
  });
});

describe('TokenBucket', () => {
  it('allows a burst then spaces requests at the rate', () => {
    let now = 0;
    const b = new TokenBucket(2, 10, () => now);
    expect(b.reserve()).toBe(0);
    expect(b.reserve()).toBe(0);
    expect(b.reserve()).toBe(100);
    now = 1000;
    expect(b.reserve()).toBe(0);
  });
});
