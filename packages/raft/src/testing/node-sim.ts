// A second, smaller simulator that runs the real RaftNode (its loop, timers, proposal and read
// promises, background snapshots, fail-stop on storage errors) on virtual time: every node has
// a virtual Clock, a MemoryFileSystem and a simulated transport. Faults: lost, delayed and
// duplicated messages, partitions, crashes (unsynced bytes lost), crashes in the middle of a
// save, EIO on fsync (the node fails and is restarted), a full disk (the node stops and is
// reopened on the same files once space returns), process pauses. Clients propose and read
// through RaftNode's API; the history must be linearizable and each term has one leader.
//
// sim.ts drives the Raft core directly (with the same Ready order and the same storage) and is
// the broad, fast one; this one checks that RaftNode itself keeps those promises.

import { decode, encode } from '../codec.js';
import { seededRandom, type RandomSource } from '../rand.js';
import { NotLeaderError, RaftNode, type Clock, type StateMachine } from '../node.js';
import { StorageFailedError, StorageFullError } from '../storage/errors.js';
import type { FileSystem } from '../storage/fs.js';
import { MemoryFileSystem, SimulatedCrashError } from '../storage/memory-fs.js';
import type { Message, NodeId } from '../types.js';
import { checkKvHistory, type CheckResult, type KvOperation } from './linearizability.js';
import { wrapAppendFiles } from './wrap-fs.js';

export interface NodeSimOptions {
  seed: number;
  nodes: 3 | 5;
  faultyMs?: number;
  healedMs?: number;
  trace?: boolean;
}

export interface NodeSimResult {
  seed: number;
  violations: string[];
  linearizable: CheckResult;
  stats: { ops: number; acked: number; crashes: number; storageErrors: number; leaders: number };
  trace: string[];
}

interface Timer {
  at: number;
  seq: number;
  f: () => void;
  owner: Owner;
  cancelled: boolean;
}

/** A process incarnation: its timers die with it and wait while it is paused. */
interface Owner {
  alive: boolean;
  pausedUntil: number;
}

const forever: Owner = { alive: true, pausedUntil: 0 };
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Virtual time: timers in (time, insertion) order; microtasks drain after each one. */
class VirtualTime {
  now = 0;
  private seq = 0;
  private q: Timer[] = [];

  clock(owner: Owner): Clock {
    return {
      now: () => this.now,
      setTimeout: (f, ms) => this.add(this.now + Math.max(0, ms), f, owner),
      clearTimeout: (h) => {
        if (h) (h as Timer).cancelled = true;
      },
      soon: (f) => void this.add(this.now, f, owner),
    };
  }

  add(at: number, f: () => void, owner: Owner = forever): Timer {
    const t: Timer = { at, seq: this.seq++, f, owner, cancelled: false };
    let lo = 0;
    let hi = this.q.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.q[mid];
      if (m.at < at || (m.at === at && m.seq < t.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.q.splice(lo, 0, t);
    return t;
  }

  async runUntil(end: number): Promise<void> {
    while (this.q.length > 0 && this.q[0].at <= end) {
      const t = this.q.shift()!;
      if (t.cancelled || !t.owner.alive) continue;
      if (t.owner.pausedUntil > t.at) {
        // A paused process runs its timers (and reads its socket) when it resumes.
        this.add(t.owner.pausedUntil, t.f, t.owner);
        continue;
      }
      this.now = t.at;
      t.f();
      await flush();
    }
    this.now = end;
  }
}

/** A key-value state machine of `{ k, v }` commands (also used by the targeted scenarios). */
export class Kv implements StateMachine {
  data = new Map<string, string>();
  apply(_index: number, command: unknown): unknown {
    const c = (command instanceof Uint8Array ? decode(command) : command) as { k: string; v: string };
    this.data.set(c.k, c.v);
    return null;
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([...this.data]));
  }
  restore(data: Uint8Array): void {
    this.data = new Map(JSON.parse(new TextDecoder().decode(data)) as [string, string][]);
  }
}

interface SimServer {
  id: NodeId;
  fs: MemoryFileSystem;
  node: RaftNode | null;
  kv: Kv;
  owner: Owner;
  handler: ((m: Message) => void) | null;
  starting: boolean;
}

const KEYS = ['a', 'b', 'c'];

export async function runNodeSimulation(opts: NodeSimOptions): Promise<NodeSimResult> {
  const rng: RandomSource = seededRandom(opts.seed * 6151 + 3);
  const time = new VirtualTime();
  const faultyMs = opts.faultyMs ?? 3000;
  const healedMs = opts.healedMs ?? 1500;
  const trace: string[] = [];
  const violations: string[] = [];
  const history: KvOperation[] = [];
  const stats = { ops: 0, acked: 0, crashes: 0, storageErrors: 0, leaders: 0 };
  const log = (s: string): void => {
    if (opts.trace) trace.push(`${time.now}ms ${s}`);
  };
  const ids = Array.from({ length: opts.nodes }, (_, i) => `n${i + 1}`);
  const servers = new Map<NodeId, SimServer>();
  const blocked = new Set<string>();
  const leaders = new Map<number, NodeId>();
  let faulty = true;
  let clock = 0;
  const dropRate = rng(10);
  // A running node's writes take virtual time, so followers often acknowledge before the leader's own write ends.
  const writeMsMax = rng(3) === 0 ? 0 : 1 + rng(15);

  function deliver(m: Message): void {
    const s = servers.get(m.to);
    if (!s || s.node === null || !s.handler || blocked.has(`${m.from}>${m.to}`)) return;
    s.handler(m);
  }

  async function start(s: SimServer): Promise<void> {
    if (s.starting || s.node !== null) return;
    s.starting = true;
    s.owner = { alive: true, pausedUntil: 0 };
    const owner = s.owner;
    const nodeClock = time.clock(owner);
    s.kv = new Kv();
    s.handler = null;
    try {
      const node = await RaftNode.start({
        id: s.id,
        dataDir: '/raft',
        fs: withWriteLatency(s.fs, () => (s.node === null ? 0 : rng(writeMsMax + 1)), nodeClock),
        clock: nodeClock,
        stateMachine: s.kv,
        transport: {
          send: (msgs) => {
            for (const m of msgs) {
              if (faulty && rng(100) < dropRate) continue;
              const delay = 1 + rng(faulty ? 20 : 3);
              time.add(time.now + delay, () => deliver(m));
              if (faulty && rng(50) === 0) time.add(time.now + delay + rng(30), () => deliver(m));
            }
          },
          setHandler: (h) => {
            s.handler = (m) => {
              if (owner.alive) h(m);
            };
          },
        },
        bootstrap: ids,
        tickMs: 10,
        electionTick: 10,
        heartbeatTick: 1,
        readOnly: opts.seed % 2 === 0 ? 'lease' : 'safe',
        snapshotThreshold: 20 + rng(20),
        trailingLogs: rng(5),
        requestTimeoutMs: 300,
        random: seededRandom(opts.seed * 7 + Number(s.id.slice(1)) * 131 + time.now),
      });
      if (!owner.alive) return;
      s.node = node;
      node.on('leader', (leader: NodeId | null) => {
        if (leader !== s.id) return;
        const term = node.status().term;
        const other = leaders.get(term);
        if (other === undefined) {
          leaders.set(term, s.id);
          stats.leaders++;
          log(`${s.id} leads term ${term}`);
        } else if (other !== s.id) violations.push(`election safety: ${other} and ${s.id} both lead term ${term}`);
      });
      node.on('error', (e: Error) => onStorageError(s, owner, e));
      log(`${s.id} started (applied ${node.status().appliedIndex})`);
    } catch (e) {
      const root = e instanceof StorageFailedError ? e.cause : e;
      const io = root instanceof SimulatedCrashError || ['EIO', 'ENOSPC'].includes((root as NodeJS.ErrnoException)?.code ?? '');
      if (!io) violations.push(`${s.id} cannot start: ${(e as Error).message}`);
      else {
        // A disk fault while starting: the process exits and is started again (systemd).
        log(`${s.id} failed to start: ${(e as Error).message}`);
        owner.alive = false;
        kill(s, root instanceof SimulatedCrashError, 50 + rng(200));
      }
    } finally {
      s.starting = false;
    }
  }

  function kill(s: SimServer, crashDisk: boolean, downMs: number): void {
    s.owner.alive = false;
    s.node = null;
    s.handler = null;
    if (crashDisk) s.fs.crash();
    s.fs.faults.syncFails = () => false;
    s.fs.faults.capacityBytes = Infinity;
    stats.crashes++;
    time.add(time.now + downMs, () => void start(s));
  }

  function onStorageError(s: SimServer, owner: Owner, e: Error): void {
    if (!owner.alive) return;
    stats.storageErrors++;
    const root = e instanceof StorageFailedError ? e.cause : e;
    log(`${s.id} storage error: ${e.message}`);
    if (root instanceof SimulatedCrashError) kill(s, true, 20 + rng(200));
    else if (e instanceof StorageFullError) kill(s, false, 50 + rng(300));
    else if (e instanceof StorageFailedError) kill(s, false, 20 + rng(200));
    else violations.push(`${s.id} unexpected error: ${e.message}`);
  }

  function fault(): void {
    const all = [...servers.values()];
    // Half the faults hit the leader.
    const lead = all.find((x) => x.node?.isLeader());
    const s = lead && rng(2) === 0 ? lead : all[rng(all.length)];
    const r = rng(100);
    if (r < 25) {
      if (s.node) {
        log(`${s.id} crash`);
        kill(s, true, 20 + rng(300));
      }
    } else if (r < 35) {
      s.fs.faults.crashAfterOps = rng(3);
      log(`${s.id} will crash inside a save`);
    } else if (r < 45) {
      s.fs.faults.syncFails = () => true;
      log(`${s.id} EIO on fsync`);
    } else if (r < 55) {
      s.fs.faults.capacityBytes = s.fs.usedBytes() + rng(200);
      log(`${s.id} disk full`);
    } else if (r < 70) {
      s.owner.pausedUntil = time.now + 50 + rng(600);
      log(`${s.id} paused until ${s.owner.pausedUntil}`);
    } else if (r < 90) {
      const side = new Map(ids.map((id) => [id, rng(2)]));
      for (const a of ids) for (const b of ids) if (side.get(a) !== side.get(b)) blocked.add(`${a}>${b}`);
      log(`partition ${[...side].map(([k, v]) => `${k}:${v}`).join(' ')}`);
    } else {
      blocked.clear();
      log('heal network');
    }
  }

  function client(c: number): void {
    let hint: NodeId | null = null;
    const next = (): void => {
      if (time.now >= faultyMs + healedMs - 200) return;
      time.add(time.now + 5 + rng(30), issue);
    };
    const issue = (): void => {
      const id = hint !== null && rng(3) > 0 ? hint : ids[rng(ids.length)];
      const s = servers.get(id)!;
      const node = s.node;
      if (node === null || s.owner.pausedUntil > time.now) {
        hint = null;
        return next();
      }
      const key = KEYS[rng(KEYS.length)];
      const call = ++clock;
      stats.ops++;
      const owner = s.owner;
      let done = false;
      const kind = rng(2) === 0 ? 'put' : 'get';
      const value = `v${c}.${call}`;
      // A client gives up after a while (the node may have died with the request).
      const giveUp = time.add(time.now + 400, () => {
        if (done) return;
        done = true;
        if (kind === 'put') history.push({ clientId: c, key, kind: 'put', value, call, ret: Infinity });
        hint = null;
        next();
      });
      const finish = (op: KvOperation | null): void => {
        if (done) return;
        done = true;
        giveUp.cancelled = true;
        if (op) history.push(op);
        next();
      };
      if (kind === 'put') {
        // Every other command is bytes, as the agent's are: both of the log's ways of keeping data.
        node.propose(call % 2 === 0 ? encode({ k: key, v: value }) : { k: key, v: value }).then(
          () => {
            stats.acked++;
            finish({ clientId: c, key, kind: 'put', value, call, ret: ++clock });
          },
          (e: Error) => {
            if (e instanceof NotLeaderError) {
              hint = e.leader;
              // Refused before it was appended, or its entry was overwritten: no effect.
              finish(null);
            } else finish({ clientId: c, key, kind: 'put', value, call, ret: Infinity });
          },
        );
      } else {
        node.readIndex(rng(2) === 0 ? 'lease' : 'safe').then(
          () => {
            if (!owner.alive) return finish(null);
            finish({ clientId: c, key, kind: 'get', output: s.kv.data.get(key), call, ret: ++clock });
          },
          (e: Error) => {
            if (e instanceof NotLeaderError) hint = e.leader;
            finish(null);
          },
        );
      }
      hint = id;
    };
    next();
  }

  for (const id of ids) {
    const fs = new MemoryFileSystem({ random: seededRandom(opts.seed * 17 + Number(id.slice(1))) });
    fs.faults.shortWriteRate = rng(2) === 0 ? 0 : 0.2;
    servers.set(id, { id, fs, node: null, kv: new Kv(), owner: { alive: false, pausedUntil: 0 }, handler: null, starting: false });
  }
  for (const s of servers.values()) await start(s);
  for (let c = 0; c < 4; c++) client(c);
  for (let t = 0; t < faultyMs; t += 100) {
    if (rng(2) === 0) fault();
    await time.runUntil(t + 100);
    if (violations.length > 0) break;
  }
  faulty = false;
  blocked.clear();
  for (const s of servers.values()) {
    s.fs.faults.syncFails = () => false;
    s.fs.faults.capacityBytes = Infinity;
    s.fs.faults.crashAfterOps = null;
    s.owner.pausedUntil = 0;
    if (s.node === null) void start(s);
  }
  log('heal all');
  const ackedBefore = stats.acked;
  await time.runUntil(faultyMs + healedMs);
  if (violations.length === 0 && stats.acked === ackedBefore) violations.push(`liveness: no write acknowledged in the ${healedMs} ms after healing`);
  for (const s of servers.values()) s.owner.alive = false;
  let linearizable: CheckResult = 'ok';
  if (violations.length === 0) {
    linearizable = checkKvHistory(history);
    if (linearizable === 'illegal') violations.push('history is not linearizable');
  }
  return { seed: opts.seed, violations, linearizable, stats, trace };
}

/** `fs` whose appends land `latency()` virtual ms after they are made (a dead process's never). */
function withWriteLatency(fs: MemoryFileSystem, latency: () => number, clock: Clock): FileSystem {
  return wrapAppendFiles(fs, (f) => ({
    append: async (data) => {
      const ms = latency();
      if (ms > 0) await new Promise((r) => clock.setTimeout(() => r(undefined), ms));
      return f.append(data);
    },
    datasync: () => f.datasync(),
    truncate: (length) => f.truncate(length),
    close: () => f.close(),
  }));
}
