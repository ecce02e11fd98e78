// consul-template's retry policy for Consul queries (config/retry.go's RetryFunc): after the
// n-th failure in a row (n from 0) wait backoff * 2^n, at most max_backoff; give up once
// `attempts` retries are used (0: never give up) or at the first failure when disabled.

export interface RetryConfig {
  enabled: boolean;
  /** Retries before giving up; 0 retries forever. */
  attempts: number;
  backoffMs: number;
  /** Upper bound of one wait; 0 leaves it unbounded (still capped at MAX_EXPONENT doublings here). */
  maxBackoffMs: number;
}

/** config/retry.go's defaults. */
export const RETRY_DEFAULTS: RetryConfig = { enabled: true, attempts: 12, backoffMs: 250, maxBackoffMs: 60_000 };

/** Bounds the doubling when max_backoff is 0 (Go would overflow its Duration instead). */
const MAX_EXPONENT = 20;

/** The wait before retry number `retry` (0-based), or undefined: give up. */
export function retryDelay(cfg: RetryConfig, retry: number): number | undefined {
  if (!cfg.enabled) return undefined;
  if (cfg.attempts > 0 && retry > cfg.attempts - 1) return undefined;
  const sleep = cfg.backoffMs * 2 ** Math.min(retry, MAX_EXPONENT);
  return cfg.maxBackoffMs > 0 ? Math.min(sleep, cfg.maxBackoffMs) : sleep;
}
