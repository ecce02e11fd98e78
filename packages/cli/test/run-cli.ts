/** Runs the built `proconsul` executable as a user would, with a clean environment. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { repoRoot } from '@proconsul/testing';

export const CLI_BIN = resolve(repoRoot, 'packages/cli/bin/proconsul.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  /** CONSUL_HTTP_ADDR. */
  addr: string;
  env?: Record<string, string>;
  stdin?: string | Buffer;
  timeoutMs?: number;
}

/** Exit code, stdout and stderr of `proconsul <args>`; stdin is closed after `stdin` (or at once). */
export function runCli(args: string[], o: CliRun): Promise<CliResult> {
  return new Promise((res) => {
    const child = execFile(
      process.execPath,
      [CLI_BIN, ...args],
      { env: { PATH: process.env['PATH'] ?? '', CONSUL_HTTP_ADDR: o.addr, ...o.env }, encoding: 'buffer', timeout: o.timeoutMs ?? 20_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        res({ code: typeof code === 'number' ? code : 1, stdout: stdout.toString(), stderr: stderr.toString() });
      },
    );
    child.stdin!.end(o.stdin ?? '');
  });
}
