// A simulated network of SWIM cores in one process on virtual time: seeded packet loss and
// latency, killed members, partitions and heals. Streams (TCP) are reliable but fail across a
// partition (after the TCP timeout) or to a dead member (at once, as a refused connection).
import type { Config } from '../config.js';
import { SharedMembers, type MemberRecord } from '../members.js';
import { COORD_TAG, type Tags } from '../messages.js';
import { seededRng, type Rng } from '../rng.js';
import { Memberlist, type MemberEvent, type OutPacket, type OutStream } from '../state.js';
import { EventHeap } from './heap.js';

export interface SimOptions {
  seed: number;
  config: Config;
  /** Probability that a UDP packet is lost. */
  loss?: number;
  latencyMsMin?: number;
  latencyMsMax?: number;
  /** One-way latency of a packet or stream from one member to another; overrides the uniform min/max. */
  latencyMs?: (from: SimNode, to: SimNode) => number;
}

export interface SimNode {
  readonly index: number;
  readonly name: string;
  readonly core: Memberlist;
  up: boolean;
  /** Partition group: packets and streams only pass between nodes of the same group. */
  group: number;
  wakeAtMs: number;
}

type Ev =
  | { atMs: number; seq: number; kind: 'wake'; node: SimNode }
  | { atMs: number; seq: number; kind: 'packet'; from: SimNode; to: SimNode; bytes: Uint8Array }
  | { atMs: number; seq: number; kind: 'stream'; from: SimNode; to: SimNode; id: number; bytes: Uint8Array }
  | { atMs: number; seq: number; kind: 'reply'; to: SimNode; id: number; bytes: Uint8Array | undefined };

export type EventObserver = (observer: SimNode, e: MemberEvent, nowMs: number) => void;

const ADDR = 'sim';

export class SimCluster {
  nowMs = 0;
  readonly nodes: SimNode[] = [];
  bytesSent = 0;
  packetsSent = 0;
  packetsLost = 0;
  /** Largest UDP payload any member sent. */
  packetBytesMaxSeen = 0;
  onEvent: EventObserver = () => {};
  /** Sees every UDP packet sent (before loss), for tests that check what went on the wire. */
  onPacket: (from: SimNode, to: SimNode, bytes: Uint8Array) => void = () => {};

  private readonly rng: Rng;
  private readonly heap = new EventHeap<Ev>();
  private seq = 0;
  private readonly byPort = new Map<number, SimNode>();
  private readonly loss: number;
  private readonly latMin: number;
  private readonly latMax: number;

  constructor(private readonly opts: SimOptions) {
    this.rng = seededRng(opts.seed);
    this.loss = opts.loss ?? 0;
    this.latMin = opts.latencyMsMin ?? 1;
    this.latMax = opts.latencyMsMax ?? 5;
  }

  /** Starts `count` members that already know each other (a converged cluster), sharing one table. */
  bootstrap(count: number, tags: Tags = {}): SimNode[] {
    const first = this.nodes.length;
    const records: MemberRecord[] = [];
    // The wire tags each member would have advertised (coordinate support included).
    const wire: Tags = this.opts.config.coordinates ? { ...tags, [COORD_TAG]: '' } : tags;
    for (let i = 0; i < count; i++) {
      const index = first + i;
      records.push({ name: `n${index}`, addr: ADDR, port: index + 1, tags: wire, incarnation: 0, state: 'alive', stateChangeMs: 0 });
    }
    const shared = new SharedMembers(records);
    const out: SimNode[] = [];
    for (let i = 0; i < count; i++) out.push(this.addNode(tags, shared));
    return out;
  }

  /** Starts one member that knows only itself (call join to introduce it). */
  addNode(tags: Tags = {}, shared?: SharedMembers): SimNode {
    return this.addNodeWith(this.opts.config, tags, shared);
  }

  /** addNode with its own settings (a member of another version or profile). */
  addNodeWith(config: Config, tags: Tags = {}, shared?: SharedMembers): SimNode {
    const index = this.nodes.length;
    const core = new Memberlist({
      name: `n${index}`, addr: ADDR, port: index + 1, tags, config,
      rng: seededRng((this.opts.seed * 1_000_003 + index) >>> 0), nowMs: this.nowMs, shared,
    });
    const node: SimNode = { index, name: core.name, core, up: true, group: 0, wakeAtMs: Infinity };
    this.nodes.push(node);
    this.byPort.set(index + 1, node);
    this.after(node);
    return node;
  }

  join(node: SimNode, seeds: SimNode[]): void {
    node.core.join(seeds.map((s) => ({ addr: ADDR, port: s.index + 1 })), this.nowMs);
    this.after(node);
  }

  leave(node: SimNode): void {
    node.core.leave(this.nowMs);
    this.after(node);
  }

  /** Stops a member without a word (kill -9). */
  kill(node: SimNode): void {
    node.up = false;
  }

  /** Assigns each node a group; nodes in different groups cannot reach each other. */
  partition(groupOf: (n: SimNode) => number): void {
    for (const n of this.nodes) n.group = groupOf(n);
  }

  heal(): void {
    for (const n of this.nodes) n.group = 0;
  }

  /** Runs until virtual time `untilMs`, or until `stop()` is true (checked after each event). */
  run(untilMs: number, stop?: () => boolean): void {
    for (;;) {
      const ev = this.heap.peek();
      if (!ev || ev.atMs > untilMs) break;
      this.heap.pop();
      this.nowMs = ev.atMs;
      this.dispatch(ev);
      if (stop?.()) return;
    }
    this.nowMs = Math.max(this.nowMs, untilMs);
  }

  private dispatch(ev: Ev): void {
    switch (ev.kind) {
      case 'wake':
        if (!ev.node.up || ev.node.wakeAtMs !== ev.atMs) return; // superseded
        ev.node.wakeAtMs = Infinity;
        ev.node.core.tick(this.nowMs);
        this.after(ev.node);
        return;
      case 'packet':
        if (!ev.to.up) return;
        ev.to.core.receivePacket({ addr: ADDR, port: ev.from.index + 1 }, ev.bytes, this.nowMs);
        this.after(ev.to);
        return;
      case 'stream': {
        if (!ev.to.up || !this.reachable(ev.from, ev.to)) {
          this.push({ atMs: this.nowMs + this.latency(ev.to, ev.from), seq: 0, kind: 'reply', to: ev.from, id: ev.id, bytes: undefined });
          return;
        }
        const reply = ev.to.core.handleStream({ addr: ADDR, port: ev.from.index + 1 }, ev.bytes, this.nowMs);
        if (reply) this.bytesSent += reply.length;
        this.after(ev.to);
        this.push({ atMs: this.nowMs + this.latency(ev.to, ev.from), seq: 0, kind: 'reply', to: ev.from, id: ev.id, bytes: reply });
        return;
      }
      case 'reply':
        if (!ev.to.up) return;
        ev.to.core.streamReply(ev.id, ev.bytes, this.nowMs);
        this.after(ev.to);
        return;
    }
  }

  /** Sends what a core produced and schedules its next wake-up. */
  private after(node: SimNode): void {
    const out = node.core.takeOutput();
    for (const p of out.packets) this.sendPacket(node, p);
    for (const s of out.streams) this.sendStream(node, s);
    for (const e of out.events) this.onEvent(node, e, this.nowMs);
    if (!node.up) return;
    const t = Math.max(node.core.nextTickAt(), this.nowMs);
    if (t < node.wakeAtMs) {
      node.wakeAtMs = t;
      this.push({ atMs: t, seq: 0, kind: 'wake', node });
    }
  }

  private sendPacket(from: SimNode, p: OutPacket): void {
    this.packetsSent++;
    this.bytesSent += p.bytes.length;
    if (p.bytes.length > this.packetBytesMaxSeen) this.packetBytesMaxSeen = p.bytes.length;
    const to = this.byPort.get(p.to.port);
    if (!to || !this.reachable(from, to)) return;
    this.onPacket(from, to, p.bytes);
    if (this.loss > 0 && this.rng() < this.loss) {
      this.packetsLost++;
      return;
    }
    this.push({ atMs: this.nowMs + this.latency(from, to), seq: 0, kind: 'packet', from, to, bytes: p.bytes });
  }

  private sendStream(from: SimNode, s: OutStream): void {
    this.bytesSent += s.bytes.length;
    const to = this.byPort.get(s.to.port);
    if (!to) {
      this.push({ atMs: this.nowMs + this.latency(from, from), seq: 0, kind: 'reply', to: from, id: s.id, bytes: undefined });
      return;
    }
    if (!this.reachable(from, to)) {
      // A partition looks like silence: the connection attempt times out.
      this.push({ atMs: this.nowMs + this.opts.config.tcpTimeoutMs, seq: 0, kind: 'reply', to: from, id: s.id, bytes: undefined });
      return;
    }
    this.push({ atMs: this.nowMs + this.latency(from, to), seq: 0, kind: 'stream', from, to, id: s.id, bytes: s.bytes });
  }

  private reachable(a: SimNode, b: SimNode): boolean {
    return a.group === b.group;
  }

  private latency(from: SimNode, to: SimNode): number {
    if (this.opts.latencyMs) return this.opts.latencyMs(from, to);
    return this.latMin + this.rng() * (this.latMax - this.latMin);
  }

  private push(ev: Ev): void {
    ev.seq = this.seq++;
    this.heap.push(ev);
  }
}
