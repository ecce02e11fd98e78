// Gossip at equal cost: bytes each member sends per second, and failure detection, for serf
// (memberlist's DefaultLANConfig) and for Proconsul's gossip with one or more settings profiles.
// Each side runs alone in its own network namespace, so the loopback interface's counters
// (`ip -s link show lo`, every UDP and TCP byte on the wire, headers included) are that side's
// traffic and nothing else. Per profile: N members join, settle, traffic is counted over
// TRAFFIC_S seconds of steady state, then KILLS times a member is killed -9 and the time until
// every survivor saw it failed is taken (serf: a member-failed event handler stamps the time;
// ours: each member's event stream). Needs root (ip netns) and the `serf` binary.
// Knobs: N (10), TRAFFIC_S (60: two of both sides' 30 s push-pull intervals), KILLS (3),
// PROFILES (';'-separated lists of --set overrides, `lan` = the shipped profile).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repoRoot, 'packages/gossip/bin/proconsul-gossip.js');
const N = Number(process.env.N ?? 10);
const TRAFFIC_S = Number(process.env.TRAFFIC_S ?? 60);
const KILLS = Number(process.env.KILLS ?? 3);
// memberlist's LAN timings: probe 1 s / 500 ms, gossip 200 ms to 3, push-pull 30 s.
const MEMBERLIST_TIMINGS = 'probeIntervalMs=1000,probeTimeoutMs=500,gossipIntervalMs=200,gossipNodes=3,pushPullIntervalMs=30000';
// The LAN profile before 2026-12-04: probes every 400 ms, push-pull every 15 s.
const PREVIOUS_LAN = 'probeIntervalMs=400,probeTimeoutMs=200,pushPullIntervalMs=15000';
const PROFILES = (process.env.PROFILES ?? `lan;${PREVIOUS_LAN};${MEMBERLIST_TIMINGS}`)
  .split(';').map((p) => p.trim()).filter(Boolean);
const BASE_PORT = 17400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2;
};

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A fresh network namespace with only loopback, removed by the returned function. */
function netns(name: string): () => void {
  spawnSync('ip', ['netns', 'del', name]);
  sh('ip', ['netns', 'add', name]);
  sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return () => void spawnSync('ip', ['netns', 'del', name]);
}

function loBytes(ns: string): { bytes: number; packets: number } {
  const j = JSON.parse(sh('ip', ['-n', ns, '-s', '-j', 'link', 'show', 'lo'])) as Array<{ stats64: { tx: { bytes: number; packets: number } } }>;
  return j[0]!.stats64.tx;
}

interface Side {
  /** Names of every member; kill(i) kills member i with SIGKILL. */
  names: string[];
  aliveEverywhere(): boolean;
  /** Time (performance.now()) member `observer` saw `name` fail, if it did. */
  failSeen(observer: number, name: string): number | undefined;
  /** Every (observer, failed) pair seen so far. */
  failures(): Array<[string, string]>;
  kill(i: number): void;
  stop(): void;
}

async function startOurs(ns: string, settings: string[]): Promise<Side> {
  const procs: ChildProcess[] = [];
  const alive: Array<Set<string>> = [];
  const failAt: Array<Map<string, number>> = [];
  const names = Array.from({ length: N }, (_, i) => `p${i}`);
  for (let i = 0; i < N; i++) {
    const args = ['netns', 'exec', ns, process.execPath, bin, '--name', names[i]!, '--bind', `127.0.0.1:${BASE_PORT + i}`,
      ...(i > 0 ? ['--join', `127.0.0.1:${BASE_PORT}`] : []), ...settings.flatMap((s) => ['--set', s])];
    const p = spawn('ip', args, { stdio: ['pipe', 'pipe', 'inherit'] });
    procs.push(p);
    alive.push(new Set([names[i]!]));
    failAt.push(new Map());
    createInterface({ input: p.stdout! }).on('line', (line) => {
      const t = performance.now();
      let o: { event?: string; name?: string };
      try { o = JSON.parse(line); } catch { return; }
      if (o.event === 'join') alive[i]!.add(o.name!);
      if (o.event === 'fail' || o.event === 'leave') alive[i]!.delete(o.name!);
      if (o.event === 'fail') failAt[i]!.set(o.name!, t);
    });
    if (i === 0) await sleep(1000); // the seed listens before the others join it
  }
  return {
    names,
    aliveEverywhere: () => alive.every((s) => s.size === N),
    failSeen: (o, name) => failAt[o]!.get(name),
    failures: () => failAt.flatMap((m, o) => [...m.keys()].map((n) => [names[o]!, n] as [string, string])),
    kill: (i) => void procs[i]!.kill('SIGKILL'),
    stop: () => procs.forEach((p) => p.kill('SIGKILL')),
  };
}

async function startSerf(ns: string): Promise<Side> {
  const dir = mkdtempSync(path.join(tmpdir(), 'serf-traffic-'));
  // member-failed handler: one line "<unix ms> <failed member>" per event in <dir>/<observer>.
  const handler = path.join(dir, 'on-fail.sh');
  writeFileSync(handler, `#!/bin/sh\nnow=$(date +%s%3N)\nwhile read -r name rest; do echo "$now $name" >> "${dir}/$SERF_SELF_NAME.fail"; done\n`);
  chmodSync(handler, 0o755);
  const names = Array.from({ length: N }, (_, i) => `s${i}`);
  const procs: ChildProcess[] = [];
  for (const [i, name] of names.entries()) {
    procs.push(spawn('ip', ['netns', 'exec', ns, 'serf', 'agent', '-node', name, '-bind', `127.0.0.1:${BASE_PORT + i}`, '-rpc-addr', `127.0.0.1:${BASE_PORT + 100 + i}`,
      '-log-level', 'err', '-event-handler', `member-failed=${handler}`, ...(i > 0 ? ['-join', `127.0.0.1:${BASE_PORT}`] : [])], { stdio: 'ignore' }));
    if (i === 0) await sleep(1000); // the seed listens before the others join it
  }
  // performance.now() and the handler's wall clock meet here.
  const wallToPerf = Date.now() - performance.now();
  const read = (o: number): Map<string, number> => {
    const m = new Map<string, number>();
    try {
      for (const l of readFileSync(path.join(dir, `${names[o]}.fail`), 'utf8').split('\n')) {
        const [t, n] = l.split(' ');
        if (t && n && !m.has(n)) m.set(n, Number(t) - wallToPerf);
      }
    } catch { /* no failures seen yet */ }
    return m;
  };
  return {
    names,
    aliveEverywhere: () => {
      const r = spawnSync('ip', ['netns', 'exec', ns, 'serf', 'members', '-rpc-addr', `127.0.0.1:${BASE_PORT + 100 + N - 1}`, '-status', 'alive'], { encoding: 'utf8' });
      return r.status === 0 && r.stdout.trim().split('\n').length === N;
    },
    failSeen: (o, name) => read(o).get(name),
    failures: () => names.flatMap((obs, o) => [...read(o).keys()].map((n) => [obs, n] as [string, string])),
    kill: (i) => void procs[i]!.kill('SIGKILL'),
    stop: () => {
      procs.forEach((p) => p.kill('SIGKILL')); // `ip netns exec` execs serf: these are serf's PIDs
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Figures { bytesPerMemberS: number; packetsPerMemberS: number; failMs: number[]; falseFailures: number }

async function measure(label: string, ns: string, side: Side): Promise<Figures> {
  try {
    const t0 = performance.now();
    while (!side.aliveEverywhere()) {
      if (performance.now() - t0 > 60_000) throw new Error(`${label}: ${N} members never all alive`);
      await sleep(200);
    }
    await sleep(5_000); // let join traffic die down
    const a = loBytes(ns);
    await sleep(TRAFFIC_S * 1000);
    const b = loBytes(ns);
    const bytesPerMemberS = (b.bytes - a.bytes) / N / TRAFFIC_S;
    const packetsPerMemberS = (b.packets - a.packets) / N / TRAFFIC_S;
    const failMs: number[] = [];
    const killed = new Set<string>();
    for (let k = 0; k < KILLS; k++) {
      const victim = N - 1 - k;
      const survivors = Array.from({ length: victim }, (_, i) => i);
      const tk = performance.now();
      killed.add(side.names[victim]!);
      side.kill(victim);
      let seen: number[] = [];
      while (performance.now() - tk < 60_000) {
        seen = survivors.map((o) => side.failSeen(o, side.names[victim]!)).filter((t): t is number => t !== undefined);
        if (seen.length === survivors.length) break;
        await sleep(20);
      }
      failMs.push(seen.length === survivors.length ? Math.max(...seen) - tk : NaN);
      console.log(`  ${label} kill ${k + 1}: failure seen by all ${survivors.length} survivors in ${failMs[k]!.toFixed(0)} ms`);
      await sleep(3_000);
    }
    const falseFailures = side.failures().filter(([, n]) => !killed.has(n)).length;
    return { bytesPerMemberS, packetsPerMemberS, failMs, falseFailures };
  } finally {
    side.stop();
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('needs root (ip netns)');
  sh('npx', ['tsc', '-p', path.join(repoRoot, 'packages/gossip/tsconfig.json')]);
  const serfVersion = sh('serf', ['version']).split('\n')[0];
  const lines: string[] = [];
  const delNs = [netns('pcg-serf'), netns('pcg-ours')];
  try {
    console.log(`-- serf (${serfVersion}, memberlist DefaultLANConfig), N=${N}`);
    const s = await measure('serf', 'pcg-serf', await startSerf('pcg-serf'));
    const serfFail = median(s.failMs);
    lines.push(`RESULT gossip-traffic-serf n=${N} bytes_per_member_s=${s.bytesPerMemberS.toFixed(0)} packets_per_member_s=${s.packetsPerMemberS.toFixed(1)} fail_all_ms=${serfFail.toFixed(0)} fail_all_ms_reps=${s.failMs.map((x) => x.toFixed(0)).join('/')} false_failures=${s.falseFailures}`);
    const ratios: string[] = [];
    for (const profile of PROFILES) {
      const settings = profile === 'lan' ? [] : profile.split(',');
      console.log(`-- proconsul gossip N=${N} profile=${profile}`);
      const o = await measure(`ours[${profile}]`, 'pcg-ours', await startOurs('pcg-ours', settings));
      const fail = median(o.failMs);
      lines.push(`RESULT gossip-traffic n=${N} profile=${profile} bytes_per_member_s=${o.bytesPerMemberS.toFixed(0)} packets_per_member_s=${o.packetsPerMemberS.toFixed(1)} fail_all_ms=${fail.toFixed(0)} fail_all_ms_reps=${o.failMs.map((x) => x.toFixed(0)).join('/')} false_failures=${o.falseFailures}`);
      ratios.push(`RATIO gossip-traffic profile=${profile} bytes=${(o.bytesPerMemberS / s.bytesPerMemberS).toFixed(2)} fail_all=${(fail / serfFail).toFixed(2)}`);
    }
    for (const l of [...lines, ...ratios]) console.log(l);
  } finally {
    for (const d of delNs) d();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
