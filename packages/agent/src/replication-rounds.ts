/**
 * The loop a secondary datacenter's leader runs for each kind of replicated state (Consul's
 * agent/consul/replication.go Replicator, used for ACLs and config entries): rounds rate limited
 * to 1 a second with bursts of 5 (ACLReplicationRate/Burst, ConfigReplicationRate/Burst); a
 * round that fails resets the index (a full sync next) and waits 2, 4, ... 64 s
 * (maxRetryBackoff); leadership lost (the signal) ends it after the request in flight.
 */

/** Consul's replication rate and burst defaults. */
const ROUNDS_PER_S = 1;
const ROUND_BURST = 5;
/** Consul's maxRetryBackoff, in seconds. */
const RETRY_BACKOFF_MAX_S = 64;

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done);
  });
}

export interface ReplicationRounds {
  signal: AbortSignal;
  /** One round from the primary's index last in step with: the new one (undefined: skipped, e.g. no token yet). */
  round(lastRemoteIndex: number): Promise<number | undefined>;
  onSuccess(index: number): void;
  onError(err: Error): void;
  now?: () => number;
}

export async function runReplicationRounds(o: ReplicationRounds): Promise<void> {
  const now = o.now ?? Date.now;
  const { signal } = o;
  let lastRemoteIndex = 0;
  let failedAttempts = 0;
  let tokens = ROUND_BURST;
  let refilledAt = now();
  while (!signal.aborted) {
    // Token bucket: ROUNDS_PER_S, up to ROUND_BURST at once.
    const t = now();
    tokens = Math.min(ROUND_BURST, tokens + ((t - refilledAt) / 1000) * ROUNDS_PER_S);
    refilledAt = t;
    if (tokens < 1) {
      await pause(((1 - tokens) / ROUNDS_PER_S) * 1000, signal);
      continue;
    }
    tokens -= 1;
    try {
      const index = await o.round(lastRemoteIndex);
      if (signal.aborted) return;
      if (index === undefined) continue;
      lastRemoteIndex = index;
      failedAttempts = 0;
      o.onSuccess(index);
    } catch (err) {
      if (signal.aborted) return;
      lastRemoteIndex = 0;
      o.onError(err as Error);
      if (1 << failedAttempts < RETRY_BACKOFF_MAX_S) failedAttempts++;
      await pause((1 << failedAttempts) * 1000, signal);
    }
  }
}
