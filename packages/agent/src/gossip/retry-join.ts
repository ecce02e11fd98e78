// -retry-join: keep trying to join until one address answers, every -retry-interval, at most
// -retry-max times (0: forever). Exhausting the attempts is fatal, as in Consul
// ("agent: max join retry exhausted, exiting").
import type { Logger } from '../log.js';

export interface RetryJoinOptions {
  addrs: string[];
  intervalMs: number;
  /** 0 means retry forever. */
  maxAttempts: number;
  join: (addrs: string[]) => Promise<number>;
  log: Logger;
  /** Which pool, for the logs (Consul's `cluster=LAN|WAN`). */
  cluster?: 'LAN' | 'WAN';
  /** Called once when attempts are exhausted. */
  onExhausted: (err: Error) => void;
}

/** Starts the loop; the returned function stops it. */
export function startRetryJoin(o: RetryJoinOptions): () => void {
  const cluster = o.cluster ?? 'LAN';
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let attempt = 0;
  const tryOnce = async (): Promise<void> => {
    if (stopped) return;
    attempt++;
    try {
      const n = await o.join(o.addrs);
      if (stopped) return;
      o.log.info({ cluster, num_agents: n }, 'Join cluster completed. Synced with initial agents');
      return;
    } catch (err) {
      if (stopped) return;
      if (o.maxAttempts > 0 && attempt >= o.maxAttempts) {
        o.log.error({ cluster }, 'max join retry exhausted, exiting');
        // Consul's texts: the LAN one as its agent prints it, the WAN one names the pool.
        o.onExhausted(new Error(cluster === 'WAN' ? 'agent: max join WAN retry exhausted, exiting' : 'agent: max join retry exhausted, exiting'));
        return;
      }
      o.log.warn({ cluster, retry_interval: `${o.intervalMs}ms`, error: (err as Error).message }, 'Join cluster failed, will retry');
    }
    timer = setTimeout(() => void tryOnce(), o.intervalMs);
    timer.unref();
  };
  o.log.info({ cluster }, 'Retry join is supported for the following discovery methods: static addresses');
  void tryOnce();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
