// kv-single: one durable server (`-server -bootstrap -data-dir`): PUT /v1/kv (100-byte values,
// a new key each) and default-mode GET of one key, req/s and p50/p99 with wrk at 1, 16 and 64
// connections, and WAL fsyncs per write; a single-member etcd (../shared/peers/etcd_bench.sh,
// MEMBERS=1: PUT and linearizable range through its HTTP gateway) in the same run.
// Ends with `RESULT kv-single ...` and `RATIO kv-single put_64=<x> get_64=<x>`.
// Needs the agent built (npm run build), wrk, etcd-server and jq.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const peersDir = resolve(repoRoot, '../shared/peers');
const HOST = '127.0.1.61';
const PORT = 18510;
const DUR = Number(process.env.DUR ?? 10);
const CONNS = (process.env.CONNS ?? '1 16 64').split(' ').map(Number);
const VSIZE = 100;

interface Run {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

const LUA_DONE = `
function done(summary, latency, requests)
  io.write(string.format("WRKRESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d\\n",
    summary.requests/(summary.duration/1e6), latency:percentile(50)/1000, latency:percentile(99)/1000, summary.errors.status))
end`;

function wrk(script: string, conns: number, url: string): Run {
  const threads = conns < 2 ? 1 : 2;
  const r = spawnSync('wrk', [`-t${threads}`, `-c${conns}`, `-d${DUR}s`, '--timeout', '5s', '-s', script, url], { encoding: 'utf8' });
  const m = /WRKRESULT rps=(\d+) p50_ms=([\d.]+) p99_ms=([\d.]+) non2xx=(\d+)/.exec(r.stdout);
  if (!m) throw new Error(`wrk failed: ${r.stdout}${r.stderr}`);
  return { rps: Number(m[1]), p50: Number(m[2]), p99: Number(m[3]), non2xx: Number(m[4]) };
}

async function fsyncs(base: string): Promise<number> {
  const m = (await (await fetch(`${base}/v1/agent/metrics`)).json()) as { Gauges: { Name: string; Value: number }[] };
  const g = m.Gauges.find((x) => x.Name.endsWith('raft.wal.fsyncs'));
  if (!g) throw new Error('no raft.wal.fsyncs gauge');
  return g.Value;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'proconsul-kv-single-'));
  const putLua = join(work, 'put.lua');
  const getLua = join(work, 'get.lua');
  writeFileSync(
    putLua,
    `local cnt = 0
local threads = {}
tid = 0
function setup(thread) thread:set("tid", #threads); table.insert(threads, thread) end
local val = string.rep("v", ${VSIZE})
function request()
  cnt = cnt + 1
  return wrk.format("PUT", "/v1/kv/bench/" .. tid .. "/" .. cnt, nil, val)
end${LUA_DONE}`,
  );
  writeFileSync(getLua, `wrk.method = "GET"; wrk.path = "/v1/kv/foo"${LUA_DONE}`);
  const base = `http://${HOST}:${PORT}`;
  const agent = spawn(
    process.execPath,
    [join(repoRoot, 'packages/agent/dist/run.js'), '-server', '-bootstrap', '-data-dir', join(work, 'data'), '-client', HOST, '-bind', HOST, '-http-port', String(PORT), '-dns-port', '-1', '-log-level', 'warn'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(agent);
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${base}/v1/status/leader`)).status === 200) break;
      } catch {
        // not yet listening
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await fetch(`${base}/v1/kv/foo`, { method: 'PUT', body: 'v'.repeat(VSIZE) });

    const put: Record<number, Run & { fsyncsPerWrite: number }> = {};
    const get: Record<number, Run> = {};
    for (const c of CONNS) {
      const before = await fsyncs(base);
      const r = wrk(putLua, c, base);
      const writes = r.rps * DUR;
      put[c] = { ...r, fsyncsPerWrite: ((await fsyncs(base)) - before) / Math.max(1, writes) };
      console.log(`proconsul PUT  conns=${c}: ${r.rps} req/s p50 ${r.p50} ms p99 ${r.p99} ms non2xx=${r.non2xx} fsyncs/write=${put[c].fsyncsPerWrite.toFixed(3)}`);
    }
    for (const c of CONNS) {
      get[c] = wrk(getLua, c, base);
      console.log(`proconsul GET  conns=${c}: ${get[c].rps} req/s p50 ${get[c].p50} ms p99 ${get[c].p99} ms non2xx=${get[c].non2xx}`);
    }
    agent.kill('SIGTERM');

    // The peer, same machine, same run.
    const etcd = spawnSync('bash', [join(peersDir, 'etcd_bench.sh')], {
      env: { ...process.env, MEMBERS: '1', DUR: String(DUR), CONNS: CONNS.join(' '), VSIZE: String(VSIZE) },
      encoding: 'utf8',
    });
    const out = etcd.stdout;
    process.stdout.write(out.split('\n').filter((l) => l.startsWith('SUMMARY')).join('\n') + '\n');
    const peer = (kind: string, c: number): Run | undefined => {
      const m = new RegExp(`SUMMARY ${kind}\\s+conns=${c} .*?rps=(\\d+) p50_ms=([\\d.]+) p99_ms=([\\d.]+)`).exec(out);
      return m ? { rps: Number(m[1]), p50: Number(m[2]), p99: Number(m[3]), non2xx: 0 } : undefined;
    };
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
    if (ratios.length === 0) throw new Error(`etcd did not run:\n${out}\n${etcd.stderr}`);
    console.log(`RATIO kv-single ${ratios.join(' ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
