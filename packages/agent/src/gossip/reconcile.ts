// The leader's reconcile of LAN members into the catalog (Consul's leader.go: handleAliveMember,
// handleFailedMember, handleDeregisterMember, reconcileReaped). Every member is a node with a
// `serfHealth` check owned by the leader: passing while alive, critical when failed; a member
// that left or was reaped is deregistered. Servers also get the `consul` service. The local node
// is the Leader's own business (leader.ts) and is never touched here.
// It runs for as long as this server leads: start() on gaining leadership, stop() on losing it.
import type { ApplyResult, Catalog, Command } from '@proconsul/catalog';
import type { Applier } from '../apply/applier.js';
import type { Logger } from '../log.js';
import { MemberStatus, type AgentMember, type LanMembership } from './lan.js';
import { buildVersion, consulServer } from './tags.js';

export const SERF_CHECK_ID = 'serfHealth';
const SERF_CHECK_NAME = 'Serf Health Status';
const ALIVE_OUTPUT = 'Agent alive and reachable';
const FAILED_OUTPUT = 'Agent not live or unreachable';
/** Consul's ReconcileInterval: a full pass even without events, to repair missed ones. */
const RECONCILE_INTERVAL_MS = 60_000;

export interface ReconcilerOptions {
  catalog: Catalog;
  applier: Applier<Command, ApplyResult>;
  membership: LanMembership;
  selfName: string;
  logger: Logger;
  now: () => number;
  intervalMs?: number;
}

type Work = { member: AgentMember; reaped: boolean };

export class MemberReconciler {
  /** Pending work, one entry per member (the newest wins), so a burst of events stays bounded. */
  readonly #dirty = new Map<string, Work>();
  #running: Promise<void> | undefined;
  #off: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: ReconcilerOptions) {}

  /** Subscribes to member events and reconciles every member now and every interval. */
  start(): void {
    if (this.#off) return;
    this.#off = this.o.membership.onMember((e) => this.#enqueue({ member: e.member, reaped: e.type === 'member-reap' }));
    this.reconcileAll();
    this.#timer = setInterval(() => this.reconcileAll(), this.o.intervalMs ?? RECONCILE_INTERVAL_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#off?.();
    this.#off = undefined;
    clearInterval(this.#timer);
    this.#dirty.clear();
    await this.#running;
  }

  /** Queues every member, and deregisters catalog nodes with a serfHealth check that are no member. */
  reconcileAll(): void {
    const members = this.o.membership.members();
    for (const m of members) this.#enqueue({ member: m, reaped: false });
    const known = new Set(members.map((m) => m.Name));
    for (const n of this.o.catalog.nodes().value) {
      if (known.has(n.Node) || n.Node === this.o.selfName) continue;
      if (!this.o.catalog.nodeChecks(n.Node).value.some((c) => c.CheckID === SERF_CHECK_ID)) continue;
      this.#enqueue({ member: { Name: n.Node, Addr: n.Address, Port: 0, Tags: {}, Status: MemberStatus.none, ProtocolMin: 0, ProtocolMax: 0, ProtocolCur: 0, DelegateMin: 0, DelegateMax: 0, DelegateCur: 0 }, reaped: true });
    }
  }

  /** Resolves once the queued work is applied (tests). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #enqueue(w: Work): void {
    if (!this.#off || w.member.Name === this.o.selfName) return;
    this.#dirty.set(w.member.Name, w);
    this.#running ??= this.#drain().finally(() => (this.#running = undefined));
  }

  async #drain(): Promise<void> {
    while (this.#dirty.size > 0 && this.#off) {
      const [name, w] = this.#dirty.entries().next().value!;
      this.#dirty.delete(name);
      try {
        await this.#reconcile(w);
      } catch (err) {
        this.o.logger.error({ err, member: name }, 'failed to reconcile member');
      }
    }
  }

  async #reconcile({ member: m, reaped }: Work): Promise<void> {
    if (reaped || m.Status === MemberStatus.left) return this.#deregister(m);
    if (m.Status === MemberStatus.alive) return this.#alive(m);
    if (m.Status === MemberStatus.failed) return this.#failed(m);
    // leaving: nothing to do until it has left
  }

  async #alive(m: AgentMember): Promise<void> {
    const service = consulService(m);
    const node = this.o.catalog.node(m.Name).value;
    if (node && node.Node.Address === m.Addr && this.#serfStatus(m.Name) === 'passing') {
      const svc = node.Services['consul'];
      const serviceOk = !service || (svc && svc.Port === service.Port && JSON.stringify(svc.Meta) === JSON.stringify(service.Meta));
      if (serviceOk) return;
    }
    this.o.logger.info({ member: m.Name }, 'member joined, marking health alive');
    await this.#apply({
      Type: 'Register',
      Node: m.Name,
      ...(m.Tags['id'] ? { ID: m.Tags['id'] } : {}),
      Address: m.Addr,
      NodeMeta: nodeMeta(m),
      ...(service ? { Service: service } : {}),
      Check: { CheckID: SERF_CHECK_ID, Name: SERF_CHECK_NAME, Status: 'passing', Output: ALIVE_OUTPUT, Type: '' },
      Now: this.o.now(),
    });
  }

  async #failed(m: AgentMember): Promise<void> {
    const node = this.o.catalog.node(m.Name).value;
    if (node && node.Node.Address === m.Addr && this.#serfStatus(m.Name) === 'critical') return;
    this.o.logger.info({ member: m.Name }, 'member failed, marking health critical');
    // A check turning critical invalidates the sessions bound to it (the catalog does that).
    await this.#apply({
      Type: 'Register',
      Node: m.Name,
      ...(m.Tags['id'] ? { ID: m.Tags['id'] } : {}),
      Address: m.Addr,
      SkipNodeUpdate: true,
      Check: { CheckID: SERF_CHECK_ID, Name: SERF_CHECK_NAME, Status: 'critical', Output: FAILED_OUTPUT, Type: '' },
      Now: this.o.now(),
    });
  }

  async #deregister(m: AgentMember): Promise<void> {
    if (!this.o.catalog.node(m.Name).value) return;
    this.o.logger.info({ member: m.Name }, 'deregistering member');
    await this.#apply({ Type: 'Deregister', Node: m.Name, Now: this.o.now() });
  }

  #serfStatus(node: string): string | undefined {
    return this.o.catalog.nodeChecks(node).value.find((c) => c.CheckID === SERF_CHECK_ID)?.Status;
  }

  async #apply(cmd: Command): Promise<void> {
    const r = await this.o.applier.apply(cmd);
    if (!r.ok) throw new Error(r.error ?? 'apply failed');
  }
}

/** The `consul` service the leader registers for a server member (leader.go handleAliveMember). */
function consulService(m: AgentMember) {
  const server = consulServer(m);
  if (!server) return undefined;
  return {
    ID: 'consul',
    Service: 'consul',
    Port: server.port,
    Meta: {
      non_voter: String(m.Tags['nonvoter'] === '1'),
      raft_version: String(server.raftVersion),
      read_replica: String(m.Tags['read_replica'] === '1'),
      serf_protocol_current: String(m.ProtocolCur),
      serf_protocol_max: String(m.ProtocolMax),
      serf_protocol_min: String(m.ProtocolMin),
      version: server.version,
    },
  };
}

function nodeMeta(m: AgentMember): Record<string, string> {
  const version = buildVersion(m);
  return { 'consul-network-segment': m.Tags['segment'] ?? '', ...(version ? { 'consul-version': version } : {}) };
}
