/**
 * `proconsul lock PREFIX CHILD...`: runs a child process while holding a lock at PREFIX/.lock, or
 * with `-n N` (N > 1) one of N slots of a semaphore at PREFIX (Consul's `command/lock`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { DEFAULT_LOCK_KEY, Lock, LockInUseError, Semaphore, SemaphoreInUseError, parseDuration } from '@proconsul/api';
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText, serverFlags } from '../http-flags.js';

/** Time a child gets between SIGTERM and SIGKILL when the lock is lost (Consul's lockKillGracePeriod). */
const KILL_GRACE_MS = 5000;

function startChild(args: string[], useShell: boolean, passStdin: boolean, env: NodeJS.ProcessEnv): ChildProcess {
  const stdio: ['inherit' | 'ignore', 'inherit', 'inherit'] = [passStdin ? 'inherit' : 'ignore', 'inherit', 'inherit'];
  const childEnv = { ...env, CONSUL_LOCK_HELD: 'true' };
  if (useShell) return spawn(env['SHELL'] || '/bin/sh', ['-c', args.join(' ')], { stdio, env: childEnv });
  return spawn(args[0]!, args.slice(1), { stdio, env: childEnv });
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('error', () => resolve(127));
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

export const lock: Command = {
  synopsis: 'Execute a command holding a lock',
  help: `Usage: proconsul lock [options] prefix child...

  Acquires a lock or semaphore at a given path, and invokes a child process
  when successful. The child process can assume the lock is held while it
  executes. If the lock is lost or communication is disrupted the child
  process will be sent a SIGTERM signal and given time to gracefully exit.
  After the grace period expires the process will be hard terminated.

  When -n=1, only a single lock holder or leader exists providing mutual
  exclusion. Setting a higher value switches to a semaphore allowing multiple
  holders to coordinate.

  The prefix provided must have write privileges.`,
  flags: () =>
    new FlagSet([
      { name: 'child-exit-code', kind: 'bool', usage: 'Exit 2 if the child process exited with an error if this is true, otherwise this doesn\'t propagate an error from the child. The default value is false.' },
      { name: 'n', kind: 'int', default: '1', usage: 'Optional limit on the number of concurrent lock holders. The underlying implementation switches from a lock to a semaphore when the value is greater than 1. The default value is 1.' },
      { name: 'monitor-retry', kind: 'int', default: '3', usage: 'Number of times to retry if Consul returns a 500 error while monitoring the lock.' },
      { name: 'name', kind: 'string', usage: 'Optional name to associate with the lock session.' },
      { name: 'pass-stdin', kind: 'bool', usage: 'Pass stdin to the child process.' },
      { name: 'shell', kind: 'bool', default: true, usage: 'Use a shell to run the command (can set a custom shell via the SHELL environment variable).' },
      { name: 'timeout', kind: 'string', usage: 'Maximum amount of time to wait to acquire the lock, specified as a duration like "1s" or "3h". The default value is 0.' },
      { name: 'try', kind: 'string', usage: 'DEPRECATED. Use -timeout instead.' },
      { name: 'verbose', kind: 'bool', usage: 'Enable verbose (debugging) output.' },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    const limit = f.int('n');
    if (limit <= 0) {
      ui.error('Lock holder limit must be positive');
      return 1;
    }
    if (f.args.length < 2) {
      ui.error('Key prefix and child command must be specified');
      return 1;
    }
    const prefix = f.args[0]!.replace(/^\//, '');
    const childArgs = f.args.slice(1);
    let timeoutMs = 0;
    const timeoutText = f.string('timeout') || f.string('try');
    if (timeoutText) {
      try {
        timeoutMs = parseDuration(timeoutText);
      } catch {
        ui.error(`invalid value "${timeoutText}" for flag -timeout: parse error`);
        return 1;
      }
    }
    if (timeoutMs < 0) {
      ui.error('Timeout must be positive');
      return 1;
    }
    const monitorRetry = f.int('monitor-retry');
    if (monitorRetry < 0) {
      ui.error("Number for 'monitor-retry' must be >= 0");
      return 1;
    }
    const verbose = f.bool('verbose');
    const name = f.string('name') || `Consul lock for '${childArgs.join(' ')}' at '${prefix}'`;
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      await client.agent.nodeName();
    } catch (err) {
      ui.error(`Error querying Consul agent: ${errText(err)}`);
      return 1;
    }
    const oneshot = timeoutMs > 0 ? { tryOnce: true, waitMs: timeoutMs } : {};
    let l: Lock | Semaphore;
    if (limit === 1) {
      const key = prefix === '' ? DEFAULT_LOCK_KEY : `${prefix.replace(/\/+$/, '')}/${DEFAULT_LOCK_KEY}`;
      if (verbose) ui.info(`Setting up lock at path: ${key}`);
      l = new Lock(client, { key, sessionName: name, monitorRetries: monitorRetry, ...oneshot });
    } else {
      if (verbose) ui.info(`Setting up semaphore (limit ${limit}) at prefix: ${prefix}`);
      try {
        l = new Semaphore(client, { prefix, limit, sessionName: name, monitorRetries: monitorRetry, ...oneshot });
      } catch (err) {
        ui.error(`Lock setup failed: ${errText(err)}`);
        return 1;
      }
    }

    const shutdown = new AbortController();
    const onSignal = () => shutdown.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      if (verbose) ui.info('Attempting lock acquisition');
      let lost: AbortSignal | undefined;
      try {
        lost = await l.acquire(shutdown.signal);
      } catch (err) {
        ui.error(`Lock acquisition failed: ${errText(err)}`);
        return 1;
      }
      if (!lost) {
        ui.error('Shutdown triggered or timeout during lock acquisition');
        return 1;
      }
      let childCode = 0;
      if (!shutdown.signal.aborted) {
        if (verbose) ui.info('Starting handler');
        const child = startChild(childArgs, f.bool('shell'), f.bool('pass-stdin'), ui.io.env);
        const done = exited(child);
        const why = await Promise.race([
          done.then((code) => ({ kind: 'exit' as const, code })),
          new Promise<{ kind: 'lost' | 'shutdown' }>((resolve) => {
            lost!.addEventListener('abort', () => resolve({ kind: 'lost' }), { once: true });
            shutdown.signal.addEventListener('abort', () => resolve({ kind: 'shutdown' }), { once: true });
          }),
        ]);
        if (why.kind === 'exit') {
          if (why.code !== 0) {
            ui.error(`Error running handler: exit status ${why.code}`);
            childCode = 2;
          }
          if (verbose) ui.info('Child terminated, releasing lock');
        } else {
          if (verbose) ui.info(why.kind === 'lost' ? 'Lock lost, killing child' : 'Shutdown triggered, killing child');
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
          await done;
          clearTimeout(timer);
        }
      } else {
        ui.error('Shutdown triggered during lock acquisition');
      }
      try {
        await l.release();
      } catch (err) {
        ui.error(`Lock release failed: ${errText(err)}`);
        return 1;
      }
      try {
        await l.destroy();
        if (verbose) ui.info('Cleanup succeeded');
      } catch (err) {
        if (!(err instanceof LockInUseError || err instanceof SemaphoreInUseError)) {
          ui.error(`Lock cleanup failed: ${errText(err)}`);
          return 1;
        }
        if (verbose) ui.info('Cleanup aborted, lock in use');
      }
      return f.bool('child-exit-code') ? childCode : 0;
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  },
};
