/**
 * How long a leaf certificate waits before it is re-signed under a new active root (Consul's
 * agent/leafcert/generate.go getJitteredCAChangeDelay): a random point of caChangeJitterWindow,
 * so that a rotation does not have every agent of a large cluster ask the servers in the same
 * second; the same window paces the retries of a rate-limited signing. A configured
 * `connect.test_ca_leaf_root_change_spread` (> 0) replaces the random point with a fixed delay.
 */

/** caChangeJitterWindow. */
export const CA_CHANGE_JITTER_WINDOW_MS = 30_000;

/** lib.RandomStagger(caChangeJitterWindow): uniform in [0, 30 s), unless overridden. */
export function caChangeDelayMs(testOverrideMs: number, random: () => number = Math.random): number {
  return testOverrideMs > 0 ? testOverrideMs : random() * CA_CHANGE_JITTER_WINDOW_MS;
}
