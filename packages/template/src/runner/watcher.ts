// One view per dependency, shared by every template that reads it (as
// consul-template's Watcher): a blocking-query loop for Consul data, a poll for
// files and the datacenter list. A changed value goes into the Brain and
// `onChange(id)` tells the runner which templates to re-render.

import { readFile } from 'node:fs/promises';
import { ConsulConnectionError, isAbortError, nextIndex, sleep, type Consul } from '@proconsul/api';
import type { Brain } from '../consul/brain.js';
import type { Dependency } from '../consul/query.js';
import { fetcherFor, fetchPartitions } from './fetch.js';
import type { Logger } from './log.js';
import { RETRY_DEFAULTS, retryDelay, type RetryConfig } from './retry.js';

export interface WatcherOptions {
  client: Consul;
  brain: Brain;
  log: Logger;
  onChange: (id: string) => void;
  /** ?wait= of blocking queries. */
  blockWaitMs?: number;
  /** consul-template's max_stale (0: leader reads only). */
  maxStaleMs?: number;
  /** How often files and the datacenter list are re-read. */
  pollMs?: number;
  /** consul.retry: the waits between failed queries, and when to give up (default: consul-template's). */
  retry?: RetryConfig;
  /** A query failed more times in a row than `retry` allows: the view stopped; the runner exits. */
  onGiveUp?: (id: string, err: Error) => void;
}

interface View {
  dep: Dependency;
  abort: AbortController;
  /** Has it delivered a value yet? */
  received: boolean;
}

export class Watcher {
  private readonly views = new Map<string, View>();
  private unreachable = false;
  private readonly failing = new Set<string>();

  constructor(private readonly opts: WatcherOptions) {}

  has(id: string): boolean {
    return this.views.has(id);
  }
  ids(): string[] {
    return [...this.views.keys()];
  }
  /** Has this dependency delivered a first value? */
  received(id: string): boolean {
    return this.views.get(id)?.received ?? false;
  }

  watch(dep: Dependency): void {
    if (this.views.has(dep.id)) return;
    const view: View = { dep, abort: new AbortController(), received: false };
    this.views.set(dep.id, view);
    this.opts.log.debug('watcher', `adding ${dep.id}`);
    void this.run(view).catch((err: unknown) => this.opts.log.error('watcher', `${dep.id}: ${String(err)}`));
  }

  /** Stops the view; `forget`: drop its value too (false when the value now comes from elsewhere). */
  unwatch(id: string, forget = true): void {
    const v = this.views.get(id);
    if (!v) return;
    this.opts.log.debug('watcher', `removing ${id}`);
    v.abort.abort();
    this.views.delete(id);
    if (forget) this.opts.brain.forget(id);
  }

  stop(): void {
    for (const id of [...this.views.keys()]) this.unwatch(id);
  }

  private deliver(view: View, value: unknown): void {
    if (view.abort.signal.aborted) return;
    view.received = true;
    this.opts.brain.remember(view.dep.id, value);
    this.opts.onChange(view.dep.id);
  }

  private succeeded(id: string): void {
    this.failing.delete(id);
    if (this.unreachable) {
      this.unreachable = false;
      this.opts.log.info('watcher', 'agent reachable again');
    }
  }

  /**
   * After the `retry`-th failure in a row (0-based) of `id`: the wait before trying again, or
   * undefined when the retries are used up (watch/view.go poll: the error goes up and ends the run).
   */
  private failed(id: string, err: unknown, retry: number): number | undefined {
    const delayMs = retryDelay(this.opts.retry ?? RETRY_DEFAULTS, retry);
    if (delayMs === undefined) {
      const e = err instanceof Error ? err : new Error(String(err));
      this.opts.log.error('watcher', `${id}: ${e.message} (exceeded maximum retries)`);
      this.opts.onGiveUp?.(id, e);
      return undefined;
    }
    this.report(id, err, delayMs);
    return delayMs;
  }

  private report(id: string, err: unknown, delayMs: number): void {
    if (err instanceof ConsulConnectionError) {
      // Say it once, not once per dependency and retry.
      if (!this.unreachable) {
        this.unreachable = true;
        this.opts.log.warn('watcher', `agent unreachable (${err.message}); keeping the last rendered files, retrying with backoff`);
      }
      return;
    }
    if (!this.failing.has(id)) {
      this.failing.add(id);
      this.opts.log.warn('watcher', `${id}: ${err instanceof Error ? err.message : String(err)} (retrying in ${Math.round(delayMs)}ms)`);
    }
  }

  private async run(view: View): Promise<void> {
    const { dep } = view;
    const signal = view.abort.signal;
    if (dep.type === 'file' || dep.type === 'catalog.datacenters' || dep.type === 'list.partitions') return this.poll(view);
    const fetcher = fetcherFor(this.opts.client, dep);
    const waitMs = this.opts.blockWaitMs ?? 60_000;
    const maxStaleMs = this.opts.maxStaleMs ?? 0;
    let stale = maxStaleMs > 0;
    let index = 0;
    let failures = 0;
    let last: string | undefined;
    while (!signal.aborted) {
      let res;
      try {
        res = await fetcher({ index, wait: waitMs, stale, signal });
      } catch (err) {
        if (signal.aborted || isAbortError(err)) return;
        const delay = this.failed(dep.id, err, failures++);
        if (delay === undefined) return;
        // After an outage the agent may be another one (restarted, failed over) with
        // lower indexes: start again with a non-blocking read.
        if (err instanceof ConsulConnectionError) index = 0;
        if (!(await sleep(delay, signal))) return;
        continue;
      }
      failures = 0;
      this.succeeded(dep.id);
      // consul-template's view: an answer from a server too long without its leader is asked again of the leader.
      if (stale && res.meta.lastContactMs > maxStaleMs) {
        stale = false;
        this.opts.log.debug('watcher', `${dep.id}: stale data (last contact exceeded max_stale)`);
        continue;
      }
      stale = maxStaleMs > 0;
      const received = res.meta.lastIndex;
      if (view.received && received === index) continue; // the wait ran out; nothing changed
      index = nextIndex(index, received);
      const snapshot = JSON.stringify(res.data);
      if (snapshot === last && view.received) {
        // The index moved for unrelated writes, or the endpoint does not block
        // (no index): bound the loop rather than spin.
        const pauseMs = received <= 1 ? 1000 : 20;
        if (!(await sleep(pauseMs, signal))) return;
        continue;
      }
      last = snapshot;
      this.deliver(view, res.data);
    }
  }

  private async poll(view: View): Promise<void> {
    const { dep } = view;
    const signal = view.abort.signal;
    let last: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      let value: unknown;
      try {
        if (dep.type === 'file') {
          value = await readFile(dep.path, 'utf8').catch((e: NodeJS.ErrnoException) => {
            if (e.code === 'ENOENT') return null;
            throw e;
          });
        } else if (dep.type === 'list.partitions') {
          value = await fetchPartitions(this.opts.client, signal);
          this.succeeded(dep.id);
        } else {
          value = await this.opts.client.catalog.datacenters({ signal });
          this.succeeded(dep.id);
        }
        failures = 0;
      } catch (err) {
        if (signal.aborted) return;
        const delay = this.failed(dep.id, err, failures++);
        if (delay === undefined) return;
        if (!(await sleep(delay, signal))) return;
        continue;
      }
      const snapshot = JSON.stringify(value);
      if (snapshot !== last || !view.received) {
        last = snapshot;
        this.deliver(view, value);
      }
      if (!(await sleep(pollInterval(dep, this.opts.pollMs), signal))) return;
    }
  }
}

/**
 * How long a polled dependency waits between reads: files `pollMs`; partitions 15s
 * (consul_partitions.go's DefaultNonBlockingQuerySleepTime); the datacenter list 30s.
 */
function pollInterval(dep: Dependency, pollMs = 1000): number {
  if (dep.type === 'file') return pollMs;
  return dep.type === 'list.partitions' ? 15_000 : 30_000;
}
