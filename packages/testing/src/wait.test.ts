import { describe, expect, it } from 'vitest';
import { waitFor } from './wait.js';

describe('waitFor', () => {
  it('returns the first truthy value', async () => {
    let n = 0;
    expect(await waitFor(() => (++n >= 3 ? `after ${n}` : undefined), 'the third try', 5_000, 1)).toBe('after 3');
  });

  it('gives up after its timeout, naming what it waited for and the last error', async () => {
    await expect(waitFor(() => Promise.reject(new Error('refused')), 'the agent', 50, 10)).rejects.toThrow('timed out after 50 ms waiting for the agent: refused');
    await expect(waitFor(() => false, 'nothing', 20, 5)).rejects.toThrow(/^timed out after 20 ms waiting for nothing$/);
  });
});
