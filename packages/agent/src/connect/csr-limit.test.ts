// The leader's CSR limits (csr-limit.ts, after Consul's SignCertificate): a token bucket of
// CSRMaxPerSecond with a burst of 1 and a 500 ms wait, else CSRMaxConcurrent signings at once.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CSR_LIMIT_WAIT_MS, CsrLimiter, ERR_RATE_LIMITED, RateLimitedError, type CsrLimits } from './csr-limit.js';

/** Starts `n` signings at once; each takes `takesMs`. */
async function burst(lim: CsrLimiter, config: CsrLimits, n: number, takesMs = 0): Promise<string[]> {
  const runs = Array.from({ length: n }, () =>
    lim.run(config, async () => {
      if (takesMs > 0) await sleep(takesMs);
      return 'signed';
    }).catch((err: Error) => (err instanceof RateLimitedError ? err.message : `other: ${err.message}`)),
  );
  return Promise.all(runs);
}

describe('CsrLimiter', () => {
  it('per second: the first at once, the next within 500 ms waits, later ones are refused with Consul text', async () => {
    const lim = new CsrLimiter();
    const t0 = Date.now();
    // 4/s: slots at 0, 250, 500 ms; the fourth (750 ms) is past the wait.
    const out = await burst(lim, { csrMaxPerSecond: 4, csrMaxConcurrent: 0 }, 4);
    expect(out).toEqual(['signed', 'signed', 'signed', ERR_RATE_LIMITED]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(CSR_LIMIT_WAIT_MS - 20);
    expect(ERR_RATE_LIMITED).toBe('Rate limit reached, try again later');
  });

  it('per second: tokens come back with time; a new limit is a new bucket', async () => {
    const lim = new CsrLimiter();
    expect(await burst(lim, { csrMaxPerSecond: 1, csrMaxConcurrent: 0 }, 2)).toEqual(['signed', ERR_RATE_LIMITED]);
    await sleep(1_050);
    expect(await burst(lim, { csrMaxPerSecond: 1, csrMaxConcurrent: 0 }, 2)).toEqual(['signed', ERR_RATE_LIMITED]);
    expect(await burst(lim, { csrMaxPerSecond: 1000, csrMaxConcurrent: 0 }, 5)).toEqual(Array(5).fill('signed'));
  });

  it('CSRMaxPerSecond 0 with CSRMaxConcurrent: waiters get a slot within 500 ms, else are refused', async () => {
    const lim = new CsrLimiter();
    const conf = { csrMaxPerSecond: 0, csrMaxConcurrent: 2 };
    // Quick signings: the third waits for a slot and gets it.
    expect(await burst(lim, conf, 3, 50)).toEqual(['signed', 'signed', 'signed']);
    // Slow ones: the third waits 500 ms and gives up; the slots are all free afterwards.
    expect(await burst(lim, conf, 3, 800)).toEqual(['signed', 'signed', ERR_RATE_LIMITED]);
    expect(await burst(lim, conf, 2, 10)).toEqual(['signed', 'signed']);
  });

  it('no limit when both are 0; a failed signing frees its slot', async () => {
    const lim = new CsrLimiter();
    expect(await burst(lim, { csrMaxPerSecond: 0, csrMaxConcurrent: 0 }, 20)).toEqual(Array(20).fill('signed'));
    const conf = { csrMaxPerSecond: 0, csrMaxConcurrent: 1 };
    await expect(lim.run(conf, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await burst(lim, conf, 1)).toEqual(['signed']);
  });
});
