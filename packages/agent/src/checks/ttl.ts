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

export function createTtlCheck(options: TtlOptions): TtlCheck {
  let lastOutput = '';
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const arm = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (stopped) return;
      options.logger?.warn({ ttlMs: options.ttlMs }, 'Check missed TTL, is now critical');
      options.onUpdate('critical', expiredOutput(lastOutput));
    }, options.ttlMs);
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
