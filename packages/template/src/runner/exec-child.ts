// The -exec child, as consul-template's child/child.go manages it: started once every template
// rendered; on a template change it gets `reload_signal`, or without one it is restarted
// (`kill_signal`, up to `kill_timeout` to exit, then SIGKILL, then started again); `splay` waits a
// random time up to it before either. A string command with spaces runs through `sh -c` in its
// own process group, and signals go to the whole group (command-prep.go, Setpgid).

import { spawn, type ChildProcess } from 'node:child_process';
import { sleep } from '@proconsul/api';
import type { Logger } from './log.js';

export interface ExecChildOptions {
  command: string | string[];
  env: Record<string, string>;
  /** null: restart the child on a change. */
  reloadSignal: NodeJS.Signals | null;
  /** null: SIGKILL straight away. */
  killSignal: NodeJS.Signals | null;
  killTimeoutMs: number;
  splayMs: number;
  log: Logger;
  /** The child exited of its own accord (or from a forwarded signal): its status. */
  onExit: (code: number) => void;
}

/** Go's ExitStatus of a process that did not exit by itself (killed by a signal) is -1. */
const SIGNALED_EXIT = 255;

export class ExecChild {
  private proc?: ChildProcess;
  private exited?: Promise<void>;
  private group = false;
  private stopped = false;
  /** Set while this side kills the process (restart, stop): its exit is not reported. */
  private killing = false;
  private readonly stopAbort = new AbortController();

  constructor(private readonly opts: ExecChildOptions) {}

  get pid(): number | undefined {
    return this.running() ? this.proc!.pid : undefined;
  }

  /** Throws when the command cannot be prepared; a spawn failure is reported through onExit(127). */
  start(): void {
    const cmd = this.opts.command;
    const list = typeof cmd === 'string' ? [cmd] : cmd;
    // command-prep.go: one string of several words goes through sh -c in a process group of its own.
    this.group = list.length === 1 && list[0]!.trim().split(/\s+/).length > 1;
    const [file, args] = this.group ? ['sh', ['-c', list[0]!]] : [list[0]!, list.slice(1)];
    if (!file.trim()) throw new Error('exec: missing command');
    this.opts.log.info('child', `spawning: ${[file, ...args].join(' ')}`);
    const proc = spawn(file, args, { stdio: 'inherit', env: this.opts.env, detached: this.group });
    this.proc = proc;
    this.exited = new Promise((resolve) => {
      let reported = false;
      const report = (code: number) => {
        resolve();
        if (reported || this.killing || this.stopped || this.proc !== proc) return;
        reported = true;
        this.opts.onExit(code);
      };
      proc.on('exit', (code) => report(code ?? SIGNALED_EXIT));
      proc.on('error', (err) => {
        this.opts.log.error('child', `${file}: ${err.message}`);
        report(127); // child.go's ExitCodeError
      });
    });
  }

  /** A template changed: the reload signal after the splay, or a restart. */
  async reload(): Promise<void> {
    if (this.stopped) return;
    if (this.opts.reloadSignal === null) {
      this.opts.log.info('child', 'restarting process');
      await this.kill(false);
      if (!this.stopped) this.start();
      return;
    }
    this.opts.log.info('child', 'reloading process');
    await this.splay();
    if (!this.stopped) this.signal(this.opts.reloadSignal);
  }

  /** A signal proconsul-template received and passes on (child.go Signal). */
  async forward(sig: NodeJS.Signals): Promise<void> {
    this.opts.log.info('child', `receiving signal "${sig}"`);
    if (sig === this.opts.reloadSignal) {
      await this.splay();
      this.signal(sig);
    } else if (sig === this.opts.killSignal) {
      // Its exit is reported: proconsul-template then exits with the child's status.
      await this.terminate(true, false);
    } else this.signal(sig);
  }

  /** Stops the child for good; `immediately` skips the splay. Resolves once it is gone. */
  async stop(immediately: boolean): Promise<void> {
    if (this.stopped) return;
    this.opts.log.info('child', 'stopping process');
    await this.kill(immediately);
    this.stopped = true;
    this.stopAbort.abort();
  }

  private running(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null && this.proc.pid !== undefined;
  }

  private signal(sig: NodeJS.Signals): void {
    if (!this.running()) return;
    const pid = this.proc!.pid!;
    try {
      process.kill(this.group ? -pid : pid, sig);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }

  private kill(immediately: boolean): Promise<void> {
    return this.terminate(immediately, true);
  }

  /** child.go kill: the kill signal, up to kill_timeout to exit, then SIGKILL. */
  private async terminate(immediately: boolean, quiet: boolean): Promise<void> {
    if (!this.running()) return;
    if (!immediately) await this.splay();
    const exited = this.exited!;
    this.killing = quiet;
    try {
      let gone = false;
      if (this.opts.killSignal !== null) {
        this.signal(this.opts.killSignal);
        const timeout = new AbortController();
        gone = await Promise.race([exited.then(() => true), sleep(this.opts.killTimeoutMs, timeout.signal).then(() => false)]);
        timeout.abort();
      }
      if (!gone) {
        if (this.opts.killSignal !== null) this.opts.log.warn('child', `did not exit within ${this.opts.killTimeoutMs}ms of ${this.opts.killSignal}; sending SIGKILL`);
        this.signal('SIGKILL');
        await exited;
      }
    } finally {
      this.killing = false;
    }
  }

  /** A random wait up to `splay`, cut short by stop(). */
  private async splay(): Promise<void> {
    if (this.opts.splayMs <= 0) return;
    const ms = Math.floor(Math.random() * this.opts.splayMs);
    this.opts.log.debug('child', `waiting ${(ms / 1000).toFixed(2)}s for random splay`);
    await sleep(ms, this.stopAbort.signal);
  }
}
