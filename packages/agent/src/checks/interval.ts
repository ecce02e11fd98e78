/**
 * The loop shared by http, tcp and script checks: first probe after a short random stagger,
 * then `interval` after each probe finishes (so one check never overlaps itself).
 */
import type { CheckLogger } from './runner.js';
import type { CheckStatus } from './types.js';
import { TIMER_MAX_MS } from './ttl.js';

export interface ProbeResult {
  status: CheckStatus;
  output: string;
}

/** One probe; must settle soon after `signal` aborts (timeout or stop). */
export type Probe = (signal: AbortSignal) => Promise<ProbeResult>;

export interface IntervalLoopOptions {
  intervalMs: number;
  timeoutMs: number;
  initialDelayMs?: number;
  logger?: CheckLogger;
  onResult(result: ProbeResult): void;
}

/** Consul staggers the first run over the whole interval; we keep it under a second. */
export function defaultInitialDelayMs(intervalMs: number): number {
  return Math.floor(Math.random() * Math.min(intervalMs, 1_000));
}

export function startIntervalLoop(probe: Probe, options: IntervalLoopOptions): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: AbortController | undefined;

  const runOnce = async (): Promise<void> => {
    inFlight = new AbortController();
    const deadline = setTimeout(() => inFlight?.abort(new Error('timeout')), Math.min(options.timeoutMs, TIMER_MAX_MS));
    let result: ProbeResult;
    try {
      result = await probe(inFlight.signal);
    } catch (err) {
      result = { status: 'critical', output: (err as Error).message };
    } finally {
      clearTimeout(deadline);
      inFlight = undefined;
    }
    if (stopped) return;
    options.onResult(result);
  };

  const schedule = (delayMs: number): void => {
    timer = setTimeout(() => {
      timer = undefined;
      runOnce()
        .catch((err: unknown) => options.logger?.warn({ err }, 'check probe failed'))
        .finally(() => {
          if (!stopped) schedule(options.intervalMs);
        });
    }, Math.min(delayMs, TIMER_MAX_MS)); // an interval past 24.8 days runs every 24.8 days
    timer.unref?.();
  };

  schedule(options.initialDelayMs ?? defaultInitialDelayMs(options.intervalMs));
  return {
    stop(): void {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      inFlight?.abort(new Error('stopped'));
    },
  };
}
