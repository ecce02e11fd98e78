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
  /** Called once when attempts are exhausted. */
  onExhausted: (err: Error) => void;
}

/** Starts the loop; the returned function stops it. */
export function startRetryJoin(o: RetryJoinOptions): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let attempt = 0;
  const tryOnce = async (): Promise<void> => {
    if (stopped) return;
    attempt++;
    try {
      const n = await o.join(o.addrs);
      if (stopped) return;
      o.log.info({ cluster: 'LAN', num_agents: n }, 'Join cluster completed. Synced with initial agents');
      return;
    } catch (err) {
      if (stopped) return;
      if (o.maxAttempts > 0 && attempt >= o.maxAttempts) {
        o.log.error({ cluster: 'LAN' }, 'max join retry exhausted, exiting');
        o.onExhausted(new Error('agent: max join retry exhausted, exiting'));
        return;
      }
      o.log.warn({ cluster: 'LAN', retry_interval: `${o.intervalMs}ms`, error: (err as Error).message }, 'Join cluster failed, will retry');
    }
    timer = setTimeout(() => void tryOnce(), o.intervalMs);
    timer.unref();
  };
  o.log.info({ cluster: 'LAN' }, 'Retry join is supported for the following discovery methods: static addresses');
  void tryOnce();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
