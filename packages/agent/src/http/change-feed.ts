/**
 * Wakes blocking queries on agent-local state (agent endpoints, events): whoever changes
 * that state calls `notify()`, and every `wait()` resolves.
 */
export class ChangeFeed {
  #waiters = new Set<() => void>();

  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const wake = (): void => {
        this.#waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.#waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  notify(): void {
    for (const w of [...this.#waiters]) w();
  }
}
