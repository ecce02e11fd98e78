// `npm run bench -- raft`: a 3-node Raft cluster in one process (real TCP on 127.0.6.x, real
// files, fdatasync per batch), commits/s and fsyncs per commit at 1, 16 and 64 concurrent
// proposers, and leader-kill -> first-commit time. The peer, etcd 3.4 (3 members), runs in
// the same session through ../shared/peers/etcd_bench.sh.
//
// Knobs: RAFT_BENCH_SECONDS (per concurrency level, default 5), RAFT_BENCH_FAILOVERS (3),
// ETCD_DUR (5), ETCD_FAILOVERS (1). Build first: `npm run build -w @proconsul/raft`.
//
// Not like for like: etcd's PUT figure goes through its grpc-gateway (HTTP/JSON) driven by wrk
// over loopback, so it includes HTTP parsing and a client; ours calls propose() in-process.
// The ratio is an upper bound on what the agent's HTTP API will see.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RaftNode, TcpTransport, type PeerAddress, type StateMachine } from '@proconsul/raft';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const peersDir = resolve(repoRoot, '../shared/peers');
const SECONDS = Number(process.env.RAFT_BENCH_SECONDS ?? 5);
const FAILOVERS = Number(process.env.RAFT_BENCH_FAILOVERS ?? 3);
const VALUE = 'v'.repeat(100);

class Kv implements StateMachine {
  data = new Map<string, string>();
  apply(_index: number, command: unknown): unknown {
    const c = command as { k: string; v: string };
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

interface Member {
  id: string;
  host: string;
  dir: string;
  transport: TcpTransport | null;
  addr: PeerAddress | null;
  node: RaftNode | null;
}

const ids = ['b1', 'b2', 'b3'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startMember(m: Member, all: Member[]): Promise<void> {
  const t = new TcpTransport({ id: m.id });
  m.addr = await t.listen(m.host, m.addr?.port ?? 0);
  m.transport = t;
  for (const o of all) {
    if (o === m || !o.addr) continue;
    t.setPeer(o.id, o.addr);
    o.transport?.setPeer(m.id, m.addr);
  }
  m.node = await RaftNode.start({ id: m.id, dataDir: m.dir, stateMachine: new Kv(), transport: t, bootstrap: ids, snapshotThreshold: 50_000 });
}

async function stopMember(m: Member): Promise<void> {
  await m.node?.stop();
  await m.transport?.close();
  m.node = null;
  m.transport = null;
}

async function leaderOf(all: Member[], timeoutMs = 10_000): Promise<Member> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const l = all.find((m) => m.node?.isLeader());
    if (l) return l;
    await sleep(5);
  }
  throw new Error('no leader');
}

async function measure(all: Member[], concurrency: number): Promise<{ rate: number; fsyncsPerCommit: number; errors: number }> {
  const c0 = all.reduce((s, m) => s + (m.node?.fsyncCount() ?? 0), 0);
  let commits = 0;
  let errors = 0;
  let seq = 0;
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (performance.now() < end) {
        // A leader change under load (shared CPU) is not fatal: find the new leader and go on.
        const leader = await leaderOf(all);
        try {
          await leader.node!.propose({ k: `key-${w}-${seq++}`, v: VALUE });
          commits++;
        } catch {
          errors++;
          await sleep(5);
        }
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const fsyncs = all.reduce((s, m) => s + (m.node?.fsyncCount() ?? 0), 0) - c0;
  // WAL fsyncs per commit on one node (all three write every batch; averaged over them).
  return { rate: commits / secs, fsyncsPerCommit: fsyncs / all.length / Math.max(commits, 1), errors };
}

/** Stops the leader, then proposes through the survivors until one commit succeeds. */
async function failover(all: Member[]): Promise<number> {
  const old = await leaderOf(all);
  await sleep(300);
  const t0 = performance.now();
  await stopMember(old);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const tries = all.filter((m) => m.node).map((m) => m.node!.propose({ k: 'failover', v: 'x' }).then(() => true, () => false));
    if ((await Promise.all(tries)).some(Boolean)) {
      const ms = performance.now() - t0;
      await startMember(old, all);
      return ms;
    }
    await sleep(5);
  }
  throw new Error('no commit after failover');
}

function runEtcd(): Promise<string> {
  return new Promise((resolveOut) => {
    const env = { ...process.env, DUR: process.env.ETCD_DUR ?? '5', CONNS: '64', FAILOVERS: process.env.ETCD_FAILOVERS ?? '1' };
    const p = spawn('bash', [join(peersDir, 'etcd_bench.sh')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    });
    p.on('close', () => resolveOut(out));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

async function main(): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'raft-bench-'));
  const all: Member[] = ids.map((id, i) => ({ id, host: `127.0.6.${21 + i}`, dir: join(base, id), transport: null, addr: null, node: null }));
  const results = new Map<number, { rate: number; fsyncsPerCommit: number; errors: number }>();
  const failovers: number[] = [];
  try {
    for (const m of all) await startMember(m, all);
    await leaderOf(all);
    await measure(all, 16); // warm-up (JIT, connections)
    for (const c of [1, 16, 64]) {
      const r = await measure(all, c);
      results.set(c, r);
      console.log(
        `raft proposers=${c} commits_per_s=${r.rate.toFixed(0)} fsyncs_per_commit_per_node=${r.fsyncsPerCommit.toFixed(3)} failed_proposals=${r.errors} (${SECONDS}s, 100-byte values, 3 nodes, one process)`,
      );
    }
    for (let i = 0; i < FAILOVERS; i++) {
      const ms = await failover(all);
      failovers.push(ms);
      console.log(`raft failover ${i + 1}: leader stopped -> first commit after ${ms.toFixed(0)} ms`);
    }
  } finally {
    for (const m of all) await stopMember(m);
    await rm(base, { recursive: true, force: true });
  }

  const etcdOut = await runEtcd();
  const put = /SUMMARY etcd-put\s+conns=64 .*?rps=(\d+)/.exec(etcdOut);
  const fo = /SUMMARY etcd-failover .*first_write_ms=\[[^\]]*\] median=(\d+)/.exec(etcdOut);

  const r64 = results.get(64)!;
  const foMs = median(failovers);
  console.log(
    `RESULT raft commits_per_s_1=${results.get(1)!.rate.toFixed(0)} commits_per_s_16=${results.get(16)!.rate.toFixed(0)} failover_first_commit_ms=${foMs.toFixed(0)}`,
  );
  console.log(`RESULT raft commits_per_s_64=${r64.rate.toFixed(0)} fsyncs_per_commit_64=${r64.fsyncsPerCommit.toFixed(3)}`);
  // etcd's req/s includes its HTTP gateway and wrk client (ours is in-process propose()).
  if (put) console.log(`RATIO raft commits_per_s_64=${(r64.rate / Number(put[1])).toFixed(2)}`);
  else console.log('RATIO raft commits_per_s_64=n/a (etcd peer did not report)');
  // Below 1 is better here: our leader-kill -> first commit time over etcd's.
  if (fo) console.log(`RATIO raft failover_first_commit_ms=${(foMs / Number(fo[1])).toFixed(2)}`);
}

main().catch((e) => {
  console.error(`raft bench failed: ${(e as Error).message}`);
  process.exit(1);
});
