/** The Lock recipe against the real agent (127.0.2.11): mutual exclusion, hand-over, loss on session destroy. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '@proconsul/testing';
import { Lock, LockInUseError, type Consul } from '../src/index.js';
import { createClient } from '../src/node.js';

let agent: AgentProcess;
let c: Consul;

beforeAll(async () => {
  agent = await startAgent({ ip: '127.0.2.11' });
  c = createClient({ address: agent.httpAddr, env: {} });
}, 40_000);

afterAll(async () => {
  await agent?.stop();
});

// Flags within 2^53 so the test exercises the recipe on any agent; the default is Consul's LockFlagValue.
const flagValue = 0x2ddccbc0n;

describe('Lock', () => {
  it('only one holder at a time; the waiter gets it once the holder releases', async () => {
    const a = new Lock(c, { key: 'locks/job/.lock', sessionName: 'a', flagValue });
    const b = new Lock(c, { key: 'locks/job/.lock', sessionName: 'b', flagValue });
    const lostA = await a.acquire();
    expect(lostA).toBeDefined();
    expect(a.isHeld).toBe(true);
    let bGot = false;
    const bAcquire = b.acquire().then((s) => {
      bGot = true;
      return s;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(bGot).toBe(false);
    const holder = (await c.kv.get('locks/job/.lock')).data!;
    expect(holder.Flags).toBe(Number(flagValue));
    await a.release();
    expect(lostA!.aborted).toBe(false); // a release is not a loss
    const lostB = await bAcquire;
    expect(b.isHeld).toBe(true);
    await expect(a.destroy()).rejects.toBeInstanceOf(LockInUseError);
    await b.release();
    expect(lostB!.aborted).toBe(false);
    await b.destroy();
    expect((await c.kv.get('locks/job/.lock')).data).toBeNull();
  });

  it('tryOnce gives up after its wait while the lock is held', async () => {
    const a = new Lock(c, { key: 'locks/once/.lock', flagValue });
    await a.acquire();
    const b = new Lock(c, { key: 'locks/once/.lock', flagValue, tryOnce: true, waitMs: 300 });
    expect(await b.acquire()).toBeUndefined();
    await a.release();
  });

  it('signals loss when the session is destroyed behind its back', async () => {
    const a = new Lock(c, { key: 'locks/lost/.lock', flagValue });
    const lost = (await a.acquire())!;
    const holder = (await c.kv.get('locks/lost/.lock')).data!;
    await c.session.destroy(holder.Session!);
    await new Promise<void>((resolve) => {
      if (lost.aborted) return resolve();
      lost.addEventListener('abort', () => resolve(), { once: true });
    });
    expect(lost.aborted).toBe(true);
  });

  it('an abort signal stops the wait', async () => {
    const a = new Lock(c, { key: 'locks/abort/.lock', flagValue });
    await a.acquire();
    const stop = new AbortController();
    const b = new Lock(c, { key: 'locks/abort/.lock', flagValue });
    const p = b.acquire(stop.signal);
    setTimeout(() => stop.abort(), 100);
    expect(await p).toBeUndefined();
    await a.release();
  });

  it('holds under a session its caller owns: neither destroyed by a release nor renewed', async () => {
    const id = await c.session.create({ Name: 'owner', TTL: '10s', Behavior: 'delete', LockDelay: '1ms' });
    const a = new Lock(c, { key: 'locks/owned/data', value: 'v', session: id, flagValue });
    const lost = (await a.acquire())!;
    expect((await c.kv.get('locks/owned/data')).data!.Session).toBe(id);
    await a.release();
    expect(lost.aborted).toBe(false);
    expect((await c.session.info(id)).data?.ID).toBe(id); // still there: the caller ends it
    const b = new Lock(c, { key: 'locks/owned/data', session: id, flagValue });
    const lostB = (await b.acquire())!;
    await c.session.destroy(id); // Behavior "delete": the key goes with the session
    await new Promise<void>((resolve) => {
      if (lostB.aborted) return resolve();
      lostB.addEventListener('abort', () => resolve(), { once: true });
    });
    expect((await c.kv.get('locks/owned/data')).data).toBeNull();
  });
});
