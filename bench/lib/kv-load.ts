// Shared by the KV benchmarks: wrk scripts for Consul-style KV PUT (a new key each) and GET of
// one key, a wrk runner that reads the figures back, and the etcd peer's SUMMARY lines.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const peersDir = resolve(repoRoot, '../shared/peers');
export const runJs = join(repoRoot, 'packages/agent/dist/run.js');

export interface Run {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

const LUA_DONE = `
function done(summary, latency, requests)
  io.write(string.format("WRKRESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d\\n",
    summary.requests/(summary.duration/1e6), latency:percentile(50)/1000, latency:percentile(99)/1000, summary.errors.status))
end`;

/**
 * Writes put.lua (PUT /v1/kv/bench/<thread>/<n>, `valueBytes` bytes), warm.lua (the same under
 * warmup/) and get.lua (GET /v1/kv/<key>) into `dir`.
 */
export function writeKvScripts(dir: string, valueBytes: number, getKey: string): { put: string; warm: string; get: string } {
  const put = join(dir, 'put.lua');
  const warm = join(dir, 'warm.lua');
  const get = join(dir, 'get.lua');
  const putScript = (prefix: string): string =>
    `local cnt = 0
local threads = {}
tid = 0
function setup(thread) thread:set("tid", #threads); table.insert(threads, thread) end
local val = string.rep("v", ${valueBytes})
function request()
  cnt = cnt + 1
  return wrk.format("PUT", "/v1/kv/${prefix}/" .. tid .. "/" .. cnt, nil, val)
end${LUA_DONE}`;
  writeFileSync(put, putScript('bench'));
  writeFileSync(warm, putScript('warmup'));
  writeFileSync(get, `wrk.method = "GET"; wrk.path = "/v1/kv/${getKey}"${LUA_DONE}`);
  return { put, warm, get };
}

/**
 * Seconds of PUTs at 16 connections before the measured levels (knob WARMUP, default 3): V8
 * compiles the hot paths in the first few thousand requests, so an agent measured from its first
 * request reports its start-up, not its service. etcd is a compiled Go binary and gets none.
 */
export const WARMUP_S = Number(process.env.WARMUP ?? 3);
/**
 * Then seconds at one connection (knob WARMUP_ONE, default 1). When the 16 connections close, V8
 * deoptimizes Node's stream and HTTP code and some of ours (new object shapes) and recompiles
 * about 60 functions in the next seconds; without this, that lands in the first measured level.
 */
export const WARMUP_ONE_S = Number(process.env.WARMUP_ONE ?? 1);

/**
 * Between them, seconds of GETs at 16 connections (knob WARMUP_GET, default 1). The GET levels
 * run code of their own (the read path, and Node's and fastify's reply code with other
 * objects): warmed on PUTs alone, V8 deoptimized and recompiled that in the first GET level, a
 * stall that wrk counts many times over at 8,000 requests a second.
 */
export const WARMUP_GET_S = Number(process.env.WARMUP_GET ?? 1);

export function warmUp(scripts: { warm: string; get: string }, url: string): void {
  if (WARMUP_S > 0) wrk(scripts.warm, 16, url, WARMUP_S);
  if (WARMUP_GET_S > 0) wrk(scripts.get, 16, url, WARMUP_GET_S);
  if (WARMUP_ONE_S > 0) wrk(scripts.warm, 1, url, WARMUP_ONE_S);
}

export function wrk(script: string, conns: number, url: string, durationS: number): Run {
  const threads = conns < 2 ? 1 : 2;
  const r = spawnSync('wrk', [`-t${threads}`, `-c${conns}`, `-d${durationS}s`, '--timeout', '5s', '-s', script, url], { encoding: 'utf8' });
  const m = /WRKRESULT rps=(\d+) p50_ms=([\d.]+) p99_ms=([\d.]+) non2xx=(\d+)/.exec(r.stdout);
  if (!m) throw new Error(`wrk failed: ${r.stdout}${r.stderr}`);
  return { rps: Number(m[1]), p50: Number(m[2]), p99: Number(m[3]), non2xx: Number(m[4]) };
}

/** Runs ../shared/peers/etcd_bench.sh with `env`; returns its output (SUMMARY lines printed). */
export function runEtcd(env: Record<string, string>): string {
  const etcd = spawnSync('bash', [join(peersDir, 'etcd_bench.sh')], { env: { ...process.env, ...env }, encoding: 'utf8' });
  process.stdout.write(etcd.stdout.split('\n').filter((l) => l.startsWith('SUMMARY') || l.startsWith('failover')).join('\n') + '\n');
  if (!etcd.stdout.includes('SUMMARY')) throw new Error(`etcd did not run:\n${etcd.stdout}\n${etcd.stderr}`);
  return etcd.stdout;
}

/** One etcd figure line: `SUMMARY <kind> conns=<c> ... rps=.. p50_ms=.. p99_ms=..`. */
export function etcdRun(out: string, kind: string, conns: number): Run | undefined {
  const m = new RegExp(`SUMMARY ${kind}\\s+conns=${conns} .*?rps=(\\d+) p50_ms=([\\d.]+) p99_ms=([\\d.]+)`).exec(out);
  return m ? { rps: Number(m[1]), p50: Number(m[2]), p99: Number(m[3]), non2xx: 0 } : undefined;
}

export async function waitHttp(url: string, ok: (r: Response) => Promise<boolean> = async (r) => r.status === 200, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    try {
      if (await ok(await fetch(url))) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}
