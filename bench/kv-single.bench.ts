// kv-single: one durable server (`-server -bootstrap -data-dir`): PUT /v1/kv (100-byte values,
// a new key each) and default-mode GET of one key, req/s and p50/p99 with wrk at 1, 16 and 64
// connections after a warm-up (PUTs 3 s at 16 connections, GETs 1 s at 16, PUTs 1 s at one:
// lib/kv-load.ts), and WAL fsyncs per write; a single-member etcd (../shared/peers/etcd_bench.sh,
// MEMBERS=1: PUT and linearizable range through its HTTP gateway) in the same run.
// Ends with `RESULT kv-single ...` and `RATIO kv-single put_64=<x> get_64=<x>`. Each PUT level
// prints the Raft log's snapshot index after it (snapshots on at Consul's defaults; the knob
// RAFT_SNAPSHOT_INTERVAL=1s snapshots every raft_snapshot_threshold entries, the worst case).
// Needs the agent built (npm run build), wrk, etcd-server and jq.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdRun, runEtcd, runJs, waitHttp, warmUp, wrk, writeKvScripts, type Run } from './lib/kv-load.js';

const HOST = '127.0.1.61';
const PORT = 18510;
const DUR = Number(process.env.DUR ?? 10);
const CONNS = (process.env.CONNS ?? '1 16 64').split(' ').map(Number);
const VSIZE = 100;

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

async function fsyncs(base: string): Promise<number> {
  const m = (await (await fetch(`${base}/v1/agent/metrics`)).json()) as { Gauges: { Name: string; Value: number }[] };
  const g = m.Gauges.find((x) => x.Name.endsWith('raft.wal.fsyncs'));
  if (!g) throw new Error('no raft.wal.fsyncs gauge');
  return g.Value;
}

async function snapshotIndex(base: string): Promise<string> {
  const self = (await (await fetch(`${base}/v1/agent/self`)).json()) as { Stats?: { raft?: { last_snapshot_index?: string } } };
  return self.Stats?.raft?.last_snapshot_index ?? '?';
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'proconsul-kv-single-'));
  const config = join(work, 'bench.json');
  writeFileSync(config, JSON.stringify(process.env.RAFT_SNAPSHOT_INTERVAL ? { raft_snapshot_interval: process.env.RAFT_SNAPSHOT_INTERVAL } : {}));
  const scripts = writeKvScripts(work, VSIZE, 'foo');
  const base = `http://${HOST}:${PORT}`;
  const agent = spawn(
    process.execPath,
    [runJs, '-server', '-bootstrap', '-data-dir', join(work, 'data'), '-client', HOST, '-bind', HOST, '-http-port', String(PORT), '-dns-port', '-1', '-log-level', 'warn', '-config-file', config],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(agent);
  try {
    await waitHttp(`${base}/v1/status/leader`, async (r) => r.status === 200 && (await r.json()) !== '');
    await fetch(`${base}/v1/kv/foo`, { method: 'PUT', body: 'v'.repeat(VSIZE) });
    warmUp(scripts, base);

    const put: Record<number, Run & { fsyncsPerWrite: number }> = {};
    const get: Record<number, Run> = {};
    for (const c of CONNS) {
      const before = await fsyncs(base);
      const r = wrk(scripts.put, c, base, DUR);
      const writes = r.rps * DUR;
      put[c] = { ...r, fsyncsPerWrite: ((await fsyncs(base)) - before) / Math.max(1, writes) };
      console.log(`proconsul PUT  conns=${c}: ${r.rps} req/s p50 ${r.p50} ms p99 ${r.p99} ms non2xx=${r.non2xx} fsyncs/write=${put[c].fsyncsPerWrite.toFixed(3)} snapshot_index=${await snapshotIndex(base)}`);
    }
    for (const c of CONNS) {
      get[c] = wrk(scripts.get, c, base, DUR);
      console.log(`proconsul GET  conns=${c}: ${get[c].rps} req/s p50 ${get[c].p50} ms p99 ${get[c].p99} ms non2xx=${get[c].non2xx}`);
    }
    agent.kill('SIGTERM');

    // The peer, same machine, same run.
    const out = runEtcd({ MEMBERS: '1', DUR: String(DUR), CONNS: CONNS.join(' '), VSIZE: String(VSIZE) });
    const peer = (kind: string, c: number): Run | undefined => etcdRun(out, kind, c);
    const figures: string[] = [];
    for (const c of CONNS) {
      figures.push(`put_${c}=${put[c].rps} put_${c}_p99_ms=${put[c].p99} get_${c}=${get[c].rps} get_${c}_p99_ms=${get[c].p99}`);
    }
    console.log(`RESULT kv-single ${figures.join(' ')} fsyncs_per_write_64=${put[64]?.fsyncsPerWrite.toFixed(3) ?? '?'} duration_s=${DUR}`);
    const ratios: string[] = [];
    for (const c of CONNS) {
      const ep = peer('etcd-put', c);
      const eg = peer('etcd-range-linearizable', c);
      if (ep) ratios.push(`put_${c}=${(put[c].rps / ep.rps).toFixed(2)} put_${c}_p99=${(put[c].p99 / ep.p99).toFixed(2)}`);
      if (eg) ratios.push(`get_${c}=${(get[c].rps / eg.rps).toFixed(2)} get_${c}_p99=${(get[c].p99 / eg.p99).toFixed(2)}`);
    }
    console.log(`RATIO kv-single ${ratios.join(' ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
