/**
 * Script check (Consul's CheckMonitor with Args): exit 0 passing, 1 warning, anything else
 * critical. stdout and stderr go into one tail buffer; on timeout the process group is killed.
 */
import { formatGoDuration } from '@proconsul/catalog';
import type { ProbeResult } from './interval.js';
import { TailBuffer } from './output.js';

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL'); // the whole subtree: the script runs in its own process group
  } catch {
    // already gone
  }
}

export async function probeScript(args: readonly string[], timeoutMs: number, maxOutputBytes: number, signal: AbortSignal): Promise<ProbeResult> {
  const [command, ...rest] = args;
  // Loaded with the first script check (an agent without one does not hold node:child_process).
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    if (command === undefined) {
      resolve({ status: 'critical', output: 'exec: no command' });
      return;
    }
    const output = new TailBuffer(maxOutputBytes);
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    const child = spawn(command, rest, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const onAbort = (): void => {
      timedOut = true;
      killGroup(child.pid);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort);
    child.stdout.on('data', (chunk: Buffer) => output.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.write(chunk));
    child.once('error', (err: NodeJS.ErrnoException) => {
      spawnError = err;
    });
    child.once('close', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      if (spawnError !== undefined) {
        const reason =
          spawnError.code === 'ENOENT'
            ? command.includes('/')
              ? `fork/exec ${command}: no such file or directory`
              : `exec: ${JSON.stringify(command)}: executable file not found in $PATH`
            : spawnError.code === 'EACCES'
              ? `fork/exec ${command}: permission denied`
              : spawnError.message;
        resolve({ status: 'critical', output: reason });
        return;
      }
      const text = output.captured();
      if (timedOut) {
        let msg = `Timed out (${formatGoDuration(timeoutMs)}) running check`;
        if (text.length > 0) msg += `\n\n${text}`;
        resolve({ status: 'critical', output: msg });
        return;
      }
      if (code === 0) resolve({ status: 'passing', output: text });
      else if (code === 1 && sig === null) resolve({ status: 'warning', output: text });
      else resolve({ status: 'critical', output: text });
    });
  });
}
