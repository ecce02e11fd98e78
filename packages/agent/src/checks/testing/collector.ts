/** Test helper: records check updates and waits (bounded) for the next ones. */
import type { CheckStatus } from '../types.js';

export interface Update {
  status: CheckStatus;
  output: string;
}

export class UpdateCollector {
  readonly updates: Update[] = [];
  private waiters: Array<() => void> = [];

  readonly onUpdate = (status: CheckStatus, output: string): void => {
    this.updates.push({ status, output });
    for (const w of this.waiters.splice(0)) w();
  };

  /** Resolves with update number `count` (1-based) or rejects after `timeoutMs`. */
  async nth(count: number, timeoutMs = 5_000): Promise<Update> {
    const deadline = Date.now() + timeoutMs;
    while (this.updates.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for update ${count}; got ${JSON.stringify(this.updates)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.updates[count - 1] as Update;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
