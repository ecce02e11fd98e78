// Gossip benchmark: Proconsul's SWIM members (real processes, packages/gossip/bin/proconsul-gossip.js)
// against HashiCorp serf (../shared/peers/serf_bench.sh) in the same run, same N, on 127.0.0.1.
// Figures per N: bulk-join convergence, one more member seen alive by all (JOIN_REPS joins, for
// stragglers), kill -9 -> every survivor marks it failed (KILLS reps), RSS and idle CPU per process.
// Ours is timed from each member's event stream (stdout); serf's by 50 ms RPC polling.
// Knobs: NS (default "10 50"), KILLS (default 2), JOIN_REPS (default 10).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const peers = path.resolve(repoRoot, '../shared/peers');
const bin = path.join(repoRoot, 'packages/gossip/bin/proconsul-gossip.js');
const NS = (process.env.NS ?? '10 50').split(/\s+/).filter(Boolean).map(Number);
const KILLS = Number(process.env.KILLS ?? 2);
const JOIN_REPS = Number(process.env.JOIN_REPS ?? 10);
const HOST = '127.0.0.1';
const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = (s.length - 1) / 2;
  return s.length === 0 ? NaN : (s[Math.floor(m)]! + s[Math.ceil(m)]!) / 2;
};
const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : 'NaN');

class Agent {
  readonly p: ChildProcess;
  port = 0;
  readonly alive = new Set<string>();
  readonly joinAt = new Map<string, number>();
  readonly failAt = new Map<string, number>();
  readonly leaveAt = new Map<string, number>();
  private waiters: ((o: Record<string, unknown>) => void)[] = [];
  readonly ready: Promise<void>;

  constructor(readonly name: string) {
    this.p = spawn(process.execPath, [bin, '--name', name, '--bind', `${HOST}:0`, '--profile', 'lan'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let resolveReady!: () => void;
    this.ready = new Promise((r) => { resolveReady = r; });
    createInterface({ input: this.p.stdout! }).on('line', (line) => {
      const t = now();
      let o: Record<string, unknown>;
      try { o = JSON.parse(line) as Record<string, unknown>; } catch { return; }
      if (o.ready) { this.port = o.port as number; resolveReady(); return; }
      const n = o.name as string;
      switch (o.event) {
        case 'join': this.alive.add(n); this.joinAt.set(n, t); return;
        case 'fail': this.alive.delete(n); this.failAt.set(n, t); return;
        case 'leave': this.alive.delete(n); this.leaveAt.set(n, t); return;
        case 'update': case 'reap': return;
      }
      this.waiters.shift()?.(o);
    });
  }

  /** Sends a stdin command and resolves with its (next non-event) reply line. */
  cmd(line: string): Promise<Record<string, unknown>> {
    return new Promise((r) => { this.waiters.push(r); this.p.stdin!.write(line + '\n'); });
  }

  get addr(): string {
    return `${HOST}:${this.port}`;
  }

  rssMb(): number {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${this.p.pid}/status`, 'utf8'))![1]) / 1024;
  }

  cpuTicks(): number {
    const f = readFileSync(`/proc/${this.p.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.p.exitCode !== null || this.p.signalCode !== null) return Promise.resolve();
    const gone = new Promise<void>((r) => this.p.once('exit', () => r()));
    this.p.kill(signal);
    return gone;
  }
}

async function waitAll(list: Agent[], pred: (a: Agent) => boolean, timeoutMs: number): Promise<boolean> {
  const end = now() + timeoutMs;
  while (now() < end) {
    if (list.every(pred)) return true;
    await sleep(5);
  }
  return false;
}

interface Ours { bulkMs: number; joinMs: number[]; failMs: number[]; rssMb: number; cpuPct: number; falseFailures: number }

async function runOurs(N: number): Promise<Ours> {
  const agents: Agent[] = [];
  const tStart = now();
  const gone = new Set<string>(); // members the bench stopped (left or killed)
  try {
    for (let i = 0; i < N - 1; i++) agents.push(new Agent(`p${i}`));
    await Promise.all(agents.map((a) => a.ready));
    // Bulk join: agents 1..N-2 join agent 0 concurrently.
    const seed = agents[0]!;
    const joined = await Promise.all(agents.slice(1).map((a) => a.cmd(`join ${seed.addr}`).then(() => now())));
    const tLast = Math.max(...joined);
    const okBulk = await waitAll(agents, (a) => a.alive.size === N - 2, 60_000);
    const bulkMs = okBulk ? Math.max(0, now() - tLast) : NaN;
    await sleep(1000);

    // One more member joins, JOIN_REPS times (a fresh process each time, which then leaves).
    const joinMs: number[] = [];
    for (let r = 0; r < JOIN_REPS; r++) {
      const j = new Agent(`j${r}`);
      await j.ready;
      const t0 = now();
      await j.cmd(`join ${agents[r % agents.length]!.addr}`);
      const t1 = now();
      const ok = await waitAll(agents, (a) => a.joinAt.has(j.name), 30_000);
      joinMs.push(ok ? Math.max(0, ...agents.map((a) => a.joinAt.get(j.name)! - t1)) : NaN);
      if (r === 0) console.log(`  ours N=${N} join_rpc_ms=${f0(t1 - t0)}`);
      if (r < JOIN_REPS - 1) {
        await j.cmd('leave');
        gone.add(j.name);
        await j.kill('SIGTERM');
        await waitAll(agents, (a) => a.leaveAt.has(j.name), 10_000);
      } else {
        agents.push(j); // the N-th member stays for the RSS and failure figures
      }
    }

    // RSS and idle CPU in steady state.
    await sleep(2000);
    const c0 = agents.map((a) => a.cpuTicks());
    const tc0 = now();
    await sleep(5000);
    const cpu = agents.map((a, k) => ((a.cpuTicks() - c0[k]!) / 100) / ((now() - tc0) / 1000) * 100);
    const rssMb = median(agents.map((a) => a.rssMb()));

    // Failure detection: kill -9, time until every survivor marked it failed.
    const failMs: number[] = [];
    let live = agents.slice();
    for (let k = 0; k < KILLS; k++) {
      await sleep(2000);
      const victim = live[live.length - 1]!;
      live = live.slice(0, -1);
      for (const a of live) a.failAt.delete(victim.name); // only failures after the kill count
      const tk = now();
      gone.add(victim.name);
      await victim.kill('SIGKILL');
      const ok = await waitAll(live, (a) => a.failAt.has(victim.name), 60_000);
      failMs.push(ok ? Math.max(...live.map((a) => a.failAt.get(victim.name)! - tk)) : NaN);
      console.log(`  ours N=${N} kill rep=${k + 1} all_agents_ms=${f0(failMs[k]!)}`);
    }
    // A false failure: a member marked failed by someone although it never stopped.
    const falseFails = agents.flatMap((a) => [...a.failAt.entries()]
      .filter(([n]) => !gone.has(n))
      .map(([n, t]) => `${a.name}>${n}@${((t - tStart) / 1000).toFixed(1)}s`));
    console.log(`  ours N=${N} false_failures=${falseFails.length}${falseFails.length ? ' ' + falseFails.slice(0, 8).join(' ') : ''}`);
    return { bulkMs, joinMs, failMs, rssMb, cpuPct: median(cpu), falseFailures: falseFails.length };
  } finally {
    await Promise.all(agents.map((a) => a.kill('SIGKILL')));
  }
}

interface Serf { joinMs: number; failMs: number[]; rssMb: number; bulkMs: number }

function runSerf(): Map<number, Serf> {
  const r = spawnSync('bash', [path.join(peers, 'serf_bench.sh')], {
    env: { ...process.env, NS: NS.join(' '), KILLS: String(KILLS) }, encoding: 'utf8', maxBuffer: 1 << 24,
  });
  process.stdout.write(r.stdout);
  if (r.status !== 0) process.stderr.write(r.stderr);
  const out = new Map<number, Serf>();
  const get = (n: number) => out.get(n) ?? (out.set(n, { joinMs: NaN, failMs: [], rssMb: NaN, bulkMs: NaN }), out.get(n)!);
  for (const line of r.stdout.split('\n')) {
    let m = /serf-join-last N=(\d+) .*new_member_seen_by_all_ms=(\d+)/.exec(line);
    if (m) get(Number(m[1])).joinMs = Number(m[2]);
    m = /serf-failure-detect N=(\d+) .*all_agents_ms=(\d+)/.exec(line);
    if (m) get(Number(m[1])).failMs.push(Number(m[2]));
    m = /serf-rss N=(\d+) rss_mb_per_agent min=[\d.]+ p50=([\d.]+)/.exec(line);
    if (m) get(Number(m[1])).rssMb = Number(m[2]);
    m = /serf-bulk-join N=(\d+) .*all=(\d+)/.exec(line);
    if (m) get(Number(m[1]) + 1).bulkMs = Number(m[2]);
  }
  return out;
}

async function main(): Promise<void> {
  const b = spawnSync('npx', ['tsc', '-p', path.join(repoRoot, 'packages/gossip/tsconfig.json')], { stdio: 'inherit' });
  if (b.status !== 0) throw new Error('build of @proconsul/gossip failed');
  console.log('-- peer: serf');
  const serf = process.env.SKIP_PEER ? new Map<number, Serf>() : runSerf();
  const results: string[] = [];
  const ratios: string[] = [];
  for (const N of NS) {
    console.log(`-- proconsul gossip N=${N}`);
    const o = await runOurs(N);
    const s = serf.get(N) ?? { joinMs: NaN, failMs: [], rssMb: NaN, bulkMs: NaN };
    const joinP50 = median(o.joinMs);
    const joinMax = Math.max(...o.joinMs);
    const failAll = median(o.failMs);
    const serfFail = median(s.failMs);
    results.push(`RESULT gossip n=${N} join_all_ms_p50=${f0(joinP50)} join_all_ms_max=${f0(joinMax)} join_reps=${o.joinMs.length} fail_all_ms=${f0(failAll)} fail_all_ms_reps=${o.failMs.map(f0).join('/')} bulk_join_all_ms=${f0(o.bulkMs)} rss_mb=${o.rssMb.toFixed(1)} idle_cpu_pct=${o.cpuPct.toFixed(2)} false_failures=${o.falseFailures}`);
    results.push(`RESULT gossip-serf n=${N} join_all_ms=${f0(s.joinMs)} fail_all_ms=${f0(serfFail)} fail_all_ms_reps=${s.failMs.map(f0).join('/')} bulk_join_all_ms=${f0(s.bulkMs)} rss_mb=${s.rssMb.toFixed(1)}`);
    ratios.push(`RATIO gossip fail_all_n${N}=${(failAll / serfFail).toFixed(2)}`);
    ratios.push(`RATIO gossip join_all_n${N}=${(joinP50 / s.joinMs).toFixed(2)}`);
    ratios.push(`RATIO gossip rss_n${N}=${(o.rssMb / s.rssMb).toFixed(2)}`);
  }
  for (const l of results) console.log(l);
  // The two headline ratios go last.
  const last = NS.includes(50) ? [`RATIO gossip fail_all_n50=`, `RATIO gossip join_all_n50=`] : [];
  const head = ratios.filter((r) => !last.some((l) => r.startsWith(l)));
  const tail = last.map((l) => ratios.find((r) => r.startsWith(l))!).filter(Boolean);
  for (const l of [...head, ...tail]) console.log(l);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
