import type { CheckKind, CheckStatus } from './types.js';

/** The subset of a pino logger the runners use. */
export interface CheckLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface CheckRunOptions {
  /** Called with every status the check settles on (after thresholds), and its output. */
  onUpdate(status: CheckStatus, output: string): void;
  logger?: CheckLogger;
  /**
   * Delay before the first run. Consul picks a random offset within the interval; the
   * default here is a random offset within min(interval, 1 s) so a new check reports soon.
   */
  initialDelayMs?: number;
  /** Agent-wide `check_output_max_size`; a check's OutputMaxSize can only lower it. */
  agentOutputMaxSize?: number;
}

/** A running check. `stop()` cancels timers, aborts in-flight probes and kills scripts. */
export interface CheckRunner {
  readonly kind: CheckKind;
  stop(): void;
}

/** A ttl check: the pass/warn/fail/update endpoints drive it; expiry sets critical. */
export interface TtlCheck extends CheckRunner {
  readonly kind: 'ttl';
  pass(note?: string): void;
  warn(note?: string): void;
  fail(note?: string): void;
  /** Sets the status and output and restarts the TTL timer (output truncated as Consul does). */
  update(status: CheckStatus, output: string): void;
}

export function isTtlCheck(runner: CheckRunner): runner is TtlCheck {
  return runner.kind === 'ttl';
}
