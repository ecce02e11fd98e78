/**
 * The Semaphore recipe against the real agent (127.0.2.12): at most `limit` holders, the
 * waiter takes a freed slot, Consul's key layout and flags, dead holders pruned, conflicts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '@proconsul/testing';
import { kvFlags, kvValueText, Lock, Semaphore, SemaphoreConflictError, SemaphoreInUseError, SEMAPHORE_FLAG_VALUE, type Consul } from '../src/index.js';
import { createClient } from '../src/node.js';

let agent: AgentProcess;
let c: Consul;

beforeAll(async () => {
  agent = await startAgent({ ip: '127.0.2.12' });
  c = createClient({ address: agent.httpAddr, env: {} });
}, 40_000);

afterAll(async () => {
  await agent?.stop();
});

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

describe('Semaphore', () => {
  it('admits `limit` holders, makes the next wait, and hands it the first freed slot', async () => {
    const [a, b, w] = ['a', 'b', 'w'].map((n) => new Semaphore(c, { prefix: 'sem/job', limit: 2, sessionName: n, value: n }));
    const lostA = (await a!.acquire())!;
    await b!.acquire();
    let waiterGot = false;
    const waiting = w!.acquire().then((s) => {
      waiterGot = true;
      return s;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(waiterGot).toBe(false);

    // Consul's layout: a contender key per session, and the lock record, all with the semaphore flag.
    const pairs = (await c.kv.list('sem/job')).data;
    const lockPair = pairs.find((p) => p.Key === 'sem/job/.lock')!;
    expect(kvFlags(lockPair)).toBe(SEMAPHORE_FLAG_VALUE);
    const rec = JSON.parse(kvValueText(lockPair)) as { Limit: number; Holders: Record<string, boolean> };
    expect(rec.Limit).toBe(2);
    const contenders = pairs.filter((p) => p.Key !== 'sem/job/.lock');
    expect(contenders).toHaveLength(3);
    for (const p of contenders) {
      expect(p.Key).toBe(`sem/job/${p.Session}`);
      expect(kvFlags(p)).toBe(SEMAPHORE_FLAG_VALUE);
    }
    const holders = Object.keys(rec.Holders);
    expect(holders).toEqual([...holders].sort());
    expect(holders.map((h) => kvValueText(contenders.find((p) => p.Session === h)!)).sort()).toEqual(['a', 'b']);

    await a!.release();
    expect(lostA.aborted).toBe(false); // a release is not a loss
    await waiting;
    expect(w!.isHeld).toBe(true);
    // a's contender key went with its release
    expect((await c.kv.list('sem/job')).data.map((p) => kvValueText(p)).filter((v) => v !== '' && !v.startsWith('{')).sort()).toEqual(['b', 'w']);
    await expect(a!.destroy()).rejects.toBeInstanceOf(SemaphoreInUseError);
    await b!.release();
    await w!.release();
    await a!.destroy();
    expect((await c.kv.list('sem/job')).data).toEqual([]);
  });

  it('a holder whose session ends loses its slot, and the slot is pruned for the next contender', async () => {
    const a = new Semaphore(c, { prefix: 'sem/prune', limit: 1 });
    const lost = (await a.acquire())!;
    const session = (await c.kv.list('sem/prune')).data.find((p) => p.Key !== 'sem/prune/.lock')!.Session!;
    await c.session.destroy(session); // Behavior delete: its contender key goes too
    await aborted(lost);
    // The record still names the dead holder; the next contender prunes it and gets in.
    const rec = JSON.parse(kvValueText((await c.kv.get('sem/prune/.lock')).data!)) as { Holders: Record<string, boolean> };
    expect(Object.keys(rec.Holders)).toEqual([session]);
    const b = new Semaphore(c, { prefix: 'sem/prune', limit: 1, tryOnce: true, waitMs: 2_000 });
    expect(await b.acquire()).toBeDefined();
    await b.release();
  });

  it('tryOnce gives up after its wait while every slot is held', async () => {
    const a = new Semaphore(c, { prefix: 'sem/once', limit: 1 });
    await a.acquire();
    const b = new Semaphore(c, { prefix: 'sem/once', limit: 1, tryOnce: true, waitMs: 300 });
    const t0 = Date.now();
    expect(await b.acquire()).toBeUndefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    // b's contender key went with its session
    expect((await c.kv.list('sem/once')).data.filter((p) => p.Key !== 'sem/once/.lock')).toHaveLength(1);
    await a.release();
  });

  it('refuses a different limit, a lock at the same prefix, and bad options, with Consul\'s texts', async () => {
    const a = new Semaphore(c, { prefix: 'sem/limits', limit: 2 });
    await a.acquire();
    await expect(new Semaphore(c, { prefix: 'sem/limits', limit: 3 }).acquire()).rejects.toThrow('semaphore limit conflict (lock: 2, local: 3)');
    await a.release();

    const lock = new Lock(c, { key: 'sem/mixed/.lock' });
    await lock.acquire();
    await expect(new Semaphore(c, { prefix: 'sem/mixed', limit: 2 }).acquire()).rejects.toBeInstanceOf(SemaphoreConflictError);
    await lock.release();
    // the refused contender left no key behind
    expect((await c.kv.list('sem/mixed')).data.map((p) => p.Key)).toEqual(['sem/mixed/.lock']);

    expect(() => new Semaphore(c, { prefix: '', limit: 2 })).toThrow('missing prefix');
    expect(() => new Semaphore(c, { prefix: 'x', limit: 0 })).toThrow('semaphore limit must be positive');
    expect(() => new Semaphore(c, { prefix: 'x', limit: 2, sessionTTL: 'soon' })).toThrow(/^invalid SessionTTL: /);
    await expect(new Semaphore(c, { prefix: 'x', limit: 2 }).release()).rejects.toThrow('Semaphore not held');
  });

  it('an abort signal stops the wait', async () => {
    const a = new Semaphore(c, { prefix: 'sem/abort', limit: 1 });
    await a.acquire();
    const stop = new AbortController();
    const p = new Semaphore(c, { prefix: 'sem/abort', limit: 1 }).acquire(stop.signal);
    setTimeout(() => stop.abort(), 100);
    expect(await p).toBeUndefined();
    await a.release();
  });
});
