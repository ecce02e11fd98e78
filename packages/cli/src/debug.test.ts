import { describe, expect, it } from 'vitest';
import { formatGoDuration } from '@proconsul/catalog';
import { fileTimestamp, goUtcString, selectTargets, timingError } from './commands/debug.js';

const PPROF_WARNING = '[WARN] Unable to capture pprof. Set enable_debug to true on target agent to enable profiling.';

describe('debug flag checks', () => {
  it('refuses a short duration, a short interval and a duration under the interval, in that order', () => {
    expect(timingError(9_999, 1_000, formatGoDuration)).toBe('duration must be longer than 10s');
    // Consul names the minimum duration in the interval's message too.
    expect(timingError(10_000, 4_999, formatGoDuration)).toBe('interval must be longer than 10s');
    expect(timingError(20_000, 30_000, formatGoDuration)).toBe('duration (20s) must be longer than interval (30s)');
    expect(timingError(10_000, 5_000, formatGoDuration)).toBeUndefined();
    expect(timingError(300_000, 30_000, formatGoDuration)).toBeUndefined();
  });

  it('captures everything but pprof by default when the agent has debugging off', () => {
    expect(selectTargets([], false)).toEqual({ targets: ['metrics', 'logs', 'host', 'agent', 'members'], warnings: [PPROF_WARNING] });
    expect(selectTargets([], true)).toEqual({ targets: ['metrics', 'logs', 'pprof', 'host', 'agent', 'members'], warnings: [] });
    expect(selectTargets(['agent', 'cluster'], false)).toEqual({ targets: ['agent', 'cluster'], warnings: [] });
  });

  it('refuses an unknown target after dropping pprof', () => {
    expect(selectTargets(['pprof', 'bogus'], false)).toEqual({ targets: ['bogus'], warnings: [PPROF_WARNING], error: 'target not found: bogus' });
  });
});

describe('debug time formats', () => {
  it('names files with Go\'s 2006-01-02T15-04-05Z0700 and prints Go\'s UTC Time.String()', () => {
    const d = new Date(Date.UTC(2024, 4, 1, 10, 2, 3, 250));
    expect(fileTimestamp(d)).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(Z|[+-]\d{4})$/);
    expect(goUtcString(d)).toBe('2024-05-01 10:02:03.25 +0000 UTC');
    expect(goUtcString(new Date(Date.UTC(2024, 4, 1, 10, 2, 3)))).toBe('2024-05-01 10:02:03 +0000 UTC');
  });
});
