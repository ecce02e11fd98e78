import type { ChildProcess } from 'node:child_process';

/**
 * Stops a child process we started: `signal` (SIGTERM by default), then SIGKILL if it is still
 * running after `killAfterMs`. Resolves once it has exited; at once if it already has.
 */
export function stopProcess(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 5_000): Promise<void> {
  return new Promise((res) => {
    // No pid: it never started (spawn error), so there is nothing to stop.
    if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return res();
    const kill = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
    proc.once('exit', () => {
      clearTimeout(kill);
      res();
    });
    proc.kill(signal);
  });
}
