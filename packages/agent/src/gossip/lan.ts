// The LAN gossip pool of an agent, in the manner of serf on memberlist: membership with
// Consul's member shape and statuses, user events and queries with Lamport clocks, join, leave
// and force-leave. Consul specifics (which queries exist, event filters) live with the callers.
import { randomUUID } from 'node:crypto';
import { GossipNode, type Config, type Keyring, type Member, type MemberEvent, type Profile } from '@proconsul/gossip';
import type { Logger } from '../log.js';
import { decodeSerf, encodeSerf, type EventBody, type SerfMessage } from './wire.js';

/** serf MemberStatus as Consul's API reports it. */
export const MemberStatus = { none: 0, alive: 1, leaving: 2, left: 3, failed: 4 } as const;

/** One member as /v1/agent/members returns it (serf.Member). */
export interface AgentMember {
  Name: string;
  Addr: string;
  Port: number;
  Tags: Record<string, string>;
  Status: number;
  ProtocolMin: number;
  ProtocolMax: number;
  ProtocolCur: number;
  DelegateMin: number;
  DelegateMax: number;
  DelegateCur: number;
}

export type MembershipEventType = 'member-join' | 'member-update' | 'member-leave' | 'member-failed' | 'member-reap';

export interface MembershipEvent {
  type: MembershipEventType;
  member: AgentMember;
}

/**
 * What Raft clustering and the leader's catalog reconcile need from gossip: the members with
 * their tags, and a stream of changes (serf's EventMemberJoin/Update/Leave/Failed/Reap).
 */
export interface LanMembership {
  members(): AgentMember[];
  localMember(): AgentMember;
  /** Returns a function that removes the listener. */
  onMember(listener: (e: MembershipEvent) => void): () => void;
}

/** A query handler answers with a JSON-able body; a throw is answered as an error message. */
export type QueryHandler = (body: unknown) => unknown;

export interface QueryResult {
  /** Responses by member name. */
  responses: Map<string, unknown>;
  /** Members alive when the query was sent (serf's NumNodes). */
  numNodes: number;
}

export interface LanPoolOptions {
  name: string;
  bindAddr: string;
  port: number;
  advertiseAddr: string;
  tags: Record<string, string>;
  keyring?: Keyring;
  /** encrypt_verify_incoming / encrypt_verify_outgoing (default true). */
  verifyIncoming?: boolean;
  verifyOutgoing?: boolean;
  /** Consul's disable_coordinates: no Vivaldi coordinates on this pool. */
  disableCoordinates?: boolean;
  /** The memberlist profile (default `lan`) and overrides of its settings (gossip_lan / gossip_wan). */
  profile?: Profile;
  config?: Partial<Config>;
  log: Logger;
  /** A user event reached this agent (fired here or elsewhere), with its Lamport time. */
  onUserEvent: (event: EventBody, ltime: number) => void;
}

// serf.Member's protocol fields as Consul 1.17 reports them.
const PROTOCOL = { ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4 };
/** Message ids remembered to drop duplicates (each message is gossiped several times). */
const SEEN_MAX = 4096;
/** serf's QueryTimeoutMult: a query waits gossipInterval * 16 * ceil(log10(n + 1)). */
const QUERY_TIMEOUT_MULT = 16;
const GOSSIP_INTERVAL_MS = 100;
/** Bound on queries waiting for responses at once. */
const PENDING_QUERIES_MAX = 64;

const SERF_EVENT_NAMES: Record<MembershipEventType, string> = {
  'member-join': 'EventMemberJoin',
  'member-update': 'EventMemberUpdate',
  'member-leave': 'EventMemberLeave',
  'member-failed': 'EventMemberFailed',
  'member-reap': 'EventMemberReap',
};

/** "host" or "host:port" or "[v6]:port" or a bare IPv6 address, with `port` when none is given. */
export function withDefaultPort(addr: string, port: number): string {
  if (/^\[.+\]:\d+$/.test(addr) || /^[^:]+:\d+$/.test(addr)) return addr;
  if (addr.includes(':')) return addr.startsWith('[') ? `${addr}:${port}` : `[${addr}]:${port}`;
  return `${addr}:${port}`;
}

class LamportClock {
  #t = 1; // serf starts its clocks at 1
  time(): number {
    return this.#t;
  }
  /** Returns the current time and moves past it. */
  tick(): number {
    return this.#t++;
  }
  witness(t: number): void {
    if (t >= this.#t) this.#t = t + 1;
  }
}

export class LanPool implements LanMembership {
  readonly eventClock = new LamportClock();
  readonly queryClock = new LamportClock();
  readonly #listeners = new Set<(e: MembershipEvent) => void>();
  readonly #handlers = new Map<string, QueryHandler>();
  readonly #seen = new Set<string>();
  readonly #pending = new Map<string, { responses: Map<string, unknown>; expect: number; done: () => void }>();
  #leaving = false;

  private constructor(
    readonly node: GossipNode,
    private readonly opts: LanPoolOptions,
  ) {
    node.on('event', (e) => this.#onMemberEvent(e));
    node.on('user', (u) => this.#onMessage(decodeSerf(u.payload)));
  }

  static async create(o: LanPoolOptions): Promise<LanPool> {
    const node = await GossipNode.create({
      name: o.name,
      bindAddr: o.bindAddr,
      bindPort: o.port,
      advertise: withDefaultPort(o.advertiseAddr, o.port),
      tags: o.tags,
      profile: o.profile ?? 'lan',
      ...(o.config || o.disableCoordinates ? { config: { ...o.config, ...(o.disableCoordinates ? { coordinates: false } : {}) } } : {}),
      ...(o.keyring ? { keyring: o.keyring, verifyIncoming: o.verifyIncoming ?? true, verifyOutgoing: o.verifyOutgoing ?? true } : {}),
    });
    return new LanPool(node, o);
  }

  get keyring(): Keyring | undefined {
    return this.node.keyring;
  }

  members(): AgentMember[] {
    return this.node.members().map((m) => this.#toAgentMember(m));
  }

  localMember(): AgentMember {
    return this.#toAgentMember(this.node.localMember());
  }

  onMember(listener: (e: MembershipEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Joins through any of `addrs` (host or host:port; the port defaults to our serf_lan port). */
  async join(addrs: readonly string[]): Promise<number> {
    const targets = addrs.map((a) => withDefaultPort(a, this.opts.port));
    try {
      return await this.node.join(targets);
    } catch {
      throw new Error(`no gossip member answered at ${targets.join(', ')} (nothing listening, timed out, or a different encryption key)`);
    }
  }

  /** Graceful leave: the intent is gossiped (bounded wait) and the local member shows `leaving`. */
  async leave(): Promise<void> {
    this.#leaving = true;
    await this.node.leave();
  }

  /** serf's RemoveFailedNode(Prune): false when no member has that name. */
  forceLeave(name: string, prune: boolean): boolean {
    if (name === this.opts.name || !this.node.members().some((m) => m.name === name)) return false;
    this.node.forceLeave(name);
    if (prune) {
      const id = randomUUID();
      this.#seen.add(id);
      this.node.broadcastUser(`prune:${id}`, encodeSerf({ t: 'prune', id, node: name }));
      this.node.forget(name);
    }
    return true;
  }

  /** Fires a user event cluster-wide; it is delivered here too. Returns its Lamport time. */
  fireEvent(event: EventBody): number {
    const lt = this.eventClock.tick();
    const bytes = encodeSerf({ t: 'event', lt, event }); // throws when too large, before anything is sent
    this.#remember(event.ID);
    this.opts.onUserEvent(event, lt);
    this.node.broadcastUser(`event:${event.ID}`, bytes);
    return lt;
  }

  /** Answers queries named `name` (here and on behalf of every asker). */
  handleQuery(name: string, handler: QueryHandler): void {
    this.#handlers.set(name, handler);
  }

  /**
   * Sends a query to every member (serf Query) and collects direct responses until every member
   * alive at the start has answered or the timeout passes. This member answers too.
   */
  async query(name: string, body: unknown, relayFactor = 0): Promise<QueryResult> {
    if (this.#pending.size >= PENDING_QUERIES_MAX) throw new Error('too many queries in flight');
    const numNodes = this.node.members().filter((m) => m.state === 'alive' || m.state === 'suspect').length;
    const id = randomUUID();
    const local = this.node.localMember();
    const msg: SerfMessage = {
      t: 'query', id, lt: this.queryClock.tick(), name, from: { addr: local.addr, port: local.port }, body,
      ...(relayFactor > 0 ? { relay: relayFactor } : {}),
    };
    const bytes = encodeSerf(msg);
    const responses = new Map<string, unknown>();
    const timeoutMs = GOSSIP_INTERVAL_MS * QUERY_TIMEOUT_MULT * Math.max(1, Math.ceil(Math.log10(numNodes + 1)));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => finish(), timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.#pending.delete(id);
        resolve();
      };
      this.#pending.set(id, { responses, expect: numNodes, done: finish });
      this.#remember(id);
      this.node.broadcastUser(`query:${id}`, bytes);
      this.#answer(msg);
    });
    return { responses, numNodes };
  }

  /** serf's Stats() (the `serf_lan` section of /v1/agent/self), the figures we keep. */
  stats(): Record<string, string> {
    const all = this.node.members();
    const count = (state: string): number => all.filter((m) => m.state === state).length;
    return {
      members: String(all.length),
      failed: String(count('failed')),
      left: String(count('left')),
      health_score: String(this.node.healthScore()),
      event_time: String(this.eventClock.time()),
      query_time: String(this.queryClock.time()),
      encrypted: String(this.node.keyring !== undefined),
    };
  }

  async shutdown(): Promise<void> {
    for (const p of [...this.#pending.values()]) p.done();
    await this.node.shutdown();
  }

  // ---- receiving ------------------------------------------------------------------------------

  #remember(id: string): boolean {
    if (this.#seen.has(id)) return false;
    this.#seen.add(id);
    if (this.#seen.size > SEEN_MAX) this.#seen.delete(this.#seen.values().next().value!);
    return true;
  }

  #onMessage(m: SerfMessage | undefined): void {
    if (!m) return;
    switch (m.t) {
      case 'event':
        this.eventClock.witness(m.lt);
        if (!this.#remember(m.event.ID)) return;
        // Pass it on, as serf does: the sender's own retransmits may not reach every member.
        this.node.broadcastUser(`event:${m.event.ID}`, encodeSerf(m));
        this.opts.onUserEvent(m.event, m.lt);
        return;
      case 'query':
        this.queryClock.witness(m.lt);
        if (!this.#remember(m.id)) return;
        this.node.broadcastUser(`query:${m.id}`, encodeSerf(m));
        this.#answer(m);
        return;
      case 'resp': {
        const p = this.#pending.get(m.id);
        if (!p) return;
        p.responses.set(m.node, m.body);
        if (p.responses.size >= p.expect) p.done();
        return;
      }
      case 'relay':
        // Only towards a member: a relay is never a way to send packets anywhere else.
        if (this.node.members().some((x) => x.state !== 'failed' && x.state !== 'left' && x.addr === m.to.addr && x.port === m.to.port)) {
          this.node.sendUser(m.to, encodeSerf(m.resp));
        }
        return;
      case 'prune':
        if (!this.#remember(m.id)) return;
        this.node.broadcastUser(`prune:${m.id}`, encodeSerf(m));
        if (m.node !== this.opts.name) {
          this.node.forceLeave(m.node);
          this.node.forget(m.node);
        }
        return;
    }
  }

  #answer(q: Extract<SerfMessage, { t: 'query' }>): void {
    const handler = this.#handlers.get(q.name);
    if (!handler) return;
    let body: unknown;
    try {
      body = handler(q.body);
    } catch (err) {
      body = { error: (err as Error).message };
    }
    const resp: SerfMessage = { t: 'resp', id: q.id, node: this.opts.name, body };
    const pending = this.#pending.get(q.id);
    if (pending) {
      this.#onMessage(resp); // our own query
      return;
    }
    try {
      this.node.sendUser({ addr: q.from.addr, port: q.from.port }, encodeSerf(resp));
      // serf's relay factor: the same answer also goes through a few other members, so a lost
      // packet on one path does not lose it (the asker keeps one answer per member).
      if (q.relay) {
        const others = this.node.members().filter((m) => m.state === 'alive' && m.name !== this.opts.name && !(m.addr === q.from.addr && m.port === q.from.port));
        for (let i = 0; i < q.relay && others.length > 0; i++) {
          const via = others.splice(Math.floor(Math.random() * others.length), 1)[0]!;
          this.node.sendUser({ addr: via.addr, port: via.port }, encodeSerf({ t: 'relay', to: q.from, resp }));
        }
      }
    } catch (err) {
      this.opts.log.warn({ err, query: q.name }, 'query response too large, not sent');
    }
  }

  #onMemberEvent(e: MemberEvent): void {
    const type: MembershipEventType =
      e.type === 'join' ? 'member-join' : e.type === 'update' ? 'member-update' : e.type === 'leave' ? 'member-leave' : e.type === 'fail' ? 'member-failed' : 'member-reap';
    const member = this.#toAgentMember(e.member);
    this.opts.log.info({ member: member.Name, addr: member.Addr }, SERF_EVENT_NAMES[type]);
    for (const l of [...this.#listeners]) {
      try {
        l({ type, member });
      } catch (err) {
        this.opts.log.error({ err }, 'member event listener failed');
      }
    }
  }

  #toAgentMember(m: Member): AgentMember {
    let Status: number = m.state === 'failed' ? MemberStatus.failed : m.state === 'left' ? MemberStatus.left : MemberStatus.alive;
    if (m.name === this.opts.name && this.#leaving) Status = MemberStatus.leaving;
    // Tags in key order, as Go's encoding/json writes a map.
    const Tags = Object.fromEntries(Object.entries(m.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return { Name: m.name, Addr: m.addr, Port: m.port, Tags, Status, ...PROTOCOL };
  }
}
