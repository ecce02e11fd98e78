// Anti-entropy: makes the catalog's entries for this node converge to the agent's local view.
// Runs soon after every local change (coalesced) and periodically; registers what differs and
// deregisters what the catalog has but the agent does not own (except the leader-owned
// `consul` service and `serfHealth` check).
import { toStructsProxy, type ApplyResult, type Command, type HealthCheck, type NodeService, type ServiceProxy } from '@proconsul/catalog';
import type { Applier } from '../apply/applier.js';
import { deniedAccessor, isAclError } from '../acl/agent-tokens.js';
import type { Logger } from '../log.js';
import { CONSUL_SERVICE_ID, SERF_HEALTH_CHECK_ID } from '../leader.js';
import type { LocalState } from './local-state.js';
import type { NodeView } from './node-view.js';
import type { AgentService, LocalCheckState } from './types.js';

export interface AntiEntropyOptions {
  /** This node as the catalog has it. */
  view: NodeView;
  applier: Applier<Command, ApplyResult>;
  local: LocalState;
  nodeName: string;
  logger: Logger;
  now: () => number;
  /** Puts this node (and the leader-owned entries) back when they are missing from the catalog. */
  ensureNode?: () => Promise<void>;
  /** Where Consul's "... blocked by ACLs" warnings go (its `agent` logger). */
  agentLogger?: Logger;
  /** Full sync period (Consul: about a minute for small clusters). */
  intervalMs?: number;
  /** How soon a failed sync is tried again (Consul: 15 s). */
  retryFailedMs?: number;
  /**
   * Consul's check_update_interval: a check whose output changed but whose status did not is
   * written to the catalog at most this often (status changes go at once). Default 5 min.
   */
  checkUpdateIntervalMs?: number;
}

/** Bound on sync passes run back to back when changes keep arriving during a sync. */
const PASSES_MAX = 100;
/** Consul's StateSyncer retryFailInterval (agent/ae/ae.go): a failed sync (no leader yet, server away) is tried again this soon. */
const RETRY_FAILED_MS = 15_000;

export class AntiEntropy {
  #running: Promise<void> | null = null;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;
  /** The last pass had writes blocked by ACLs. */
  #blocked = false;
  /** ... and its one early retry is spent. */
  #blockedRetried = false;
  /** Check ID -> when its output was last written to the catalog. */
  readonly #outputSyncedAt = new Map<string, number>();

  constructor(private readonly opts: AntiEntropyOptions) {}

  /** In sync, or differing only by output that was written recently enough. */
  #checkCurrent(c: LocalCheckState, r: HealthCheck | undefined): boolean {
    if (!checkInSync(c, r)) return false;
    if (r!.Output === c.Output) return true;
    const last = this.#outputSyncedAt.get(c.CheckID);
    return last !== undefined && this.opts.now() - last < (this.opts.checkUpdateIntervalMs ?? 5 * 60_000);
  }

  start(): void {
    this.#timer = setInterval(() => this.trigger(), this.opts.intervalMs ?? 60_000);
    this.#timer.unref();
    this.trigger();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    clearTimeout(this.#retry);
  }

  /** Asks for a sync; several asks while one runs give one more pass. */
  trigger(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop();
  }

  /** Resolves when no sync is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #loop(): Promise<void> {
    try {
      for (let i = 0; i < PASSES_MAX; i++) {
        this.#again = false;
        await this.syncOnce();
        if (!this.#again || this.#stopped) break;
      }
      // In sync now: the retry of an earlier failure is moot (Consul's retryFullSync ends its
      // wait when a sync is triggered, as a server coming up does).
      clearTimeout(this.#retry);
      this.#retry = undefined;
      // Blocked writes wait for the next sync (a new token, or the periodic one), as in Consul,
      // but are tried once more at the retry interval first: a client restarted within the
      // leader's reconcile of its leave can see its node deregistered under it, and the writes
      // of its services (tokens without node:write) are refused until gossip says it is back.
      if (!this.#blocked) this.#blockedRetried = false;
      else if (!this.#blockedRetried) {
        this.#blockedRetried = true;
        this.#retrySoon();
      }
    } catch (err) {
      this.opts.logger.error({ err }, 'anti-entropy sync failed');
      if (!this.#retry) this.#retrySoon();
    } finally {
      this.#running = null;
    }
  }

  /** Another sync at the retry interval (Consul's retryFailInterval). */
  #retrySoon(): void {
    if (this.#stopped) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.trigger();
    }, this.opts.retryFailedMs ?? RETRY_FAILED_MS);
    this.#retry.unref();
  }

  /** One pass: compare and write the differences through the applier. */
  async syncOnce(): Promise<void> {
    const { view, nodeName, local } = this.opts;
    this.#blocked = false;
    // Someone may have deregistered this node (or its consul service) through the catalog API.
    await this.opts.ensureNode?.();
    const remoteServices = await view.services(nodeName);
    if (!remoteServices) return;
    const remoteChecks = new Map((await view.checks(nodeName)).map((c) => [c.CheckID, c]));
    const localChecks = local.checks();
    const commands: Command[] = [];
    /** A registration sent for its service's checks alone: logged as those checks, as Consul's syncCheck does. */
    const forChecks = new Map<Command, string[]>();

    for (const s of local.services()) {
      const remote = Object.hasOwn(remoteServices, s.ID) ? remoteServices[s.ID] : undefined; // an ID may be "constructor"
      const checks = localChecks.filter((c) => c.ServiceID === s.ID);
      const staleChecks = checks.filter((c) => !this.#checkCurrent(c, remoteChecks.get(c.CheckID)));
      const serviceCurrent = remote !== undefined && serviceInSync(s, remote);
      if (serviceCurrent && staleChecks.length === 0) continue;
      const cmd: Command = {
        Type: 'Register',
        Node: nodeName,
        SkipNodeUpdate: true,
        Service: {
          ID: s.ID,
          Service: s.Service,
          ...(s.Kind ? { Kind: s.Kind } : {}),
          Tags: s.Tags,
          Address: s.Address,
          ...(s.TaggedAddresses ? { TaggedAddresses: s.TaggedAddresses } : {}),
          Meta: s.Meta,
          Port: s.Port,
          ...(s.SocketPath ? { SocketPath: s.SocketPath } : {}),
          Weights: s.Weights,
          EnableTagOverride: s.EnableTagOverride,
          ...(s.Proxy ? { Proxy: s.Proxy as ServiceProxy } : {}),
          ...(s.Connect ? { Connect: s.Connect } : {}),
        },
        Checks: checks.map(toRegisterCheck),
        Now: this.opts.now(),
      };
      commands.push(cmd);
      if (serviceCurrent) forChecks.set(cmd, staleChecks.map((c) => c.CheckID));
      for (const c of checks) this.#outputSyncedAt.set(c.CheckID, this.opts.now());
    }
    for (const c of localChecks) {
      if (c.ServiceID) continue;
      if (this.#checkCurrent(c, remoteChecks.get(c.CheckID))) continue;
      commands.push({ Type: 'Register', Node: nodeName, SkipNodeUpdate: true, Check: toRegisterCheck(c), Now: this.opts.now() });
      this.#outputSyncedAt.set(c.CheckID, this.opts.now());
    }
    const localServiceIds = new Set(local.services().map((s) => s.ID));
    const localCheckIds = new Set(localChecks.map((c) => c.CheckID));
    for (const id of Object.keys(remoteServices)) {
      if (id === CONSUL_SERVICE_ID || localServiceIds.has(id)) continue;
      commands.push({ Type: 'Deregister', Node: nodeName, ServiceID: id, Now: this.opts.now() });
    }
    for (const [id, c] of remoteChecks) {
      if (id === SERF_HEALTH_CHECK_ID || c.ServiceID === CONSUL_SERVICE_ID || localCheckIds.has(id)) continue;
      // Checks of a service being deregistered go with it.
      if (c.ServiceID && !localServiceIds.has(c.ServiceID)) continue;
      commands.push({ Type: 'Deregister', Node: nodeName, CheckID: id, Now: this.opts.now() });
    }
    // Sent together: the applier keeps their order and a durable one commits them in one batch.
    const results = await Promise.allSettled(commands.map((cmd) => this.opts.applier.apply(cmd)));
    let failure: unknown;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') {
        if (!r.value.ok) this.opts.logger.warn({ error: r.value.error, command: commands[i]!.Type }, 'anti-entropy write refused');
        else logSynced(this.opts.agentLogger ?? this.opts.logger, commands[i]!, forChecks.get(commands[i]!));
      } else if (isAclError(r.reason)) {
        this.#blocked = true;
        logBlocked(this.opts.agentLogger ?? this.opts.logger, commands[i]!, r.reason);
      } else {
        failure ??= r.reason;
      }
    });
    if (failure !== undefined) throw failure;
    if (commands.length > 0) this.opts.logger.debug({ writes: commands.length }, 'synced local state to the catalog');
  }
}

/** Consul's INFO lines for each entry synced (agent/local/state.go), which `proconsul monitor` users look for. */
function logSynced(log: Logger, cmd: Command, checksOnly: string[] | undefined): void {
  if (checksOnly) for (const check of checksOnly) log.info({ check }, 'Synced check');
  else if (cmd.Type === 'Register' && cmd.Service) log.info({ service: cmd.Service.ID || cmd.Service.Service }, 'Synced service');
  else if (cmd.Type === 'Register' && cmd.Check) log.info({ check: cmd.Check.CheckID }, 'Synced check');
  else if (cmd.Type === 'Deregister' && cmd.ServiceID) log.info({ service: cmd.ServiceID }, 'Deregistered service');
  else if (cmd.Type === 'Deregister' && cmd.CheckID) log.info({ check: cmd.CheckID }, 'Deregistered check');
}

/** Consul's warnings for a write the servers refused for its token (agent/local/state.go). */
function logBlocked(log: Logger, cmd: Command, err: unknown): void {
  const accessorID = deniedAccessor(err);
  if (cmd.Type === 'Register' && cmd.Service) log.warn({ service: cmd.Service.ID || cmd.Service.Service, accessorID }, 'Service registration blocked by ACLs');
  else if (cmd.Type === 'Register' && cmd.Check) log.warn({ check: cmd.Check.CheckID, accessorID }, 'Check registration blocked by ACLs');
  else if (cmd.Type === 'Deregister' && cmd.ServiceID) log.warn({ service: cmd.ServiceID, accessorID }, 'Service deregistration blocked by ACLs');
  else if (cmd.Type === 'Deregister' && cmd.CheckID) log.warn({ check: cmd.CheckID, accessorID }, 'Check deregistration blocked by ACLs');
  else log.warn({ accessorID }, 'Node info update blocked by ACLs');
}

function toRegisterCheck(c: LocalCheckState) {
  return {
    Node: c.Node,
    CheckID: c.CheckID,
    Name: c.Name,
    Status: c.Status,
    Notes: c.Notes,
    Output: c.Output,
    ServiceID: c.ServiceID,
    Type: c.Type,
    Interval: c.Interval,
    Timeout: c.Timeout,
    Definition: c.Definition,
  };
}

/**
 * The catalog's tagged addresses without those the servers add under the reserved `consul-`
 * prefix (`consul-virtual`, the virtual IP), unless the local definition has them too: as
 * Consul's agent/local/state.go updateSyncState, they never make a service out of sync.
 */
function withoutServerTaggedAddresses(remote: NodeService['TaggedAddresses'], local: AgentService['TaggedAddresses']): Record<string, unknown> {
  return Object.fromEntries(Object.entries(remote ?? {}).filter(([k]) => !k.startsWith('consul-') || (local !== undefined && k in local)));
}

function serviceInSync(s: AgentService, r: NodeService): boolean {
  return (
    r.Service === s.Service &&
    (r.Kind ?? '') === (s.Kind ?? '') &&
    (r.Port ?? 0) === s.Port &&
    r.Address === s.Address &&
    r.EnableTagOverride === s.EnableTagOverride &&
    JSON.stringify(r.Tags) === JSON.stringify(s.Tags) &&
    sameMap(r.Meta, s.Meta) &&
    r.Weights.Passing === s.Weights.Passing &&
    r.Weights.Warning === s.Weights.Warning &&
    JSON.stringify(withoutServerTaggedAddresses(r.TaggedAddresses, s.TaggedAddresses)) === JSON.stringify(s.TaggedAddresses ?? {}) &&
    // The catalog shows Proxy in its structs shape: compare in that shape.
    JSON.stringify(r.Proxy) === JSON.stringify(toStructsProxy((s.Proxy ?? null) as ServiceProxy | null)) &&
    JSON.stringify(r.Connect ?? {}) === JSON.stringify(s.Connect ?? {})
  );
}

/** Everything but Output, which #checkCurrent rate-limits. */
function checkInSync(c: LocalCheckState, r: HealthCheck | undefined): boolean {
  return (
    r !== undefined &&
    r.Name === c.Name &&
    r.Status === c.Status &&
    r.Notes === c.Notes &&
    r.ServiceID === c.ServiceID &&
    r.Type === c.Type &&
    r.Interval === c.Interval &&
    r.Timeout === c.Timeout &&
    JSON.stringify(r.ServiceTags) === JSON.stringify(c.ServiceTags)
  );
}

function sameMap(a: Record<string, string> | null | undefined, b: Record<string, string>): boolean {
  const ak = Object.keys(a ?? {});
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((k) => a![k] === b[k]);
}
