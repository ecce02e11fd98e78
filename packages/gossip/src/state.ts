// The SWIM core with Lifeguard (memberlist state.go). A deterministic state machine: inputs are
// tick(now), receivePacket, handleStream, streamReply, join, leave and setTags, each given the
// current time; outputs (packets, stream requests, member events) are taken with takeOutput().
// No sockets, timers, clock or Math.random in here: the caller owns all of them.
import { Awareness } from './awareness.js';
import { CoordinateClient, defaultCoordinateConfig, type Coordinate } from './coordinate.js';
import { retransmitLimit, suspicionTimeoutMs, pushPullIntervalMs, validateConfig, type Config } from './config.js';
import { MemberTable, type MemberRecord, type MemberState, type SharedMembers } from './members.js';
import {
  compound, COORD_TAG, decodePacket, decodeStream, encodeMessage, isTags, USER_BYTES_MAX,
  type AliveMsg, type DeadMsg, type Message, type SuspectMsg, type Tags,
} from './messages.js';
import { localState, mergeRemoteState, type MergeTarget } from './pushpull.js';
import { BroadcastQueue } from './queue.js';
import { randInt, type Rng } from './rng.js';
import { Suspicion } from './suspicion.js';

export interface Address {
  readonly addr: string;
  readonly port: number;
}

export interface Member {
  readonly name: string;
  readonly addr: string;
  readonly port: number;
  readonly tags: Tags;
  readonly state: MemberState;
  readonly incarnation: number;
}

export type MemberEventType = 'join' | 'update' | 'leave' | 'fail' | 'reap';

export interface MemberEvent {
  readonly type: MemberEventType;
  readonly member: Member;
}

export interface OutPacket { readonly to: Address; readonly bytes: Uint8Array }
/** A request/response exchange over TCP; answer it with streamReply(id, replyBytes | undefined). */
export interface OutStream { readonly id: number; readonly to: Address; readonly bytes: Uint8Array }

/** A user message that arrived (broadcast or direct), for the layer above to decode. */
export interface UserMessage { readonly from: Address; readonly payload: Uint8Array }

/** A direct probe's round trip to `name` whose ack carried its coordinate (serf's ping delegate). */
export interface PingObservation {
  readonly name: string;
  readonly rttMs: number;
  /** The peer's coordinate as its ack carried it. */
  readonly coordinate: Coordinate;
  /** Our coordinate after the update (unchanged when the observation was refused). */
  readonly ours: Coordinate;
}

export interface Output {
  packets: OutPacket[];
  streams: OutStream[];
  events: MemberEvent[];
  users: UserMessage[];
  pings: PingObservation[];
}

export interface CoreStats {
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  streamsOut: number;
  streamBytesOut: number;
  droppedMalformed: number;
  droppedOversized: number;
  /** Packets, streams and member announcements from addresses `addressAllowed` refuses. */
  droppedNotAllowed: number;
  refutes: number;
  suspicionsStarted: number;
  /** Ping observations refused by the coordinate client, and coordinate resets (serf's stats). */
  coordinateRejected: number;
  coordinateResets: number;
}

export interface CoreOptions {
  name: string;
  addr: string;
  port: number;
  tags?: Tags;
  config: Config;
  rng: Rng;
  nowMs: number;
  /** A table every member of a simulated cluster starts with (copy-on-write). */
  shared?: SharedMembers;
}

interface Probe {
  target: string;
  to: Address;
  seq: number;
  sentMs: number;
  directDeadlineMs: number;
  finalDeadlineMs: number;
  indirectSent: boolean;
  expectedNacks: number;
  nacks: number;
}

/** An indirect probe we run for another member: its ack (or our nack) goes back to the asker. */
interface Relay {
  to: Address;
  seq: number;
  wantNack: boolean;
  expiresMs: number;
}

type PendingStream = { kind: 'pushPull'; join: boolean } | { kind: 'tcpPing'; seq: number };

const REAP_CHECK_MS = 1000;
/** Members expected to probe a newly heard suspect at once (each does with probability 8/n). */
const EXPEDITED_PROBERS = 8;

export function toMember(r: MemberRecord): Member {
  return { name: r.name, addr: r.addr, port: r.port, tags: userTags(r.tags), state: r.state, incarnation: r.incarnation };
}

/** The tags of the layer above: the wire tags without our own COORD_TAG. */
function userTags(t: Tags): Tags {
  if (!(COORD_TAG in t)) return t;
  const { [COORD_TAG]: _c, ...rest } = t;
  return rest;
}

function sameTags(a: Tags, b: Tags): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export class Memberlist {
  readonly name: string;
  readonly stats: CoreStats = {
    packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0, streamsOut: 0, streamBytesOut: 0,
    droppedMalformed: 0, droppedOversized: 0,
    droppedNotAllowed: 0, refutes: 0, suspicionsStarted: 0, coordinateRejected: 0, coordinateResets: 0,
  };

  private readonly cfg: Config;
  private readonly rng: Rng;
  private readonly table: MemberTable;
  private readonly queue: BroadcastQueue;
  private readonly awareness: Awareness;
  private readonly suspicions = new Map<string, Suspicion>();
  private readonly downSince = new Map<string, number>(); // failed or left members, for reaping and reconnects
  private readonly relays = new Map<number, Relay>();
  private readonly pendingStreams = new Map<number, PendingStream>();
  private out: Output = { packets: [], streams: [], events: [], users: [], pings: [] };
  /** Our Vivaldi coordinate (undefined when coordinates are off) and the last one each peer acked with. */
  private readonly coords: CoordinateClient | undefined;
  private readonly peerCoords = new Map<string, Coordinate>();
  private readonly mergeTarget: MergeTarget;

  private now: number;
  private seq = 0;
  private streamId = 0;
  private incarnation = 0;
  private leaving = false;
  private probe: Probe | undefined;
  /** Suspects we heard about: probed before the round-robin continues (see suspectNode). */
  private probeFirst: string[] = [];
  private probeOrder = { a: 1, b: 0, len: 0, i: 0 };
  private nextProbeMs: number;
  private nextGossipMs: number;
  private nextPushPullMs: number;
  private nextReconnectMs: number;
  private nextReapCheckMs: number;
  private nextCoordinateAskMs = 0;

  constructor(o: CoreOptions) {
    validateConfig(o.config);
    this.name = o.name;
    this.mergeTarget = {
      selfName: o.name,
      alive: (m: AliveMsg) => this.aliveNode(m),
      suspect: (m: SuspectMsg) => this.suspectNode(m),
      dead: (m: DeadMsg) => this.deadNode(m),
    };
    this.cfg = o.config;
    this.rng = o.rng;
    this.now = o.nowMs;
    this.table = new MemberTable(o.shared);
    this.queue = new BroadcastQueue(o.config.queueDepthMax);
    this.awareness = new Awareness(o.config.awarenessMaxMultiplier);
    this.coords = o.config.coordinates ? new CoordinateClient(defaultCoordinateConfig(), o.rng) : undefined;
    const tags = this.wireTags(o.tags ?? {});
    if (!isTags(tags)) throw new Error('tags must be string values, at most 512 bytes encoded');
    const known = this.table.get(o.name);
    this.incarnation = known?.incarnation ?? 0;
    this.table.set({ name: o.name, addr: o.addr, port: o.port, tags, incarnation: this.incarnation, state: 'alive', stateChangeMs: o.nowMs });
    // Announce ourselves, unless we start in a simulated cluster that already knows us.
    if (!known) this.broadcastAlive();
    // Stagger the periodic work so members started together do not act in lockstep.
    const c = this.cfg;
    this.nextProbeMs = o.nowMs + randInt(this.rng, c.probeIntervalMs);
    this.nextGossipMs = o.nowMs + randInt(this.rng, c.gossipIntervalMs);
    this.nextPushPullMs = o.nowMs + (c.pushPullIntervalMs > 0 ? randInt(this.rng, this.pushPullEveryMs()) + 1 : Infinity);
    this.nextReconnectMs = o.nowMs + (c.reconnectIntervalMs > 0 ? c.reconnectIntervalMs + randInt(this.rng, c.reconnectIntervalMs) : Infinity);
    this.nextReapCheckMs = o.nowMs + REAP_CHECK_MS;
  }

  // ---- queries ----------------------------------------------------------------------------

  members(): Member[] {
    return [...this.table.values()].map(toMember);
  }

  member(name: string): Member | undefined {
    const r = this.table.get(name);
    return r && toMember(r);
  }

  /** Members alive or suspect (the n of the formulas). */
  get liveCount(): number {
    return this.table.liveCount;
  }

  get healthScore(): number {
    return this.awareness.getHealthScore();
  }

  get isLeaving(): boolean {
    return this.leaving;
  }

  /** True while our leave intent is still being retransmitted. */
  get leavePending(): boolean {
    return this.leaving && this.queue.has(this.name);
  }

  takeOutput(): Output {
    const o = this.out;
    this.out = { packets: [], streams: [], events: [], users: [], pings: [] };
    return o;
  }

  /** Our network coordinate (undefined when coordinates are off). */
  coordinate(): Coordinate | undefined {
    return this.coords?.coordinate;
  }

  /** The coordinate `name` last acked one of our probes with (serf's GetCachedCoordinate). */
  memberCoordinate(name: string): Coordinate | undefined {
    return name === this.name ? this.coordinate() : this.peerCoords.get(name);
  }

  /** The earliest time tick() has work to do. */
  nextTickAt(): number {
    let t = Math.min(this.nextProbeMs, this.nextGossipMs, this.nextPushPullMs, this.nextReconnectMs, this.nextReapCheckMs);
    const p = this.probe;
    if (p) t = Math.min(t, p.indirectSent ? p.finalDeadlineMs : p.directDeadlineMs);
    for (const r of this.relays.values()) t = Math.min(t, r.expiresMs);
    for (const s of this.suspicions.values()) t = Math.min(t, s.deadlineMs());
    return t;
  }

  // ---- inputs -----------------------------------------------------------------------------

  tick(nowMs: number): void {
    this.now = nowMs;
    this.tickProbe();
    this.tickRelays();
    this.tickSuspicions();
    if (nowMs >= this.nextGossipMs) {
      this.gossip();
      this.nextGossipMs = nowMs + this.cfg.gossipIntervalMs;
    }
    if (nowMs >= this.nextPushPullMs) {
      this.nextPushPullMs = nowMs + this.pushPullEveryMs();
      const peer = this.randomMembers(1, (r) => r.state === 'alive')[0];
      if (peer) this.startPushPull(peer, false);
    }
    if (nowMs >= this.nextReconnectMs) {
      this.nextReconnectMs = nowMs + this.cfg.reconnectIntervalMs;
      this.reconnect();
    }
    if (nowMs >= this.nextReapCheckMs) {
      this.nextReapCheckMs = nowMs + REAP_CHECK_MS;
      this.reap();
    }
  }

  /** A UDP packet arrived from `from`. Malformed or oversized packets are dropped and counted. */
  receivePacket(from: Address, bytes: Uint8Array, nowMs: number): void {
    this.now = nowMs;
    this.stats.packetsIn++;
    this.stats.bytesIn += bytes.length;
    if (bytes.length > this.cfg.packetBytesMax) {
      this.stats.droppedOversized++;
      return;
    }
    const msgs = decodePacket(bytes);
    if (!msgs) {
      this.stats.droppedMalformed++;
      return;
    }
    for (const m of msgs) this.handle(from, m);
  }

  /** A TCP request arrived; returns the reply frame, or undefined to close without one. */
  handleStream(from: Address, bytes: Uint8Array, nowMs: number): Uint8Array | undefined {
    this.now = nowMs;
    const m = decodeStream(bytes);
    if (!m) {
      this.stats.droppedMalformed++;
      return undefined;
    }
    if (m.type === 'ping') {
      if (m.target !== '' && m.target !== this.name) return undefined;
      return encodeMessage({ type: 'ack', seq: m.seq });
    }
    if (m.type === 'pushPull') {
      const reply = encodeMessage({ type: 'pushPull', join: false, states: localState(this.table.values()) });
      mergeRemoteState(m.states, this.mergeTarget);
      return reply;
    }
    this.stats.droppedMalformed++;
    return undefined;
  }

  /** The reply to one of our streams (undefined: it failed or timed out). True if it was a valid reply. */
  streamReply(id: number, bytes: Uint8Array | undefined, nowMs: number): boolean {
    this.now = nowMs;
    const pending = this.pendingStreams.get(id);
    if (!pending) return false;
    this.pendingStreams.delete(id);
    if (!bytes) return false;
    const m = decodeStream(bytes);
    if (!m) {
      this.stats.droppedMalformed++;
      return false;
    }
    if (pending.kind === 'pushPull' && m.type === 'pushPull') {
      mergeRemoteState(m.states, this.mergeTarget);
      if (pending.join && this.cfg.pushPullAfterJoinMs > 0) {
        this.nextPushPullMs = Math.min(this.nextPushPullMs, nowMs + this.cfg.pushPullAfterJoinMs);
      }
      return true;
    }
    if (pending.kind === 'tcpPing' && m.type === 'ack' && m.seq === pending.seq) {
      if (this.probe?.seq === pending.seq) this.probeSucceeded(false);
      return true;
    }
    return false;
  }

  /** Starts a push-pull join with each address; returns the stream ids (their replies tell success). */
  join(addrs: readonly Address[], nowMs: number): number[] {
    this.now = nowMs;
    return addrs.map((a) => this.startStream(a, { kind: 'pushPull', join: true },
      encodeMessage({ type: 'pushPull', join: true, states: localState(this.table.values()) })));
  }

  /** Graceful leave: broadcast a leave intent (a dead message from ourselves) and stop probing. */
  leave(nowMs: number): void {
    this.now = nowMs;
    if (this.leaving) return;
    this.leaving = true;
    this.probe = undefined;
    this.nextProbeMs = Infinity; // a leaving member no longer judges others
    const self = this.table.get(this.name)!;
    this.table.set({ ...self, state: 'left', stateChangeMs: nowMs });
    this.queue.queue(this.name, encodeMessage({ type: 'dead', incarnation: this.incarnation, node: this.name, from: this.name }));
  }

  /** Changes our tags and broadcasts them with a new incarnation (an `update` event elsewhere). */
  setTags(tags: Tags, nowMs: number): void {
    const wire = this.wireTags(tags);
    if (!isTags(wire)) throw new Error('tags must be string values, at most 512 bytes encoded');
    this.now = nowMs;
    const self = this.table.get(this.name)!;
    this.incarnation++;
    this.table.set({ ...self, tags: wire, incarnation: this.incarnation });
    this.broadcastAlive();
  }

  /**
   * Broadcasts a user message by piggybacking and gossip (each member sends it retransmitLimit
   * times, as member news). `key` names the broadcast in the queue: a newer one with the same key
   * replaces it. The layer above deduplicates: a member may receive it several times.
   */
  broadcastUser(key: string, payload: Uint8Array): void {
    if (payload.length > USER_BYTES_MAX) throw new Error(`user message is ${payload.length} bytes, at most ${USER_BYTES_MAX}`);
    this.queue.queue(`\u0000user:${key}`, encodeMessage({ type: 'user', payload }));
  }

  /** Sends a user message to one address now (a query response), best effort as any packet. */
  sendUser(to: Address, payload: Uint8Array, nowMs: number): void {
    if (payload.length > USER_BYTES_MAX) throw new Error(`user message is ${payload.length} bytes, at most ${USER_BYTES_MAX}`);
    this.now = nowMs;
    this.sendNow(to, [encodeMessage({ type: 'user', payload })]);
  }

  /**
   * serf's force-leave: broadcasts a leave intent on behalf of `name` so every member moves it
   * from failed to left. A member that is in fact alive refutes it and stays. False if unknown.
   */
  forceLeave(name: string, nowMs: number): boolean {
    this.now = nowMs;
    const cur = this.table.get(name);
    if (!cur || name === this.name) return false;
    if (cur.state !== 'left') this.deadNode({ type: 'dead', incarnation: cur.incarnation, node: name, from: name });
    return true;
  }

  /** Removes a failed or left member from the table at once (force-leave -prune); a `reap` event. */
  forget(name: string, nowMs: number): boolean {
    this.now = nowMs;
    const cur = this.table.get(name);
    if (!cur || name === this.name || cur.state === 'alive' || cur.state === 'suspect') return false;
    this.downSince.delete(name);
    this.table.delete(name);
    this.forgetCoordinate(name);
    this.emit('reap', cur);
    return true;
  }

  // ---- message handling -------------------------------------------------------------------

  private handle(from: Address, m: Message): void {
    switch (m.type) {
      case 'ping': {
        if (m.target !== '' && m.target !== this.name) return; // meant for a previous owner of this address
        // Our coordinate rides on the ack when the pinger asked (it can decode it then).
        const coord = m.wantCoord && this.coords ? this.coords.coordinate : undefined;
        this.sendNow(from, [encodeMessage(coord ? { type: 'ack', seq: m.seq, coord } : { type: 'ack', seq: m.seq })]);
        return;
      }
      case 'indirectPing': {
        const seq = this.nextSeq();
        // Nack a little before probeTimeout so it reaches the asker before its probe deadline.
        this.relays.set(seq, { to: from, seq: m.seq, wantNack: m.nack, expiresMs: this.now + Math.floor(this.cfg.probeTimeoutMs * 0.8) });
        this.sendNow({ addr: m.targetAddr, port: m.targetPort }, [encodeMessage({ type: 'ping', seq, target: m.target, source: this.name })]);
        return;
      }
      case 'ack': {
        if (this.probe?.seq === m.seq) {
          if (m.coord) this.observePing(this.probe.target, this.now - this.probe.sentMs, m.coord);
          this.probeSucceeded(true);
          return;
        }
        const relay = this.relays.get(m.seq);
        if (relay) {
          this.relays.delete(m.seq);
          this.sendNow(relay.to, [encodeMessage({ type: 'ack', seq: relay.seq })]);
        }
        return;
      }
      case 'nack':
        if (this.probe?.seq === m.seq) this.probe.nacks++;
        return;
      case 'alive':
        this.aliveNode(m);
        return;
      case 'suspect':
        this.suspectNode(m);
        return;
      case 'dead':
        this.deadNode(m);
        return;
      case 'user':
        this.out.users.push({ from, payload: m.payload });
        return;
      case 'pushPull':
        return; // only valid on streams
    }
  }

  private aliveNode(a: AliveMsg): void {
    if (a.node !== this.name && this.cfg.addressAllowed?.(a.addr) === false) {
      this.stats.droppedNotAllowed++; // memberlist: "Rejected node"
      return;
    }
    if (a.node === this.name) {
      const self = this.table.get(this.name)!;
      const differs = a.addr !== self.addr || a.port !== self.port || !sameTags(a.tags, self.tags);
      if (!this.leaving && (a.incarnation > this.incarnation || (a.incarnation === this.incarnation && differs))) this.refute(a.incarnation);
      return;
    }
    const cur = this.table.get(a.node);
    if (cur && a.incarnation <= cur.incarnation) return;
    const rec: MemberRecord = {
      name: a.node, addr: a.addr, port: a.port, tags: a.tags, incarnation: a.incarnation, state: 'alive',
      stateChangeMs: cur && cur.state === 'alive' ? cur.stateChangeMs : this.now,
    };
    this.table.set(rec);
    this.suspicions.delete(a.node);
    this.downSince.delete(a.node);
    this.queue.queue(a.node, encodeMessage(a));
    if (!cur || cur.state === 'failed' || cur.state === 'left') this.emit('join', rec);
    else if (cur.addr !== a.addr || cur.port !== a.port || !sameTags(cur.tags, a.tags)) this.emit('update', rec);
  }

  private suspectNode(s: SuspectMsg): void {
    const cur = this.table.get(s.node);
    if (!cur || s.incarnation < cur.incarnation) return;
    if (s.node === this.name) {
      if (!this.leaving) this.refute(s.incarnation);
      return;
    }
    if (cur.state === 'suspect') {
      // Lifeguard: an independent suspicion shortens the timeout; pass it on once.
      if (this.suspicions.get(s.node)?.confirm(s.from)) this.queue.queue(s.node, encodeMessage(s));
      return;
    }
    if (cur.state !== 'alive') return;
    const n = this.table.liveCount;
    this.table.set({ ...cur, incarnation: s.incarnation, state: 'suspect', stateChangeMs: this.now });
    this.queue.queue(s.node, encodeMessage(s));
    // Check the accusation ourselves at our next probe: an independent failed probe is the
    // confirmation Lifeguard waits for, so a dead member is declared sooner (a live one refutes).
    // Only about EXPEDITED_PROBERS members do so, so a large cluster does not swarm the suspect.
    if (s.from !== this.name && this.probeFirst.length < 16 && this.rng() < EXPEDITED_PROBERS / Math.max(1, n)) {
      this.probeFirst.push(s.node);
    }
    this.stats.suspicionsStarted++;
    let k = this.cfg.suspicionMult - 2;
    if (n - 2 < k) k = 0; // too few members to expect confirmations
    const minMs = suspicionTimeoutMs(this.cfg.suspicionMult, n, this.cfg.probeIntervalMs);
    this.suspicions.set(s.node, new Suspicion(s.from, k, minMs, this.cfg.suspicionMaxTimeoutMult * minMs, this.now));
  }

  private deadNode(d: DeadMsg): void {
    const cur = this.table.get(d.node);
    if (!cur || d.incarnation < cur.incarnation) return;
    const left = d.from === d.node;
    // A failed member may still be moved to left by a leave intent (serf's force-leave).
    if (cur.state === 'left' || (cur.state === 'failed' && !left)) return;
    if (d.node === this.name) {
      if (!this.leaving) this.refute(d.incarnation);
      return;
    }
    const rec: MemberRecord = { ...cur, incarnation: d.incarnation, state: left ? 'left' : 'failed', stateChangeMs: this.now };
    this.table.set(rec);
    this.suspicions.delete(d.node);
    this.downSince.set(d.node, this.now);
    this.queue.queue(d.node, encodeMessage(d));
    this.emit(left ? 'leave' : 'fail', rec);
  }

  /** Someone thinks we are suspect or dead: outbid the accusation with a higher incarnation. */
  private refute(accusedIncarnation: number): void {
    this.incarnation = Math.max(this.incarnation, accusedIncarnation) + 1;
    const self = this.table.get(this.name)!;
    this.table.set({ ...self, incarnation: this.incarnation, state: 'alive' });
    this.broadcastAlive();
    this.awareness.applyDelta(1); // being accused is a sign we may be the slow one
    this.stats.refutes++;
  }

  private broadcastAlive(): void {
    const s = this.table.get(this.name)!;
    this.queue.queue(this.name, encodeMessage({ type: 'alive', incarnation: s.incarnation, node: s.name, addr: s.addr, port: s.port, tags: s.tags }));
  }

  // ---- probing ----------------------------------------------------------------------------

  private tickProbe(): void {
    const p = this.probe;
    const c = this.cfg;
    if (p && !p.indirectSent && this.now >= p.directDeadlineMs) {
      // No direct ack: ask k others to probe (they nack if they get nothing, for awareness), and try TCP.
      p.indirectSent = true;
      const target = this.table.get(p.target);
      const helpers = this.randomMembers(c.indirectChecks, (r) => r.state === 'alive' && r.name !== p.target);
      const req = encodeMessage({ type: 'indirectPing', seq: p.seq, target: p.target, targetAddr: p.to.addr, targetPort: p.to.port, nack: true });
      for (const h of helpers) this.sendNow(h, [req]);
      p.expectedNacks = helpers.length;
      if (c.tcpPings && target) {
        this.startStream(p.to, { kind: 'tcpPing', seq: p.seq }, encodeMessage({ type: 'ping', seq: p.seq, target: p.target, source: this.name }));
      }
    }
    if (p && this.now >= p.finalDeadlineMs) {
      this.probe = undefined;
      // Lifeguard: missing nacks mean our own network or CPU is the likely problem.
      this.awareness.applyDelta(p.expectedNacks > 0 ? p.expectedNacks - p.nacks : 1);
      const cur = this.table.get(p.target);
      if (cur && (cur.state === 'alive' || cur.state === 'suspect')) {
        this.suspectNode({ type: 'suspect', incarnation: cur.incarnation, node: p.target, from: this.name });
      }
    }
    if (!this.probe && !this.leaving && this.now >= this.nextProbeMs) {
      const intervalMs = this.awareness.scaleTimeout(c.probeIntervalMs);
      this.nextProbeMs = this.now + intervalMs;
      const target = this.nextProbeTarget();
      if (!target) return;
      const seq = this.nextSeq();
      this.probe = {
        target: target.name, to: { addr: target.addr, port: target.port }, seq, sentMs: this.now,
        directDeadlineMs: this.now + c.probeTimeoutMs, finalDeadlineMs: this.now + intervalMs,
        indirectSent: false, expectedNacks: 0, nacks: 0,
      };
      // Ask for the target's coordinate (at most every coordinateIntervalMs) if it can answer.
      const wantCoord = this.coords !== undefined && this.now >= this.nextCoordinateAskMs && target.tags[COORD_TAG] !== undefined;
      if (wantCoord) this.nextCoordinateAskMs = this.now + c.coordinateIntervalMs;
      this.sendWithBroadcasts(target, encodeMessage({ type: 'ping', seq, target: target.name, source: this.name, ...(wantCoord ? { wantCoord } : {}) }));
    }
  }

  private probeSucceeded(direct: boolean): void {
    this.probe = undefined;
    if (direct) this.awareness.applyDelta(-1);
  }

  /** Randomized round-robin: each pass walks the table in a fresh random (affine) order. */
  private nextProbeTarget(): MemberRecord | undefined {
    while (this.probeFirst.length > 0) {
      const r = this.table.get(this.probeFirst.shift()!);
      if (r?.state === 'suspect') return r;
    }
    const o = this.probeOrder;
    for (let tries = 0; tries < this.table.slots + 1; tries++) {
      if (o.i >= o.len || o.len !== this.table.slots) {
        o.len = this.table.slots;
        o.i = 0;
        o.b = randInt(this.rng, Math.max(1, o.len));
        o.a = 1;
        for (let j = 0; j < 16 && o.len > 1; j++) {
          const a = 1 + randInt(this.rng, o.len - 1);
          if (gcd(a, o.len) === 1) { o.a = a; break; }
        }
        if (o.len === 0) return undefined;
      }
      const r = this.table.at((o.a * o.i + o.b) % o.len);
      o.i++;
      if (r && r.name !== this.name && (r.state === 'alive' || r.state === 'suspect')) return r;
    }
    return undefined;
  }

  private tickRelays(): void {
    for (const [seq, r] of this.relays) {
      if (this.now < r.expiresMs) continue;
      this.relays.delete(seq);
      if (r.wantNack) this.sendNow(r.to, [encodeMessage({ type: 'nack', seq: r.seq })]);
    }
  }

  private tickSuspicions(): void {
    for (const [name, s] of this.suspicions) {
      if (this.now < s.deadlineMs()) continue;
      this.suspicions.delete(name);
      const cur = this.table.get(name);
      if (cur?.state === 'suspect') this.deadNode({ type: 'dead', incarnation: cur.incarnation, node: name, from: this.name });
    }
  }

  // ---- gossip, push-pull, reconnect, reap ---------------------------------------------------

  private gossip(): void {
    if (this.queue.length === 0) return;
    const deadlineMs = this.now - this.cfg.gossipToTheDeadMs;
    const targets = this.randomMembers(this.cfg.gossipNodes, (r) =>
      r.state === 'alive' || r.state === 'suspect' || r.stateChangeMs > deadlineMs);
    const limit = retransmitLimit(this.cfg.retransmitMult, this.table.liveCount);
    for (const t of targets) {
      const parts = this.queue.take(0, this.cfg.packetBytesMax - 3, limit);
      if (parts.length === 0) return;
      this.sendNow(t, parts);
    }
  }

  private pushPullEveryMs(): number {
    return pushPullIntervalMs(this.cfg.pushPullIntervalMs, this.table.liveCount);
  }

  private startPushPull(to: Address, join: boolean): number {
    return this.startStream(to, { kind: 'pushPull', join }, encodeMessage({ type: 'pushPull', join, states: localState(this.table.values()) }));
  }

  /** Serf-style reconnect: sync with one random failed member, so a healed partition merges back. */
  private reconnect(): void {
    const failed: string[] = [];
    for (const name of this.downSince.keys()) if (this.table.get(name)?.state === 'failed') failed.push(name);
    if (failed.length === 0) return;
    const r = this.table.get(failed[randInt(this.rng, failed.length)]!)!;
    this.startPushPull(r, false);
  }

  /** serf's reap: failed members after the reconnect timeout, left ones after the tombstone timeout, either overridden by the member. */
  private reap(): void {
    for (const [name, since] of this.downSince) {
      const r = this.table.get(name);
      if (r) {
        const base = r.state === 'left' ? this.cfg.tombstoneTimeoutMs : this.cfg.reconnectTimeoutMs;
        const timeoutMs = this.cfg.reconnectTimeoutOverride?.(name, r.tags) ?? base;
        if (this.now - since <= timeoutMs) continue;
      }
      this.downSince.delete(name);
      if (!r) continue;
      this.table.delete(name);
      this.forgetCoordinate(name);
      this.emit('reap', r);
    }
  }

  // ---- network coordinates --------------------------------------------------------------------

  /** Tags as sent: the layer above's, plus COORD_TAG when we carry coordinates on acks. */
  private wireTags(tags: Tags): Tags {
    const rest = userTags(tags);
    return this.coords ? { ...rest, [COORD_TAG]: '' } : { ...rest };
  }

  /** A direct ack with the target's coordinate: update ours from the round trip (serf's NotifyPingComplete). */
  private observePing(name: string, rttMs: number, other: Coordinate): void {
    if (!this.coords) return;
    const resetsBefore = this.coords.resets;
    const r = this.coords.update(name, other, rttMs);
    this.stats.coordinateResets += this.coords.resets - resetsBefore;
    if (typeof r === 'string') {
      this.stats.coordinateRejected++;
      return;
    }
    this.peerCoords.set(name, other);
    this.out.pings.push({ name, rttMs, coordinate: other, ours: r });
  }

  private forgetCoordinate(name: string): void {
    this.peerCoords.delete(name);
    this.coords?.forget(name);
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Up to k distinct random members (never ourselves) that pass `ok`. */
  private randomMembers(k: number, ok: (r: MemberRecord) => boolean): MemberRecord[] {
    const slots = this.table.slots;
    const out: MemberRecord[] = [];
    if (k <= 0 || slots === 0) return out;
    if (slots <= 4 * k + 16) {
      // Small table: choose from the full list.
      const all = [...this.table.values()].filter((r) => r.name !== this.name && ok(r));
      while (out.length < k && all.length > 0) out.push(all.splice(randInt(this.rng, all.length), 1)[0]!);
      return out;
    }
    const seen = new Set<string>();
    for (let tries = 0; tries < 8 * k && out.length < k; tries++) {
      const r = this.table.at(randInt(this.rng, slots));
      if (!r || r.name === this.name || seen.has(r.name) || !ok(r)) continue;
      seen.add(r.name);
      out.push(r);
    }
    return out;
  }

  private sendWithBroadcasts(to: Address, first: Uint8Array): void {
    const limit = retransmitLimit(this.cfg.retransmitMult, this.table.liveCount);
    const parts = [first, ...this.queue.take(0, this.cfg.packetBytesMax - 3 - first.length, limit)];
    this.sendNow(to, parts);
  }

  private sendNow(to: Address, parts: Uint8Array[]): void {
    const bytes = compound(parts);
    this.stats.packetsOut++;
    this.stats.bytesOut += bytes.length;
    this.out.packets.push({ to: { addr: to.addr, port: to.port }, bytes });
  }

  private startStream(to: Address, pending: PendingStream, bytes: Uint8Array): number {
    const id = ++this.streamId;
    this.pendingStreams.set(id, pending);
    this.stats.streamsOut++;
    this.stats.streamBytesOut += bytes.length;
    this.out.streams.push({ id, to: { addr: to.addr, port: to.port }, bytes });
    return id;
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    return this.seq;
  }

  private emit(type: MemberEventType, r: MemberRecord): void {
    this.out.events.push({ type, member: toMember(r) });
  }
}
