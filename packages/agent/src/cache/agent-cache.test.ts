// The agent cache's rules (Consul's agent/cache/cache.go) with a fetch we own: hit and miss,
// shared fetches, blocking on the index, max-age and must-revalidate, the errors that keep the
// last good value, and the bounds (LRU by entries and bytes, last-get TTL).
import { describe, expect, it } from 'vitest';
import { AgentCache, blockingRefreshType, noRefreshType, type CachedResponse, type CacheFetch, type GetOptions } from './agent-cache.js';
import { parseCacheControl } from './cache-control.js';

const NOW: GetOptions = { minIndex: 0, timeoutMs: 0, maxAgeMs: 0, mustRevalidate: false };
const ok = (index: number, body = `v${index}`): CachedResponse => ({ status: 200, headers: {}, body: Buffer.from(body), index });

/** A server whose value changes when the test says so; blocking fetches wait for that. */
function server(): { fetch: CacheFetch; set(body: string): void; calls: number[]; down: boolean } {
  let index = 10;
  let body = 'a';
  let wake: (() => void)[] = [];
  const s = {
    calls: [] as number[],
    down: false,
    set(b: string) {
      body = b;
      index++;
      for (const w of wake) w();
      wake = [];
    },
    fetch: async (minIndex: number): Promise<CachedResponse> => {
      s.calls.push(minIndex);
      if (s.down) return { status: 500, headers: {}, body: Buffer.from('No cluster leader'), index: 0 };
      if (minIndex > 0 && minIndex >= index) await new Promise<void>((r) => wake.push(r));
      if (s.down) return { status: 500, headers: {}, body: Buffer.from('No cluster leader'), index: 0 };
      return ok(index, body);
    },
  };
  return s;
}

describe('AgentCache, background refresh', () => {
  it('misses once, then hits with a value its blocking query keeps fresh', async () => {
    const cache = new AgentCache({ maxEntries: 10, maxBytes: 1 << 20 });
    const s = server();
    const t = blockingRefreshType('health-services');
    const first = await cache.get('k', t, s.fetch, NOW);
    expect([first.hit, Buffer.from(first.value!.body).toString()]).toEqual([false, 'a']);
    const second = await cache.get('k', t, s.fetch, NOW);
    expect([second.hit, second.ageMs]).toEqual([true, 0]);
    // The background query blocks at the entry's index and brings the change in.
    await new Promise((r) => setTimeout(r, 10));
    expect(s.calls).toEqual([0, 10]);
    s.set('b');
    await new Promise((r) => setTimeout(r, 10));
    const third = await cache.get('k', t, s.fetch, NOW);
    expect([third.hit, Buffer.from(third.value!.body).toString(), third.index]).toEqual([true, 'b', 11]);
    cache.close();
  });

  it('a get at the entry index waits for the next value; past the wait it answers what there is', async () => {
    const cache = new AgentCache({ maxEntries: 10, maxBytes: 1 << 20 });
    const s = server();
    const t = blockingRefreshType('health-services');
    await cache.get('k', t, s.fetch, NOW);
    const waiting = cache.get('k', t, s.fetch, { ...NOW, minIndex: 10, timeoutMs: 5_000 });
    setTimeout(() => s.set('c'), 50);
    const r = await waiting;
    expect([r.hit, Buffer.from(r.value!.body).toString(), r.index]).toEqual([false, 'c', 11]);
    const timedOut = await cache.get('k', t, s.fetch, { ...NOW, minIndex: 11, timeoutMs: 50 });
    expect([timedOut.hit, timedOut.index]).toEqual([false, 11]);
    cache.close();
  });

  it('keeps serving the last value when the servers fail, with the Age since contact was lost', async () => {
    let now = 1_000_000;
    const cache = new AgentCache({ maxEntries: 10, maxBytes: 1 << 20, now: () => now });
    const s = server();
    const t = blockingRefreshType('health-services');
    await cache.get('k', t, s.fetch, NOW);
    s.down = true;
    s.set('lost'); // wakes the blocked query, which now fails
    await new Promise((r) => setTimeout(r, 10));
    now += 7_000;
    const r = await cache.get('k', t, s.fetch, NOW);
    expect([r.hit, Buffer.from(r.value!.body).toString(), r.ageMs]).toEqual([true, 'a', 7_000]);
    cache.close();
  });
});

describe('AgentCache, simple', () => {
  it('re-fetches past max-age or on must-revalidate, and returns a failed fetch as the error', async () => {
    let now = 0;
    const cache = new AgentCache({ maxEntries: 10, maxBytes: 1 << 20, now: () => now });
    const s = server();
    const t = noRefreshType('prepared-query');
    expect((await cache.get('q', t, s.fetch, NOW)).hit).toBe(false);
    now += 30_000;
    const hit = await cache.get('q', t, s.fetch, NOW);
    expect([hit.hit, hit.ageMs]).toEqual([true, 30_000]);
    expect((await cache.get('q', t, s.fetch, { ...NOW, maxAgeMs: 60_000 })).hit).toBe(true);
    expect((await cache.get('q', t, s.fetch, { ...NOW, maxAgeMs: 10_000 })).hit).toBe(false);
    expect((await cache.get('q', t, s.fetch, { ...NOW, mustRevalidate: true })).hit).toBe(false);
    expect(s.calls.length).toBe(3);
    s.down = true;
    const failed = await cache.get('q', t, s.fetch, { ...NOW, mustRevalidate: true });
    expect((failed.error as CachedResponse).status).toBe(500);
    // The last good value is still there for stale-if-error, and for a plain read.
    expect(cache.peek('q')?.ageMs).toBe(0);
    expect((await cache.get('q', t, s.fetch, NOW)).hit).toBe(true);
    cache.close();
  });

  it('shares one fetch between concurrent readers', async () => {
    const cache = new AgentCache({ maxEntries: 10, maxBytes: 1 << 20 });
    let calls = 0;
    const fetch: CacheFetch = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return ok(5);
    };
    const t = noRefreshType('catalog-datacenters');
    const rs = await Promise.all([1, 2, 3].map(() => cache.get('d', t, fetch, NOW)));
    expect(calls).toBe(1);
    expect(rs.every((r) => r.value?.index === 5)).toBe(true);
  });
});

describe('AgentCache bounds', () => {
  it('evicts the least recently read entry beyond maxEntries, and beyond maxBytes', async () => {
    const cache = new AgentCache({ maxEntries: 2, maxBytes: 100 });
    const t = noRefreshType('prepared-query');
    const fetch = (body: string): CacheFetch => async () => ok(1, body);
    await cache.get('a', t, fetch('a'), NOW);
    await cache.get('b', t, fetch('b'), NOW);
    await cache.get('a', t, fetch('a'), NOW); // a is now the most recently read
    await cache.get('c', t, fetch('c'), NOW);
    expect([cache.has('a'), cache.has('b'), cache.has('c'), cache.size]).toEqual([true, false, true, 2]);
    await cache.get('big', t, fetch('x'.repeat(99)), NOW);
    expect([cache.has('big'), cache.has('a'), cache.size, cache.bytes]).toEqual([true, false, 2, 100]);
  });

  it('evicts an entry not read for its LastGetTTL, and stops refreshing it', async () => {
    let now = 0;
    const cache = new AgentCache({ maxEntries: 10, maxBytes: 1 << 20, now: () => now });
    const s = server();
    const t = { ...blockingRefreshType('catalog-services'), lastGetTtlMs: 1_000 };
    await cache.get('k', t, s.fetch, NOW);
    await new Promise((r) => setTimeout(r, 10)); // its background query is blocked at index 10
    now += 500;
    expect(cache.sweep()).toBe(0);
    await cache.get('k', t, s.fetch, NOW); // read: the TTL starts again
    now += 900;
    expect(cache.sweep()).toBe(0);
    now += 200;
    expect(cache.sweep()).toBe(1);
    expect(cache.has('k')).toBe(false);
    s.set('after'); // the blocked query answers; no new one starts for an evicted entry
    await new Promise((r) => setTimeout(r, 10));
    expect(s.calls).toEqual([0, 10]);
  });
});

describe('parseCacheControl', () => {
  it('reads max-age, must-revalidate and stale-if-error as Consul does', () => {
    expect(parseCacheControl('max-age=30, stale-if-error=259200')).toEqual({ maxAgeMs: 30_000, mustRevalidate: false, staleIfErrorMs: 259_200_000 });
    expect(parseCacheControl('Max-Age=0')).toEqual({ maxAgeMs: 0, mustRevalidate: true, staleIfErrorMs: 0 });
    expect(parseCacheControl('no-cache, must-revalidate').mustRevalidate).toBe(true);
    expect(() => parseCacheControl('max-age=soon')).toThrow('Invalid Cache-Control header.');
  });
});
