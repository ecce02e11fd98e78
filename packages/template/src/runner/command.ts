// Runs a template's command (or a validation): a string through `sh -c`, a
// list directly; in its own process group so a timeout kills the whole tree.

import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  timedOut: boolean;
  ok: boolean;
}

const MAX_OUTPUT = 64 * 1024;

export function runCommand(command: string | string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  return new Promise((resolve) => {
    const [file, args] = typeof command === 'string' ? ['sh', ['-c', command]] : [command[0]!, command.slice(1)];
    let output = '';
    let timedOut = false;
    const child = spawn(file, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (b: Buffer) => {
      if (output.length < MAX_OUTPUT) output += b.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              child.kill('SIGKILL');
            }
          }, timeoutMs)
        : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      resolve({ code: 127, signal: null, output: output + String(err.message), timedOut, ok: false });
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, output: output.slice(0, MAX_OUTPUT), timedOut, ok: code === 0 && !timedOut });
    });
  });
}

/** Quotes a path for `sh`. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
