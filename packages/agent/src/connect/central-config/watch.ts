/**
 * enable_central_service_config: every proxy and gateway registered on this agent is kept merged
 * with its central defaults, as Consul's agent/service_manager.go does. The HTTP registration
 * resolves them first (its error is the registration's), then one blocking
 * `ConfigEntry.ResolveServiceConfig` call per service follows the entries, and each answer is
 * merged into the local state (LocalState.setCentralDefaults). The watches follow the local
 * state: a registration that asks for something else restarts its watch, a removed one stops it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ServiceDefinition } from '../../config/index.js';
import type { LocalState } from '../../local/local-state.js';
import type { Logger } from '../../log.js';
import type { ClusterRole } from '../../cluster/role.js';
import { expandSidecar } from '../sidecar-service.js';
import { configRequestFor, takesCentralConfig } from './request.js';
import type { ServiceConfigRequest, ServiceConfigResponse } from './resolve.js';
import { RESOLVE_SERVICE_CONFIG, type ResolveServiceConfigCall, type ResolveServiceConfigReply } from './resolve-rpc.js';

/** How long one blocking call waits on the servers, and what the RPC may take beyond that. */
const WATCH_WAIT_MS = 5 * 60_000;
const RPC_MARGIN_MS = 30_000;
/** Retry after a failed call: doubling from the first to the last. */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 30_000;

interface Watch {
  key: string;
  abort: AbortController;
}

export class CentralConfigWatches {
  readonly #watches = new Map<string, Watch>();
  #scheduled = false;
  #closed = false;

  constructor(
    private readonly o: { local: LocalState; cluster: Pick<ClusterRole, 'serverRpc'>; logger: Logger; agentToken: () => string },
  ) {}

  /**
   * The defaults for each proxy or gateway `def` registers (itself and its sidecar), keyed by
   * service ID, resolved before the registration as Consul's RegisterAndStart does.
   */
  async resolveFor(def: ServiceDefinition, token: string): Promise<Map<string, ServiceConfigResponse>> {
    const expanded = expandSidecar(def, token);
    const defs = expanded ? [{ def: expanded.parent, token }, { def: expanded.sidecar, token: expanded.token }] : [{ def, token }];
    const out = new Map<string, ServiceConfigResponse>();
    for (const { def: d, token: t } of defs) {
      if (!takesCentralConfig(d.Kind)) continue;
      const id = d.ID || d.Name;
      try {
        out.set(id, (await this.#call(configRequestFor({ ...d, Service: d.Name }), t, 0)).Config);
      } catch (err) {
        throw new Error(`could not retrieve initial service_defaults config for service ${JSON.stringify(id)}: ${(err as Error).message}`);
      }
    }
    return out;
  }

  /** Call on every local state change: starts, restarts and stops watches (after the change is done). */
  localChanged(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#reconcile();
    });
  }

  close(): void {
    this.#closed = true;
    for (const w of this.#watches.values()) w.abort.abort();
    this.#watches.clear();
  }

  #reconcile(): void {
    if (this.#closed) return;
    const wanted = new Map<string, { key: string; req: ServiceConfigRequest; token: string }>();
    for (const { service, token } of this.o.local.registrations()) {
      if (!takesCentralConfig(service.Kind)) continue;
      const req = configRequestFor(service);
      wanted.set(service.ID, { key: JSON.stringify([req, token]), req, token });
    }
    for (const [id, w] of this.#watches) {
      if (wanted.get(id)?.key === w.key) continue;
      w.abort.abort();
      this.#watches.delete(id);
    }
    for (const [id, want] of wanted) {
      if (this.#watches.has(id)) continue;
      const watch: Watch = { key: want.key, abort: new AbortController() };
      this.#watches.set(id, watch);
      void this.#run(id, want.req, want.token, watch.abort.signal);
    }
  }

  /** One service's watch: a blocking call after another; each answer is merged in. */
  async #run(id: string, req: ServiceConfigRequest, token: string, signal: AbortSignal): Promise<void> {
    let index = 0;
    let retryMs = RETRY_FIRST_MS;
    while (!signal.aborted) {
      try {
        const r = await this.#call(req, token, index, signal);
        if (signal.aborted) return;
        retryMs = RETRY_FIRST_MS;
        // An index that went back (a restored snapshot) starts over, as Consul's cache does.
        index = r.Index < index ? 0 : r.Index;
        this.o.local.setCentralDefaults(id, r.Config);
      } catch (err) {
        if (signal.aborted) return;
        this.o.logger.warn({ service: id, err: (err as Error).message }, 'error watching service config');
        await delay(retryMs, undefined, { signal }).catch(() => undefined);
        retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
      }
    }
  }

  async #call(req: ServiceConfigRequest, token: string, index: number, signal?: AbortSignal): Promise<ResolveServiceConfigReply> {
    const call: ResolveServiceConfigCall = { ...req, Token: token || this.o.agentToken(), MinQueryIndex: index, MaxQueryTimeMs: WATCH_WAIT_MS };
    const timeoutMs = (index > 0 ? WATCH_WAIT_MS : 0) + RPC_MARGIN_MS;
    // Aborted when the service goes: the servers end the blocking query at once (Consul's
    // serviceConfigWatch cancel on removal), instead of holding it up to its wait.
    return (await this.o.cluster.serverRpc(RESOLVE_SERVICE_CONFIG, call, timeoutMs, true, signal)) as ResolveServiceConfigReply;
  }
}
