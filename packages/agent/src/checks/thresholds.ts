/**
 * Consul's StatusHandler: SuccessBeforePassing / FailuresBeforeWarning / FailuresBeforeCritical.
 * A warning result counts as a success. Until a threshold is reached the status is left as it was.
 */
import type { CheckStatus } from './types.js';

export interface Thresholds {
  successBeforePassing: number;
  failuresBeforeWarning: number;
  failuresBeforeCritical: number;
}

export class StatusHandler {
  private successes = 0;
  private failures = 0;

  constructor(
    private readonly thresholds: Thresholds,
    private readonly emit: (status: CheckStatus, output: string) => void,
  ) {}

  update(status: CheckStatus, output: string): void {
    const t = this.thresholds;
    if (status === 'passing' || status === 'warning') {
      this.successes += 1;
      this.failures = 0;
      if (this.successes >= t.successBeforePassing) this.emit(status, output);
      return;
    }
    this.failures += 1;
    this.successes = 0;
    if (this.failures >= t.failuresBeforeCritical) {
      this.emit('critical', output);
    } else if (this.failures >= t.failuresBeforeWarning) {
      this.emit('warning', output);
    }
  }
}
