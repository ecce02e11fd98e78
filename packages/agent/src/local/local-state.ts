// The services and checks registered on this agent: it owns them, runs their checks, persists
// them (outside -dev), and anti-entropy makes the catalog converge to this view.
import { startAliasCheck, type AliasSource } from '../checks/alias.js';
import {
  assertScriptChecksAllowed,
  checkKind,
  isTtlCheck,
  startCheck,
  startTtlCheck,
  toCheckSpec,
  type CheckDefinition,
  type CheckRunner,
  type CheckStatus,
  type CheckType,
  type TtlCheck,
} from '../checks/index.js';
import type { ServiceDefinition } from '../config/index.js';
import type { Logger } from '../log.js';
import { HttpError, notFound } from '../http/http-error.js';
import { loadLocalState, saveLocalState } from './persist.js';
import { meshFields } from './mesh-fields.js';
import { sidecarIdFor } from '../connect/sidecar-service.js';
import { mergeServiceConfig } from '../connect/central-config/merge.js';
import { takesCentralConfig } from '../connect/central-config/request.js';
import type { ServiceConfigResponse } from '../connect/central-config/resolve.js';
import type { AgentService, LocalCheckState, PersistedLocalState } from './types.js';

export const NODE_MAINTENANCE_CHECK_ID = '_node_maintenance';
export const SERVICE_MAINTENANCE_PREFIX = '_service_maintenance:';
const DEFAULT_NODE_MAINT_REASON = 'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.';
const DEFAULT_SERVICE_MAINT_REASON = 'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.';

export interface LocalStateOptions {
  nodeName: string;
  /** Empty: nothing is persisted (-dev). */
  dataDir: string;
  enableScriptChecks: boolean;
  enableLocalScriptChecks: boolean;
  checkOutputMaxSize: number;
  /** Consul's discard_check_output: every check's output is stored empty. */
  discardCheckOutput?: boolean;
  logger: Logger;
  /** Called after every change (anti-entropy and blocking agent queries listen). */
  onChange: () => void;
  /** Wall clock (ms), for DeregisterCriticalServiceAfter. */
  now?: () => number;
  /** Where alias checks on other nodes read their checks (the catalog on servers). */
  aliasCatalog?: Pick<AliasSource, 'checks' | 'serviceExists'>;
}

interface LocalService {
  /** What the agent shows and syncs: the registration merged with its central defaults. */
  service: AgentService;
  /** The registration as given (what is persisted, and what the central defaults merge into). */
  registered: AgentService;
  /** The central defaults last resolved for it (enable_central_service_config; central-config/). */
  defaults?: ServiceConfigResponse;
  token: string;
}

interface LocalCheck {
  state: LocalCheckState;
  definition: CheckType | null;
  token: string;
  runner?: CheckRunner;
  /** When the check last turned critical (for DeregisterCriticalServiceAfter). */
  criticalSinceMs?: number;
}

export class LocalState {
  readonly #services = new Map<string, LocalService>();
  readonly #checks = new Map<string, LocalCheck>();
  /** Bumped on every change; agent/service/:id hashes and blocking use it. */
  #version = 1;

  readonly #aliasListeners = new Set<() => void>();

  constructor(private readonly opts: LocalStateOptions) {}

  /** Alias checks read this agent's own state, or the catalog for another node. */
  #aliasSource(): AliasSource {
    // Consul's CheckAlias.run (agent/checks/alias.go): any AliasNode, this node's name too, reads the
    // catalog (where the node's serfHealth lives); only an empty one reads the agent's own state.
    const isLocal = (node: string): boolean => node === '';
    return {
      checks: (node) => (isLocal(node) ? this.checks() : (this.opts.aliasCatalog?.checks(node) ?? [])),
      serviceExists: (node, id) => (isLocal(node) ? this.service(id) !== undefined : (this.opts.aliasCatalog?.serviceExists(node, id) ?? false)),
      subscribe: (fn) => {
        this.#aliasListeners.add(fn);
        return () => this.#aliasListeners.delete(fn);
      },
    };
  }

  get version(): number {
    return this.#version;
  }

  /** Restores persisted services and checks (status and output kept) and restarts their runners. */
  restore(): void {
    if (!this.opts.dataDir) return;
    let saved: PersistedLocalState | null = null;
    try {
      saved = loadLocalState(this.opts.dataDir);
    } catch (err) {
      this.opts.logger.error({ err }, 'could not read persisted local state; starting empty');
    }
    if (!saved) return;
    for (const s of saved.services) this.#services.set(s.service.ID, this.#localService(s.service, s.token, s.defaults));
    for (const c of saved.checks) {
      const check: LocalCheck = { state: c.check, definition: c.definition, token: c.token };
      this.#checks.set(c.check.CheckID, check);
      if (c.definition) this.#startRunner(check);
    }
    this.opts.logger.info({ services: saved.services.length, checks: saved.checks.length }, 'restored local state');
    this.#changed(false);
  }

  services(): AgentService[] {
    return [...this.#services.values()].map((s) => s.service);
  }

  service(id: string): AgentService | undefined {
    return this.#services.get(id)?.service;
  }

  /** The services as registered, before central defaults were merged in, with their tokens. */
  registrations(): { service: AgentService; token: string }[] {
    return [...this.#services.values()].map((s) => ({ service: s.registered, token: s.token }));
  }

  /**
   * New central defaults for a registered service (central-config/watch.ts): the service is
   * merged again, and a change is one like any other (persisted, synced, blocking reads woken).
   */
  setCentralDefaults(id: string, defaults: ServiceConfigResponse): void {
    const s = this.#services.get(id);
    if (!s) return;
    const next = this.#localService(s.registered, s.token, defaults);
    const same = JSON.stringify(next.service) === JSON.stringify(s.service);
    s.defaults = defaults;
    s.service = next.service;
    if (!same) this.#changed();
  }

  /** A service re-registered as another kind drops defaults it no longer takes. */
  #localService(registered: AgentService, token: string, defaults: ServiceConfigResponse | undefined): LocalService {
    const d = takesCentralConfig(registered.Kind) ? defaults : undefined;
    return { service: mergeServiceConfig(d, registered), registered, token, ...(d ? { defaults: d } : {}) };
  }

  checks(): LocalCheckState[] {
    return [...this.#checks.values()].map((c) => c.state);
  }

  /** The ACL token a service or check was registered with ('' when none): anti-entropy syncs it with that token. */
  token(kind: 'service' | 'check', id: string): string {
    return (kind === 'service' ? this.#services.get(id)?.token : this.#checks.get(id)?.token) ?? '';
  }

  check(id: string): LocalCheckState | undefined {
    return this.#checks.get(id)?.state;
  }

  /**
   * PUT /v1/agent/service/register. `def` is already parsed and validated. Checks keep their
   * status and output when re-registered with the same ID.
   */
  addService(
    def: ServiceDefinition,
    opts: {
      token: string;
      replaceExistingChecks: boolean;
      source: 'local' | 'remote';
      locallyRegisteredAsSidecar?: boolean;
      /** Central defaults resolved for this registration; without them the last ones known for the ID stay. */
      centralDefaults?: ServiceConfigResponse;
    },
  ): void {
    const id = def.ID || def.Name;
    const registered: AgentService = {
      ...(def.Kind ? { Kind: def.Kind } : {}),
      ID: id,
      Service: def.Name,
      Tags: def.Tags ?? [],
      Meta: def.Meta ?? {},
      Port: def.Port ?? 0,
      Address: def.Address ?? '',
      ...(def.SocketPath ? { SocketPath: def.SocketPath } : {}),
      ...(def.TaggedAddresses && Object.keys(def.TaggedAddresses).length > 0 ? { TaggedAddresses: def.TaggedAddresses } : {}),
      Weights: def.Weights ?? { Passing: 1, Warning: 1 },
      EnableTagOverride: def.EnableTagOverride ?? false,
      ...meshFields(def),
      ...(opts.locallyRegisteredAsSidecar ? { LocallyRegisteredAsSidecar: true } : {}),
    };
    const checkTypes = [...(def.Check ? [def.Check] : []), ...(def.Checks ?? [])];
    for (const ct of checkTypes) this.#assertRunnable(ct, opts.source);
    const newChecks = checkTypes.map((ct, i): CheckDefinition => ({
      ...ct,
      ID: ct.CheckID || (checkTypes.length > 1 ? `service:${id}:${i + 1}` : `service:${id}`),
      Name: ct.Name || `Service '${def.Name}' check`,
      ServiceID: id,
    }));
    const local = this.#localService(registered, opts.token, opts.centralDefaults ?? this.#services.get(id)?.defaults);
    const service = local.service;
    this.#services.set(id, local);
    const keep = new Set(newChecks.map((c) => c.ID!));
    if (opts.replaceExistingChecks) {
      for (const [cid, c] of this.#checks) {
        if (c.state.ServiceID === id && !keep.has(cid) && !cid.startsWith(SERVICE_MAINTENANCE_PREFIX)) this.#dropCheck(cid);
      }
    }
    for (const c of newChecks) this.#putCheck(c, service, opts.token);
    // Service checks carry the service's name and tags.
    for (const c of this.#checks.values()) {
      if (c.state.ServiceID === id) {
        c.state.ServiceName = service.Service;
        c.state.ServiceTags = service.Tags;
      }
    }
    this.#changed();
  }

  /** PUT /v1/agent/service/deregister/:id: the service and its checks. */
  removeService(id: string): void {
    if (!this.#services.has(id)) {
      throw notFound(`Unknown service ID "${id}". Ensure that the service ID is passed, not the service name.`);
    }
    this.#services.delete(id);
    for (const [cid, c] of this.#checks) if (c.state.ServiceID === id) this.#dropCheck(cid);
    // A sidecar registered through this service's sidecar_service goes with it (agent.go removeServiceLocked).
    const sidecar = this.#services.get(sidecarIdFor(id))?.service;
    if (sidecar?.LocallyRegisteredAsSidecar) {
      this.#services.delete(sidecar.ID);
      for (const [cid, c] of this.#checks) if (c.state.ServiceID === sidecar.ID) this.#dropCheck(cid);
    }
    this.#changed();
  }

  /** PUT /v1/agent/check/register. `def` has a Name; the check's ID defaults to it. */
  addCheck(def: CheckDefinition, opts: { token: string; source: 'local' | 'remote' }): void {
    let service: AgentService | undefined;
    if (def.ServiceID) {
      service = this.#services.get(def.ServiceID)?.service;
      if (!service) throw notFound(`ServiceID "${def.ServiceID}" does not exist`);
    }
    this.#assertRunnable(def, opts.source);
    this.#putCheck({ ...def, ID: def.ID || def.Name }, service, opts.token);
    this.#changed();
  }

  removeCheck(id: string): void {
    if (!this.#checks.has(id)) {
      throw notFound(`Unknown check ID "${id}". Ensure that the check ID is passed, not the check name.`);
    }
    this.#dropCheck(id);
    this.#changed();
  }

  /** The pass/warn/fail/update endpoints: only TTL checks accept them. */
  updateTtl(id: string, status: CheckStatus, output: string, kind: 'note' | 'update'): void {
    const c = this.#checks.get(id);
    if (!c) throw notFound(`Unknown check ID "${id}". Ensure that the check ID is passed, not the check name.`);
    if (!c.runner || !isTtlCheck(c.runner)) throw new HttpError(500, `CheckID "${id}" does not have associated TTL`);
    const ttl: TtlCheck = c.runner;
    if (kind === 'update') ttl.update(status, output);
    else if (status === 'passing') ttl.pass(output);
    else if (status === 'warning') ttl.warn(output);
    else ttl.fail(output);
  }

  setNodeMaintenance(enable: boolean, reason: string): void {
    if (!enable) {
      if (this.#checks.has(NODE_MAINTENANCE_CHECK_ID)) {
        this.#dropCheck(NODE_MAINTENANCE_CHECK_ID);
        this.#changed();
      }
      return;
    }
    if (this.#checks.has(NODE_MAINTENANCE_CHECK_ID)) return; // Consul keeps the first reason.
    this.#checks.set(NODE_MAINTENANCE_CHECK_ID, {
      state: this.#maintenanceState(NODE_MAINTENANCE_CHECK_ID, 'Node Maintenance Mode', reason || DEFAULT_NODE_MAINT_REASON),
      definition: null,
      token: '',
    });
    this.#changed();
  }

  setServiceMaintenance(serviceId: string, enable: boolean, reason: string): void {
    const service = this.#services.get(serviceId)?.service;
    if (!service) throw notFound(`No service registered with ID "${serviceId}"`);
    const id = SERVICE_MAINTENANCE_PREFIX + serviceId;
    if (!enable) {
      if (this.#checks.has(id)) {
        this.#dropCheck(id);
        this.#changed();
      }
      return;
    }
    if (this.#checks.has(id)) return;
    const state = this.#maintenanceState(id, 'Service Maintenance Mode', reason || DEFAULT_SERVICE_MAINT_REASON);
    state.ServiceID = service.ID;
    state.ServiceName = service.Service;
    state.ServiceTags = service.Tags;
    this.#checks.set(id, { state, definition: null, token: '' });
    this.#changed();
  }

  /**
   * Consul's reaper: a service whose check has been critical for longer than the check's
   * DeregisterCriticalServiceAfter is deregistered with all its checks. Returns the IDs removed.
   */
  reapCritical(nowMs: number): string[] {
    const doomed = new Set<string>();
    for (const c of this.#checks.values()) {
      if (!c.definition || !c.state.ServiceID || c.criticalSinceMs === undefined) continue;
      let afterMs = 0;
      try {
        afterMs = toCheckSpec(c.definition).deregisterCriticalServiceAfterMs;
      } catch {
        continue;
      }
      if (afterMs > 0 && nowMs - c.criticalSinceMs > afterMs) doomed.add(c.state.ServiceID);
    }
    for (const id of doomed) {
      if (!this.#services.has(id)) continue;
      this.opts.logger.info({ service: id }, 'check critical for too long, deregistering service');
      this.removeService(id);
    }
    return [...doomed];
  }

  #trackCritical(check: LocalCheck): void {
    if (check.state.Status !== 'critical') delete check.criticalSinceMs;
    else check.criticalSinceMs ??= (this.opts.now ?? Date.now)();
  }

  /** Stops every check runner (agent shutdown). */
  stop(): void {
    for (const c of this.#checks.values()) c.runner?.stop();
  }

  #maintenanceState(id: string, name: string, notes: string): LocalCheckState {
    return {
      Node: this.opts.nodeName,
      CheckID: id,
      Name: name,
      Status: 'critical',
      Notes: notes,
      Output: '',
      ServiceID: '',
      ServiceName: '',
      ServiceTags: [],
      Type: 'maintenance',
      Interval: '',
      Timeout: '',
      ExposedPort: 0,
      Definition: {},
    };
  }

  #assertRunnable(ct: CheckType, source: 'local' | 'remote'): void {
    assertScriptChecksAllowed(ct, {
      enableScriptChecks: this.opts.enableScriptChecks,
      enableLocalScriptChecks: this.opts.enableLocalScriptChecks,
      source,
    });
  }

  #putCheck(def: CheckDefinition, service: AgentService | undefined, token: string): void {
    const id = def.ID!;
    const existing = this.#checks.get(id);
    existing?.runner?.stop();
    const state: LocalCheckState = {
      Node: this.opts.nodeName,
      CheckID: id,
      Name: def.Name ?? id,
      // Re-registering keeps the current status and output (Consul's rule).
      Status: existing ? existing.state.Status : (def.Status ?? 'critical'),
      Notes: def.Notes ?? '',
      Output: existing ? existing.state.Output : '',
      ServiceID: service?.ID ?? '',
      ServiceName: service?.Service ?? '',
      ServiceTags: service?.Tags ?? [],
      Type: checkKind(def) ?? '',
      Interval: def.Interval ?? '',
      Timeout: def.Timeout ?? '',
      ExposedPort: 0,
      Definition: {},
    };
    const { ID: _id, ServiceID: _sid, Token: _tok, ...definition } = def;
    const check: LocalCheck = { state, definition, token, ...(existing?.criticalSinceMs !== undefined ? { criticalSinceMs: existing.criticalSinceMs } : {}) };
    this.#trackCritical(check);
    this.#checks.set(id, check);
    this.#startRunner(check);
  }

  #startRunner(check: LocalCheck): void {
    const def = check.definition!;
    const options = {
      agentOutputMaxSize: this.opts.checkOutputMaxSize,
      logger: this.opts.logger,
      onUpdate: (status: CheckStatus, reported: string) => {
        // The runner may report after its check was replaced or removed: ignore that.
        if (this.#checks.get(check.state.CheckID) !== check) return;
        const output = this.opts.discardCheckOutput ? '' : reported;
        if (check.state.Status === status && check.state.Output === output) return;
        const statusChanged = check.state.Status !== status;
        check.state.Status = status;
        check.state.Output = output;
        this.#trackCritical(check);
        // Output alone is not worth an fsync of the local state file.
        this.#changed(statusChanged);
      },
    };
    try {
      const kind = checkKind(def);
      if (kind === 'alias') {
        check.runner = startAliasCheck({ node: def.AliasNode ?? '', serviceId: def.AliasService ?? '' }, this.#aliasSource(), options.onUpdate);
        return;
      }
      check.runner = kind === 'ttl' ? startTtlCheck(def, options) : startCheck(def, options);
    } catch (err) {
      this.opts.logger.warn({ err, checkId: check.state.CheckID }, 'check not started');
    }
  }

  #dropCheck(id: string): void {
    this.#checks.get(id)?.runner?.stop();
    this.#checks.delete(id);
  }

  #changed(persist = true): void {
    this.#version++;
    if (persist && this.opts.dataDir) {
      try {
        saveLocalState(this.opts.dataDir, this.#persisted());
      } catch (err) {
        this.opts.logger.error({ err }, 'could not persist local state');
      }
    }
    this.opts.onChange();
    for (const l of this.#aliasListeners) l();
  }

  #persisted(): PersistedLocalState {
    return {
      version: 1,
      services: [...this.#services.values()].map((s) => ({ service: s.registered, token: s.token, ...(s.defaults ? { defaults: s.defaults } : {}) })),
      checks: [...this.#checks.values()].map((c) => ({ check: c.state, definition: c.definition, token: c.token })),
    };
  }
}
