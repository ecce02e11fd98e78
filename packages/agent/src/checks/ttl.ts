/**
 * TTL check (Consul's CheckTTL): pass/warn/fail/update set the status and restart the timer;
 * when the TTL runs out the check turns critical with `TTL expired` (plus the last output).
 */
import { truncateUpdateOutput } from './output.js';
import type { CheckLogger, TtlCheck } from './runner.js';
import type { CheckStatus } from './types.js';

export interface TtlOptions {
  ttlMs: number;
  outputMaxSize: number;
  onUpdate(status: CheckStatus, output: string): void;
  logger?: CheckLogger;
}

export function expiredOutput(lastOutput: string): string {
  return lastOutput === '' ? 'TTL expired' : `TTL expired (last output before timeout follows): ${lastOutput}`;
}

/** Node's largest timer delay. */
export const TIMER_MAX_MS = 2 ** 31 - 1;

export function createTtlCheck(options: TtlOptions): TtlCheck {
  let lastOutput = '';
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  // setTimeout fires at once past 2^31-1 ms: a longer TTL (Go allows 292 years) is waited for in steps.
  const arm = (remainingMs = options.ttlMs): void => {
    if (timer !== undefined) clearTimeout(timer);
    const step = Math.min(remainingMs, TIMER_MAX_MS);
    timer = setTimeout(() => {
      timer = undefined;
      if (stopped) return;
      if (remainingMs > step) return arm(remainingMs - step);
      options.logger?.warn({ ttlMs: options.ttlMs }, 'Check missed TTL, is now critical');
      options.onUpdate('critical', expiredOutput(lastOutput));
    }, step);
    timer.unref?.();
  };

  const update = (status: CheckStatus, output: string): void => {
    if (stopped) return;
    const kept = truncateUpdateOutput(output, options.outputMaxSize);
    lastOutput = kept;
    options.onUpdate(status, kept);
    arm();
  };

  arm();
  return {
    kind: 'ttl',
    pass: (note = '') => update('passing', note),
    warn: (note = '') => update('warning', note),
    fail: (note = '') => update('critical', note),
    update,
    stop(): void {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
