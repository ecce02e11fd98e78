// A tiny synchronous network of Raft cores for scenario tests (etcd's "stabilize"):
// readies are handled at once (persist = keep, send = queue), messages are delivered in
// order, and links can be cut.

import { seededRandom } from '../rand.js';
import { bootstrapState, Raft } from '../raft.js';
import type { RaftConfig } from '../config.js';
import type { Entry, Message, NodeId, ReadState } from '../types.js';

export class Net {
  nodes = new Map<NodeId, Raft>();
  applied = new Map<NodeId, Entry[]>();
  readStates = new Map<NodeId, ReadState[]>();
  sent: Message[] = [];
  private queue: Message[] = [];
  private cut = new Set<string>();

  constructor(ids: NodeId[], cfg: Partial<RaftConfig> = {}, seed = 1) {
    for (const [i, id] of ids.entries()) {
      this.nodes.set(id, new Raft({ id, random: seededRandom(seed + i), ...cfg }, bootstrapState(ids)));
      this.applied.set(id, []);
      this.readStates.set(id, []);
    }
  }

  get(id: NodeId): Raft {
    return this.nodes.get(id)!;
  }

  isolate(id: NodeId): void {
    for (const o of this.nodes.keys()) if (o !== id) this.cutLink(id, o);
  }

  cutLink(a: NodeId, b: NodeId): void {
    this.cut.add(`${a}>${b}`);
    this.cut.add(`${b}>${a}`);
  }

  heal(): void {
    this.cut.clear();
  }

  /** Handles every ready and delivers every message until nothing moves (bounded). */
  stabilize(maxRounds = 1000): void {
    for (let round = 0; round < maxRounds; round++) {
      let moved = false;
      for (const [id, r] of this.nodes) {
        if (!r.hasReady()) continue;
        moved = true;
        const rd = r.ready();
        for (const m of rd.messages) {
          this.sent.push(m);
          if (!this.cut.has(`${m.from}>${m.to}`)) this.queue.push(m);
        }
        this.applied.get(id)!.push(...rd.committedEntries);
        this.readStates.get(id)!.push(...rd.readStates);
        r.advance();
      }
      const q = this.queue;
      this.queue = [];
      for (const m of q) {
        moved = true;
        this.nodes.get(m.to)?.step(m);
      }
      if (!moved) return;
    }
    throw new Error('network did not stabilize');
  }

  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const r of this.nodes.values()) r.tick();
      this.stabilize();
    }
  }

  /** Ticks until some node leads (bounded). */
  elect(): Raft {
    for (let i = 0; i < 200; i++) {
      const l = [...this.nodes.values()].find((r) => r.role === 'leader');
      if (l) return l;
      this.tickAll();
    }
    throw new Error('no leader');
  }
}
