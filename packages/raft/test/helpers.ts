import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotLeaderError, RaftNode, TcpTransport, type PeerAddress, type StateMachine } from '../src/index.js';

/** A small KV state machine: put returns the previous value. */
export class KvMachine implements StateMachine {
  data = new Map<string, string>();
  applied = 0;
  apply(index: number, command: unknown): unknown {
    const c = command as { k: string; v: string };
    const prev = this.data.get(c.k);
    this.data.set(c.k, c.v);
    this.applied = index;
    return prev ?? null;
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([...this.data]));
  }
  restore(data: Uint8Array): void {
    this.data = new Map(JSON.parse(new TextDecoder().decode(data)) as [string, string][]);
  }
}

export interface Member {
  id: string;
  dir: string;
  transport: TcpTransport;
  addr: PeerAddress;
  sm: KvMachine;
  node: RaftNode | null;
}

export class TestCluster {
  members = new Map<string, Member>();
  private constructor(readonly base: string) {}

  static async create(): Promise<TestCluster> {
    return new TestCluster(await mkdtemp(join(tmpdir(), 'raft-cluster-')));
  }

  /** Creates a member listening on 127.0.6.<n> (port 0) and wires every member's peer table. */
  async addMember(id: string, host: string): Promise<Member> {
    const transport = new TcpTransport({ id });
    const addr = await transport.listen(host, 0);
    const m: Member = { id, dir: join(this.base, id), transport, addr, sm: new KvMachine(), node: null };
    for (const o of this.members.values()) {
      o.transport.setPeer(id, addr);
      transport.setPeer(o.id, o.addr);
    }
    this.members.set(id, m);
    return m;
  }

  async startNode(id: string, bootstrap: string[] | undefined, extra: { snapshotThreshold?: number; trailingLogs?: number; requestTimeoutMs?: number } = {}): Promise<RaftNode> {
    const m = this.members.get(id)!;
    m.sm = new KvMachine();
    m.node = await RaftNode.start({
      id,
      dataDir: m.dir,
      stateMachine: m.sm,
      transport: m.transport,
      bootstrap,
      tickMs: 50,
      snapshotThreshold: extra.snapshotThreshold,
      trailingLogs: extra.trailingLogs,
      requestTimeoutMs: extra.requestTimeoutMs ?? 3000,
    });
    return m.node;
  }

  async stopNode(id: string): Promise<void> {
    const m = this.members.get(id)!;
    await m.node?.stop();
    m.node = null;
  }

  running(): RaftNode[] {
    return [...this.members.values()].flatMap((m) => (m.node ? [m.node] : []));
  }

  async waitLeader(timeoutMs = 10_000): Promise<RaftNode> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const leaders = this.running().filter((n) => n.isLeader());
      if (leaders.length === 1) return leaders[0];
      await sleep(20);
    }
    throw new Error('no leader elected in time');
  }

  /** Proposes through whichever node leads, retrying a bounded number of times. */
  async put(k: string, v: string): Promise<{ index: number; result: unknown }> {
    let last: unknown;
    for (let i = 0; i < 50; i++) {
      const l = await this.waitLeader();
      try {
        return await l.propose({ k, v });
      } catch (e) {
        last = e;
        if (!(e instanceof NotLeaderError)) await sleep(50);
      }
    }
    throw last;
  }

  async waitApplied(id: string, index: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const n = this.members.get(id)!.node;
      if (n && n.status().appliedIndex >= index) return;
      await sleep(20);
    }
    throw new Error(`${id} did not apply ${index} in time`);
  }

  async close(): Promise<void> {
    for (const m of this.members.values()) {
      await m.node?.stop();
      await m.transport.close();
    }
    await rm(this.base, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
