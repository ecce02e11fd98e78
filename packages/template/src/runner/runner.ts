// The runner: renders every template, keeps one watcher per dependency (shared
// across templates), re-renders a template when one of its dependencies
// changes (after its quiescence wait), writes changed output atomically and
// runs the template's command. Also: -once, -dry, -exec, the min_instances
// guard, validation before the swap, the `key` fail-fast timer, and
// de-duplication (dedup.ts): a follower watches only what cannot be shared.

import { readFileSync } from 'node:fs';
import type { Consul } from '@proconsul/api';
import { Brain } from '../consul/brain.js';
import { canShare, type Dependency } from '../consul/query.js';
import { runCommand } from './command.js';
import { emptyEnv, execEnabled, finalizeDedup, type ExecConfig, type RunnerConfig, type TemplateConfig, type Wait } from './config.js';
import { DedupManager, templateId } from './dedup.js';
import { ExecChild } from './exec-child.js';
import { agentEnv, childEnv } from './exec-env.js';
import type { Logger } from './log.js';
import { NginxUpstreamRenderer } from '../nginx/renderer.js';
import { TemplateRenderer, type RenderResult } from './render.js';
import { Watcher } from './watcher.js';
import { writeIfChanged } from './writer.js';

export type RunnerEvent =
  | { type: 'rendered'; destination: string; written: boolean }
  | { type: 'command'; destination: string; ok: boolean; output: string }
  | { type: 'invalid'; destination: string; output: string }
  | { type: 'held'; destination: string; reason: string }
  | { type: 'error'; destination: string; message: string }
  | { type: 'child'; action: 'start' | 'reload'; pid?: number };

/** cli.go's ExitCodeRunnerError: a query failed more often than consul.retry allows. */
export const EXIT_RUNNER_ERROR = 14;

export interface RunnerOptions {
  config: RunnerConfig;
  client: Consul;
  log: Logger;
  env?: Record<string, string | undefined>;
  /** Where -dry output goes. */
  stdout?: (s: string) => void;
  onEvent?: (e: RunnerEvent) => void;
}

interface TemplateState {
  cfg: TemplateConfig;
  name: string;
  /** consul-template's template ID: names its de-duplication lock and data. */
  id: string;
  renderer: { render(): RenderResult };
  used: Map<string, Dependency>;
  /** Has a complete render been put in place (or found identical)? */
  rendered: boolean;
  running: boolean;
  pending: boolean;
  quiescence?: { timer: NodeJS.Timeout; firstMs: number };
  keyTimer?: NodeJS.Timeout;
  lastError?: string;
  lastDry?: string;
}

export class Runner {
  private readonly brain = new Brain();
  private readonly watcher: Watcher;
  /** Set when de-duplicating (not in -once mode, as consul-template). */
  private readonly dedup?: DedupManager;
  private templates: TemplateState[] = [];
  private parsed = false;
  private stopped = false;
  private stopping?: Promise<void>;
  private child?: ExecChild;
  private readonly exec: ExecConfig;
  /** A reload of the child is running / another is wanted after it (changes coalesce). */
  private childReloading = false;
  private childReloadPending = false;
  private resolveDone!: (code: number) => void;
  /** Resolves with the exit code: -once finished, the -exec child exited, or a fatal error. */
  readonly done: Promise<number>;

  constructor(private readonly opts: RunnerOptions) {
    this.done = new Promise((r) => (this.resolveDone = r));
    this.exec = opts.config.exec;
    this.watcher = new Watcher({
      client: opts.client,
      brain: this.brain,
      log: opts.log,
      onChange: (id) => this.dependencyChanged(id),
      blockWaitMs: opts.config.blockWaitMs,
      maxStaleMs: opts.config.maxStaleMs,
      retry: opts.config.consul.retry,
      onGiveUp: (id, err) => {
        this.log.error('runner', `watcher reported error: ${id}: ${err.message}`);
        this.finish(EXIT_RUNNER_ERROR);
      },
    });
    const dedup = finalizeDedup(opts.config.dedup);
    if (dedup.enabled && opts.config.once) opts.log.info('runner', 'disabling de-duplication in once mode');
    else if (dedup.enabled) {
      this.dedup = new DedupManager({
        client: opts.client,
        log: opts.log,
        settings: dedup,
        onLeadership: (id) => this.leadershipChanged(id),
        onData: (id, data) => this.sharedData(id, data),
      });
    }
  }

  get log(): Logger {
    return this.opts.log;
  }

  /**
   * Parses every template; throws TemplateParseError / Error on a bad one. start() does it too;
   * a reload calls it first so that a bad new template keeps the running one.
   */
  parse(): void {
    if (this.parsed) return;
    this.templates = this.opts.config.templates.map((cfg, i) => this.load(cfg, i));
    this.parsed = true;
  }

  /** Parses the templates (unless parse() did) and renders the first pass. */
  start(): void {
    this.parse();
    this.dedup?.start(this.templates.map((t) => t.id));
    for (const t of this.templates) this.schedule(t, true);
  }

  private load(cfg: TemplateConfig, i: number): TemplateState {
    if (cfg.nginxUpstreams) {
      const renderer = new NginxUpstreamRenderer(this.brain, cfg.destination, cfg.nginxUpstreams, (msg) => this.log.warn('nginx', msg));
      const id = templateId('', `nginx-upstreams ${JSON.stringify(cfg.nginxUpstreams)}`, cfg.destination);
      return { cfg, name: `nginx-conf ${cfg.destination}`, id, renderer, used: new Map(), rendered: false, running: false, pending: false };
    }
    const name = cfg.source ?? `template[${i}]`;
    const text = cfg.contents ?? readFileSync(cfg.source!, 'utf8');
    const renderer = new TemplateRenderer(this.brain, {
      name,
      text,
      leftDelim: cfg.leftDelimiter,
      rightDelim: cfg.rightDelimiter,
      errorOnMissingKey: cfg.errorOnMissingKey,
      // template.go's Execute gets childEnv: `env "CONSUL_HTTP_ADDR"` sees what a command would.
      env: childEnv(emptyEnv(), agentEnv(this.opts.config.consul), this.opts.env ?? process.env),
      functionDenylist: cfg.functionDenylist,
      sandboxPath: cfg.sandboxPath,
    });
    const id = templateId(cfg.source ?? '', text, cfg.destination);
    return { cfg, name, id, renderer, used: new Map(), rendered: false, running: false, pending: false };
  }

  /**
   * Stops watching and rendering, and the -exec child (its kill signal, after the splay unless
   * `immediately`); resolves once the child is gone and the de-duplication session destroyed
   * (the same promise on every call).
   */
  stop(immediately = false): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopped = true;
    for (const t of this.templates) this.clearTimers(t);
    this.watcher.stop();
    this.stopping = Promise.all([this.child?.stop(immediately), this.dedup?.stop()]).then(() => undefined);
    return this.stopping;
  }

  /** The longest stop() may wait on the child: splay, then kill_timeout. */
  childStopBoundMs(): number {
    return this.child ? this.exec.splayMs + this.exec.killTimeoutMs : 0;
  }

  /**
   * The dependencies being watched: one view (one blocking query) each, shared by all templates.
   * A de-duplication follower's list holds only what cannot be shared.
   */
  dependencies(): string[] {
    return this.watcher.ids().sort();
  }

  /** Passes a signal on to the -exec child (its reload and kill signals act as such); false without one. */
  signalChild(sig: NodeJS.Signals): boolean {
    if (!this.child?.pid) return false;
    void this.child.forward(sig).catch((e: unknown) => this.log.error('child', `signal ${sig}: ${(e as Error).message}`));
    return true;
  }

  private finish(code: number): void {
    void this.stop();
    this.resolveDone(code);
  }

  private clearTimers(t: TemplateState): void {
    if (t.quiescence) clearTimeout(t.quiescence.timer);
    if (t.keyTimer) clearTimeout(t.keyTimer);
    t.quiescence = undefined;
    t.keyTimer = undefined;
  }

  private dependencyChanged(id: string): void {
    for (const t of this.templates) if (t.used.has(id)) this.schedule(t, false);
  }

  /** Without de-duplication every instance leads every template. */
  private isLeader(t: TemplateState): boolean {
    return !this.dedup || this.dedup.isLeader(t.id);
  }

  /** Does this instance query `d` itself? Everything when leading `t`; only what cannot be shared when following. */
  private watches(t: TemplateState, d: Dependency): boolean {
    return !canShare(d) || this.isLeader(t);
  }

  /** Won: render to start the watches; lost: render to drop them (and read the new leader's data). */
  private leadershipChanged(id: string): void {
    for (const t of this.templates) if (t.id === id) this.schedule(t, true);
  }

  /** A leader's values, read as a follower; what this instance watches itself is newer. */
  private sharedData(id: string, data: Record<string, unknown>): void {
    const changed = new Set<string>();
    for (const [depId, value] of Object.entries(data)) {
      if (this.watcher.has(depId)) continue;
      this.brain.remember(depId, value);
      changed.add(depId);
    }
    for (const t of this.templates) if (t.id === id || [...changed].some((d) => t.used.has(d))) this.schedule(t, false);
  }

  /** The shareable values a leader writes after a complete render (dedup.go UpdateDeps). */
  private shareableValues(t: TemplateState): Record<string, unknown> {
    const data: Record<string, unknown> = {};
    for (const d of t.used.values()) {
      if (!canShare(d)) continue;
      const v = this.brain.recall(d.id);
      if (v.ok) data[d.id] = v.value;
    }
    return data;
  }

  private waitOf(t: TemplateState): Wait {
    return t.cfg.wait ?? this.opts.config.wait;
  }

  /** Quiescence: render `min` after the last change, but no later than `max` after the first. */
  private schedule(t: TemplateState, immediate: boolean): void {
    if (this.stopped) return;
    const wait = this.waitOf(t);
    // The first render only discovers dependencies; quiescence applies to data changes.
    if (immediate || wait.minMs === 0 || !t.rendered) {
      void this.process(t);
      return;
    }
    const now = Date.now();
    const firstMs = t.quiescence?.firstMs ?? now;
    if (t.quiescence) clearTimeout(t.quiescence.timer);
    const delay = Math.max(0, Math.min(wait.minMs, firstMs + wait.maxMs - now));
    t.quiescence = {
      firstMs,
      timer: setTimeout(() => {
        t.quiescence = undefined;
        void this.process(t);
      }, delay),
    };
  }

  private emit(e: RunnerEvent): void {
    this.opts.onEvent?.(e);
  }

  private async process(t: TemplateState): Promise<void> {
    if (t.running) {
      t.pending = true;
      return;
    }
    t.running = true;
    try {
      do {
        t.pending = false;
        if (this.stopped || !this.templates.includes(t)) return;
        await this.renderOnce(t);
      } while (t.pending);
    } catch (e) {
      this.log.error('runner', `${t.name}: ${(e as Error).message}`);
      if (this.opts.config.once) this.finish(1);
    } finally {
      t.running = false;
    }
  }

  private async renderOnce(t: TemplateState): Promise<void> {
    const res = t.renderer.render();
    t.used = res.used;
    for (const d of res.used.values()) if (this.watches(t, d)) this.watcher.watch(d);
    this.collectGarbage();
    const dest = t.cfg.destination;
    // A new leader may hold a follower's (older) values: what it watches but has not heard yet is missing (runner.go).
    const unheard = [...res.used.values()].filter((d) => this.watches(t, d) && !this.watcher.received(d.id));
    if (res.complete && unheard.length > 0) {
      this.log.debug('runner', `${t.name}: waiting for ${unheard.map((d) => d.id).join(', ')}`);
      return;
    }

    if (!res.complete) {
      if (res.error) {
        const msg = res.error.message;
        if (t.lastError !== msg) this.log.error('runner', `${t.name}: ${msg} (keeping the last rendered file)`);
        t.lastError = msg;
        this.emit({ type: 'error', destination: dest, message: msg });
        if (this.opts.config.once) this.finish(1);
        return;
      }
      this.log.debug('runner', `${t.name}: waiting for ${[...res.missing.keys()].join(', ')}`);
      this.armKeyTimer(t, res.absentKeys);
      return;
    }
    t.lastError = undefined;
    if (t.keyTimer) {
      clearTimeout(t.keyTimer);
      t.keyTimer = undefined;
    }
    if (this.dedup && this.isLeader(t)) void this.dedup.updateDeps(t.id, this.shareableValues(t));

    // min_instances: an empty (or too small) upstream never reaches the destination.
    if (t.cfg.minInstances > 0) {
      for (const d of res.used.values()) {
        if (d.type !== 'health.service') continue;
        const n = (this.brain.recall(d.id).value as unknown[] | undefined)?.length ?? 0;
        if (n < t.cfg.minInstances) {
          const reason = `${d.id} has ${n} instance(s), fewer than min_instances ${t.cfg.minInstances}`;
          this.log.warn('runner', `${t.name}: not rendering ${dest}: ${reason}; keeping the last file`);
          this.emit({ type: 'held', destination: dest, reason });
          return;
        }
      }
    }

    if (this.opts.config.dry) {
      if (t.lastDry !== res.contents) {
        t.lastDry = res.contents;
        (this.opts.stdout ?? ((s) => process.stdout.write(s)))(`> ${dest}\n${res.contents}`);
        this.reloadChild();
      }
      t.rendered = true;
      this.checkAllRendered();
      return;
    }

    const out = await writeIfChanged({
      destination: dest,
      contents: res.contents,
      perms: t.cfg.perms,
      backup: t.cfg.backup,
      createDestDirs: t.cfg.createDestDirs,
      validate: t.cfg.validate,
      validateTimeoutMs: t.cfg.commandTimeoutMs,
      user: t.cfg.user,
      group: t.cfg.group,
    });
    if (out.status === 'invalid') {
      const output = out.validation.output.trim();
      this.log.error('runner', `${t.name}: validation of ${dest} failed (exit ${out.validation.code}); keeping the last good file${output ? `: ${output}` : ''}`);
      this.emit({ type: 'invalid', destination: dest, output });
      if (this.opts.config.once) this.finish(1);
      return;
    }
    const written = out.status === 'written';
    if (written) this.log.info('runner', `rendered ${JSON.stringify(t.name)} => ${JSON.stringify(dest)}`);
    else this.log.debug('runner', `${dest} is unchanged`);
    this.emit({ type: 'rendered', destination: dest, written });
    t.rendered = true;
    if (written) this.reloadChild();
    // As consul-template: the command runs only when the file changed.
    if (t.cfg.command && written) {
      const ok = await this.runTemplateCommand(t);
      if (!ok && this.opts.config.once) {
        this.finish(1);
        return;
      }
    }
    this.checkAllRendered();
  }

  private async runTemplateCommand(t: TemplateState): Promise<boolean> {
    const cmd = t.cfg.command!;
    const shown = typeof cmd === 'string' ? cmd : cmd.join(' ');
    this.log.info('runner', `executing command ${JSON.stringify(shown)} from ${JSON.stringify(t.name)} => ${JSON.stringify(t.cfg.destination)}`);
    // manager/runner.go: a template's command gets childEnv (CONSUL_HTTP_*) before its own exec.env.
    const env = childEnv(t.cfg.commandEnv ?? emptyEnv(), agentEnv(this.opts.config.consul), this.opts.env ?? process.env);
    const res = await runCommand(cmd, t.cfg.commandTimeoutMs, env);
    const output = res.output.trim();
    if (output) for (const line of output.split('\n')) this.log.info('child', line);
    if (!res.ok) {
      const why = res.timedOut ? `timed out after ${t.cfg.commandTimeoutMs}ms` : `exit status ${res.code ?? res.signal}`;
      this.log.error('runner', `command ${JSON.stringify(shown)} failed: ${why}`);
    }
    this.emit({ type: 'command', destination: t.cfg.destination, ok: res.ok, output });
    return res.ok;
  }

  private armKeyTimer(t: TemplateState, absent: Set<string>): void {
    const ms = this.opts.config.keyTimeoutMs;
    if (ms <= 0 || absent.size === 0 || t.keyTimer) return;
    t.keyTimer = setTimeout(() => {
      t.keyTimer = undefined;
      const res = t.renderer.render();
      if (res.absentKeys.size === 0) return;
      const keys = [...res.absentKeys].map((id) => id.replace(/^kv\.get\((.*)\)$/, '$1'));
      const msg = `${t.name}: key ${keys.map((k) => JSON.stringify(k)).join(', ')} does not exist after ${ms}ms; not rendering ${t.cfg.destination}`;
      this.log.error('runner', msg);
      this.emit({ type: 'error', destination: t.cfg.destination, message: msg });
      if (this.opts.config.once) this.finish(1);
    }, ms);
  }

  /** Stops the watches no template needs; a value still used (now from a leader's data) stays in the Brain. */
  private collectGarbage(): void {
    const used = new Set<string>();
    const watched = new Set<string>();
    for (const t of this.templates) {
      for (const d of t.used.values()) {
        used.add(d.id);
        if (this.watches(t, d)) watched.add(d.id);
      }
    }
    for (const id of this.watcher.ids()) if (!watched.has(id)) this.watcher.unwatch(id, !used.has(id));
  }

  private checkAllRendered(): void {
    if (!this.templates.every((t) => t.rendered) || this.stopped) return;
    const exec = execEnabled(this.exec);
    if (this.opts.config.once) {
      if (!exec) {
        this.finish(0);
        return;
      }
      // runner.go once mode: stop watching, run the child, exit with its status.
      this.watcher.stop();
      for (const t of this.templates) this.clearTimers(t);
    }
    if (exec && !this.child) this.startChild();
  }

  private startChild(): void {
    const e = this.exec;
    const child = new ExecChild({
      command: e.command!,
      env: childEnv(e.env, agentEnv(this.opts.config.consul), this.opts.env ?? process.env),
      reloadSignal: e.reloadSignal,
      killSignal: e.killSignal,
      killTimeoutMs: e.killTimeoutMs,
      splayMs: e.splayMs,
      log: this.log,
      onExit: (code) => {
        if (this.child !== child) return;
        // manager/errors.go ErrChildDied; cli.go logs a 0 as info, others as errors.
        if (code === 0) this.log.info('runner', 'child process exited with code 0');
        else this.log.error('runner', `child process exited with code ${code}`);
        this.finish(code);
      },
    });
    this.child = child;
    try {
      child.start();
    } catch (err) {
      this.log.error('runner', `child: ${(err as Error).message}`);
      this.finish(1);
      return;
    }
    this.emit({ type: 'child', action: 'start', pid: child.pid });
  }

  /** A template changed while the child runs: one reload (signal or restart) at a time; changes meanwhile make one more. */
  private reloadChild(): void {
    if (!this.child) return;
    if (this.childReloading) {
      this.childReloadPending = true;
      return;
    }
    this.childReloading = true;
    void (async () => {
      try {
        do {
          this.childReloadPending = false;
          const child = this.child;
          if (!child || this.stopped) return;
          await child.reload();
          this.emit({ type: 'child', action: 'reload', pid: child.pid });
        } while (this.childReloadPending);
      } catch (err) {
        this.log.error('runner', `child: ${(err as Error).message}`);
        this.finish(1);
      } finally {
        this.childReloading = false;
      }
    })();
  }
}
